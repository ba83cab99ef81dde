"""Run Common Ground with a production WSGI server (gunicorn) and WhiteNoise for static files."""

import gc
import multiprocessing
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from gunicorn.app.base import BaseApplication

from commonground.meetings.models import Meeting
from commonground.web.checks import refuse_builtin_key
from commonground.web.publishing import publish_current


class Command(BaseCommand):
    help = "Migrate, load the catalog (and demo data if there are no meetings), then serve the app."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Interface to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="Worker processes (default: WEB_CONCURRENCY or 2).",
        )
        parser.add_argument("--no-demo", action="store_true", help="Never load demo data.")

    def handle(self, *args, host, port, workers, no_demo, **options):
        try:
            refuse_builtin_key()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_catalog", verbosity=0)
        if not no_demo and not Meeting.objects.exists():
            self.stdout.write("No meetings yet: loading the synthetic demo data set ...")
            call_command("demo")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Publishing the feed and the search index for the current data ...")
        _publish_in_a_child()
        # Workers never build the index or the feed inside a request: a builder process does.
        settings.PUBLISH_MODE = "background"
        connections.close_all()  # never share a database connection across forked workers
        self.stdout.write(f"Common Ground is serving on http://{host}:{port}/ with {workers} workers.")
        _Server(host, port, workers).run()


def _publish_in_a_child() -> None:
    """Build the feed files and the search index in a child process. Building them at a million
    meetings takes over a gigabyte of short-lived objects; done here, before the workers fork, every
    worker would start with that heap (its pages counted in each worker's memory)."""
    connections.close_all()  # the child opens its own connection
    child = multiprocessing.get_context("fork").Process(target=_publish_and_exit, name="commonground-publish")
    child.start()
    child.join()
    if child.exitcode != 0:
        raise CommandError(
            f"Publishing the feed and the search index failed (exit code {child.exitcode}); the error is above."
        )


def _publish_and_exit() -> None:
    try:
        publish_current()
    finally:
        connections.close_all()


def _warm_up(worker):
    """Build the search index and load the gazetteer before the worker takes its first request."""
    from commonground.places.gazetteer import gazetteer
    from commonground.search import engine

    engine.current_index()
    gazetteer()
    connections.close_all()


class _Server(BaseApplication):
    def __init__(self, host, port, workers):
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "timeout": 60,
            "graceful_timeout": 10,
            # Let long addresses reach Django, which answers 414 in the API's error shape.
            "limit_request_line": 8190,
            "accesslog": os.environ.get("ACCESS_LOG") or None,
            # gunicorn's access-log format; "%(D)s" adds each request's time in µs (bench/load.py).
            "access_log_format": os.environ.get("ACCESS_LOG_FORMAT") or None,
            "errorlog": "-",
            "loglevel": "warning",
            # The app, the search index (memory-mapped) and the gazetteer are loaded once, before
            # the workers fork: every worker answers its first request at once, and they share
            # those pages instead of each holding a copy.
            "preload_app": True,
        }
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self):
        from commonground.web.serving import web_application

        application = web_application()

        _warm_up(None)
        # Everything loaded so far (Django, the gazetteer's places, the index's small tables) lives
        # as long as the workers do. Frozen, the workers' garbage collector never visits those
        # objects, so it never writes to their pages and they stay shared with the parent instead
        # of being copied into every worker (Python's advice for fork without exec).
        gc.collect()
        gc.freeze()
        return application
