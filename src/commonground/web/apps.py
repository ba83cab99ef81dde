from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "commonground.web"
    verbose_name = "Web pages"
