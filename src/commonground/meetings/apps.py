from django.apps import AppConfig


class MeetingsConfig(AppConfig):  # type: ignore[misc]  # Django is untyped here
    name = "commonground.meetings"
    verbose_name = "Meetings"
