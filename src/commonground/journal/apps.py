from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "commonground.journal"
    verbose_name = "Recovery companion"

    def ready(self):
        from commonground.journal import checks, hooks  # noqa: F401 - checks register themselves

        hooks.register()
