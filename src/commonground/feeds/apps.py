from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "commonground.feeds"
    verbose_name = "Meeting feeds"
