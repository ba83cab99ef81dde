from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "commonground.meetings"
    verbose_name = "Meetings"
