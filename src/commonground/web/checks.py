"""Refuse to serve with the built-in secret key, and say so in `check --deploy`.

Sessions and CSRF tokens are signed with SECRET_KEY; with the key that ships in the source, anyone
could forge an admin session. `scripts/run` makes a random key on first run and keeps it in the
data folder, so the Quick start still needs no set-up.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

MESSAGE = (
    "SECRET_KEY is the built-in development key. Set SECRET_KEY (a long random value), or let "
    "`scripts/run` make one in {path}."
)


def using_builtin_key() -> bool:
    return settings.SECRET_KEY == settings.BUILTIN_SECRET_KEY


def refuse_builtin_key() -> None:
    """Raise ImproperlyConfigured when a server would start with DEBUG off and the built-in key,
    or when an app's startup check (``web.extensions.STARTUP_CHECKS``) refuses."""
    if using_builtin_key() and not settings.DEBUG:
        raise ImproperlyConfigured(MESSAGE.format(path=settings.SECRET_KEY_FILE) + " (DEBUG=1 allows it locally.)")
    from commonground.web.extensions import STARTUP_CHECKS

    for check in STARTUP_CHECKS:
        check()


@register(Tags.security, deploy=True)
def builtin_key_check(app_configs, **kwargs):
    if using_builtin_key():
        return [Error(MESSAGE.format(path=settings.SECRET_KEY_FILE), id="commonground.E001")]
    return []
