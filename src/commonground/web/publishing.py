"""Building what belongs to each data version, and asking for it from a web worker.

After an import commits, the published feed and the search index for the new version are
built: by the importing process itself (``inline``, the CLI), or, when the change came from a
web worker (``background``), by a separate ``commonground publish`` process, so no request ever
waits for it. ``publish`` holds a lock, so concurrent requests for a build make one builder at a
time, and it loops until what it built is the current version.
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
from commonground.locks import file_lock
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


def on_data_changed(sender, **kwargs) -> None:
    if kwargs.get("name", "meetings") != "meetings":
        return  # treatment facilities: no feed or meeting index to build (treatment/search.py reads them)
    if settings.PUBLISH_MODE == "deferred":
        return  # a child import: its parent publishes once the child has exited (feeds/importing.py)
    if settings.PUBLISH_MODE == "background":
        request_build()
        return
    try:
        publish_current()
    except Exception:  # the data is committed; a failed build is retried on next use
        log.exception("publishing after a change failed")
