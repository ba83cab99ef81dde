from django.apps import AppConfig


class PeerConfig(AppConfig):
    name = "commonground.peer"
    verbose_name = "Peer-support workspace"

    def ready(self):
        from commonground.peer import checks, rules  # noqa: F401 - registers the permissions and checks

        checks.register_startup_check()  # no server starts without the audit key
