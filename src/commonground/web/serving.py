"""What a web worker takes at start: the WSGI application, checked and prepared. ``commonground.wsgi``
(any WSGI server) and ``commonground serve`` both build it here."""

from __future__ import annotations

from django.db.backends.signals import connection_created

from commonground.replicas import use_replicas

# A web worker's SQLite connection lives for many requests (CONN_MAX_AGE). Its page cache would
# grow to the 16 MB that imports want, in every worker, and hold copies of pages the operating
# system's file cache already has. 2 MB keeps the tables' inner pages, which every lookup walks.
WEB_SQLITE_CACHE_KIB = 2048


def _small_page_cache(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size=-{WEB_SQLITE_CACHE_KIB}")


def prepare_web_worker() -> None:
    use_replicas()  # public finder reads may go to a replica, if any are configured
    connection_created.connect(_small_page_cache, dispatch_uid="commonground-web-sqlite-cache")


def web_application():
    """The WSGI application: refused with the built-in key, then prepared (replicas, page cache)."""
    from django.core.wsgi import get_wsgi_application

    from commonground.web.checks import refuse_builtin_key

    application = get_wsgi_application()
    refuse_builtin_key()  # any WSGI server, not only `commonground serve`
    prepare_web_worker()
    return application
