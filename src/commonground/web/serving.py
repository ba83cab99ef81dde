"""Settings that only a web worker takes (``commonground.wsgi`` applies them at start)."""

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
