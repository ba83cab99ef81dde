from django.apps import AppConfig


class PeerConfig(AppConfig):
    name = "commonground.peer"
    verbose_name = "Peer-support workspace"

    def ready(self):
        from commonground.peer import rules  # noqa: F401 - registers the permissions
