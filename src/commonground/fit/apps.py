from django.apps import AppConfig


class FitConfig(AppConfig):
    name = "commonground.fit"
    verbose_name = "Fit finder"
