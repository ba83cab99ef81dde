from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "commonground.treatment"
    verbose_name = "Treatment near you"

    def ready(self):
        from commonground.feeds import schedule
        from commonground.meetings.models import SourceFormat
        from commonground.treatment.sync import sync_facilities

        schedule.register(SourceFormat.FINDTREATMENT, sync_facilities)  # its sources, synced by `sync`
