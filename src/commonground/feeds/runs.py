"""A run: several sources synced as one (``commonground sync``; the roots of BMLT's export).

Inside a run each source's commit brings only the search index forward (``PUBLISH_MODE =
"index"``, ``web/publishing.py``), so a source shows in search as soon as it commits, and the
listings two sources share are paired once (``duplicates.once_per_run``). When the run ends, and
the data changed, the feed files and the BMLT material are built once: after each of 54 sources
they were three quarters of a world sync (bench/world.py). A run inside a run is part of it; a
child import that publishes nothing of its own (``deferred``) stays so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from commonground.meetings import duplicates
from commonground.meetings.models import DataVersion
from commonground.meetings.signals import data_changed


@contextmanager
def one_run(*, writes: bool = True) -> Iterator[None]:
    """``writes``: False for a dry run, which must not pair anything either."""
    mode = settings.PUBLISH_MODE
    if mode in ("index", "deferred"):  # inside a run already, or a child that leaves publishing to its parent
        with duplicates.once_per_run(pair_at_end=writes):
            yield
        return
    before = DataVersion.current_with_time()
    settings.PUBLISH_MODE = "index"
    try:
        with duplicates.once_per_run(pair_at_end=writes):
            yield
    finally:
        settings.PUBLISH_MODE = mode
        if DataVersion.current_with_time() != before:
            data_changed.send(sender=DataVersion, name="meetings")  # publish once, as the mode says
