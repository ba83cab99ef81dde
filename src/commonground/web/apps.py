from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "commonground.web"
    verbose_name = "Web pages"

    def ready(self):
        from commonground.feeds import published
        from commonground.meetings.signals import data_changed
        from commonground.search import engine
        from commonground.web import checks, publishing  # noqa: F401 - checks registers itself

        data_changed.connect(publishing.on_data_changed, dispatch_uid="commonground-publish")
        engine.request_build = publishing.request_build
        published.request_build = publishing.request_build
