from django.apps import AppConfig


class SearchConfig(AppConfig):  # type: ignore[misc]  # Django is untyped here
    name = "commonground.search"
    verbose_name = "Meeting search"
