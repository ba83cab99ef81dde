"""Building what belongs to each data version, and asking for it from a web worker.

After an import commits, the published feed and the search index for the new version are
built: by the importing process itself (``inline``, the CLI), or, when the change came from a
web worker (``background``), by a separate ``commonground publish`` process, so no request ever
waits for it. ``publish`` holds a lock, so concurrent requests for a build make one builder at a
time, and it loops until what it built is the current version.

A run of several sources (``feeds/runs.py``) sets ``index``: each source's commit brings only
the search index forward (a fraction of a second: it redoes that source's rows), so search shows
the source at once, and the feed files and the BMLT material are built once, when the run ends.
One thread builds at a time; a commit that lands meanwhile is taken up by that thread's next round.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time

from django.conf import settings

from commonground.api.bmlt import store as bmlt_store
from commonground.feeds import published
from commonground.locks import LockBusy, file_lock
from commonground.meetings.models import DataVersion
from commonground.runtime import runtime_dir
from commonground.search import store

log = logging.getLogger(__name__)
_child: subprocess.Popen | None = None
_child_lock = threading.Lock()
RESPAWN_AFTER_SECONDS = 5.0
_last_spawn = 0.0


def publish_current(*, rounds: int = 5) -> tuple:
    """Build the feed and the index for the current version (again if it moves meanwhile)."""
    with file_lock(runtime_dir("locks") / "publish.lock", wait=True, what="another publisher", notify=None):
        for _ in range(rounds):
            version = DataVersion.current_with_time()
            store.build(version)
            published.build(version)
            bmlt_store.build(version)  # the BMLT answers' material, beside the feed it shares its selection with
            if DataVersion.current_with_time() == version:
                return version
        return version


def request_build() -> None:
    """Start a builder process unless this worker already has one running (or just started one)."""
    global _child, _last_spawn
    with _child_lock:
        if _child is not None and _child.poll() is None:
            return
        if time.monotonic() - _last_spawn < RESPAWN_AFTER_SECONDS:
            return
        _last_spawn = time.monotonic()
        try:
            _child = subprocess.Popen(
                [sys.executable, "-m", "commonground.cli", "publish"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            log.exception("could not start `commonground publish`")


_index_guard = threading.Lock()
_index_due = False  # a version committed since the running build read the current one
_index_building = False


def refresh_index() -> None:
    """The search index for the current version, and again while commits keep landing; a thread
    that finds another building leaves its version to that one. A publisher at work elsewhere
    builds the index itself: then nothing is done here."""
    global _index_due, _index_building
    with _index_guard:
        _index_due = True
        if _index_building:
            return
        _index_building = True
    try:
        while True:
            with _index_guard:
                if not _index_due:
                    _index_building = False
                    return
                _index_due = False
            with file_lock(runtime_dir("locks") / "publish.lock", wait=False, what="another publisher", notify=None):
                store.build(DataVersion.current_with_time())
    except LockBusy:
        pass
    except Exception:  # the data is committed; the run's end publishes everything again
        log.exception("bringing the search index forward after a commit failed")
    with _index_guard:
        _index_building = False


def on_data_changed(sender, **kwargs) -> None:
    if kwargs.get("name", "meetings") != "meetings":
        return  # treatment facilities: no feed or meeting index to build (treatment/search.py reads them)
    if settings.PUBLISH_MODE == "deferred":
        return  # a child import: its parent publishes once the child has exited (feeds/importing.py)
    if settings.PUBLISH_MODE == "index":
        refresh_index()  # a run of several sources: the files wait for its end (feeds/runs.py)
        return
    if settings.PUBLISH_MODE == "background":
        request_build()
        return
    try:
        publish_current()
    except Exception:  # the data is committed; a failed build is retried on next use
        log.exception("publishing after a change failed")
