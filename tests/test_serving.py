"""What a web worker sets up at start (web/serving.py): a small SQLite page cache on each of its
connections, which now live for many requests, and reads from replicas when there are any."""

import pytest
from django.db import connections
from django.db.backends.signals import connection_created

from commonground import replicas
from commonground.web import serving


@pytest.fixture
def web_worker():
    serving.prepare_web_worker()
    yield
    connection_created.disconnect(dispatch_uid="commonground-web-sqlite-cache")
    replicas.use_replicas(False)


def new_connections_cache_size() -> int:
    """PRAGMA cache_size on a connection opened now (SQLite only)."""
    fresh = connections.create_connection("default")
    try:
        if fresh.vendor != "sqlite":
            pytest.skip("a PostgreSQL connection has no per-connection page cache to size")
        with fresh.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]
    finally:
        fresh.close()


@pytest.mark.django_db
def test_a_web_workers_sqlite_connection_keeps_a_small_page_cache(web_worker):
    assert new_connections_cache_size() == -serving.WEB_SQLITE_CACHE_KIB


@pytest.mark.django_db
def test_other_processes_keep_the_large_cache_imports_want():
    assert new_connections_cache_size() == -16384


def test_a_web_worker_may_read_from_replicas(web_worker):
    assert replicas._enabled


@pytest.mark.slow
@pytest.mark.django_db
def test_the_served_app_is_frozen_before_the_workers_fork(demo_meetings, settings, web_worker):
    """What the parent loads (the app, the gazetteer, the index's tables) stays shared with the
    workers only if their garbage collector never writes to it: `serve` freezes it (gc.freeze).
    (``web_worker``: undoes what importing the WSGI module sets up for a worker.)"""
    import gc

    from commonground.web.management.commands.serve import _Server

    demo_meetings(20)
    settings.SECRET_KEY = "a-test-key-that-is-not-the-built-in-one-" + "x" * 20  # the WSGI module checks it
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        application = _Server("127.0.0.1", 0, 1).load()
        assert callable(application) and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
