from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "commonground.search"
    verbose_name = "Meeting search"
