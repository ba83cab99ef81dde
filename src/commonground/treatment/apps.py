from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "commonground.treatment"
    verbose_name = "Treatment near you"
