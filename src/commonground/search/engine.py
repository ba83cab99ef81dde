"""The process-wide search index, kept in step with the database by the data version.

Every search first reads ``DataVersion`` (one indexed row). When the version has moved:

- if the index for the new version is stored (``search.store``), it is mapped in, which takes
  milliseconds, and swapped in whole;
- otherwise, in ``background`` mode (web workers), the index this process already holds keeps
  answering, and a separate process is asked to build the new one (``publishing``). A request
  never builds an index;
- in ``inline`` mode (the CLI, tests) the index is built here and stored, so results never lag.

A process with no index at all (its first search) builds one inline, once.
The database stays the source of truth; the index is a cache of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from commonground.meetings.models import DataVersion
from commonground.search import rows, store
from commonground.search.index import MeetingIndex
from commonground.search.query import SearchQuery
from commonground.search.results import Result, meeting_result, other_listings

log = logging.getLogger(__name__)
_lock = threading.Lock()
_index: MeetingIndex | None = None
# Called with no arguments when the index for the current version is missing in background
# mode; ``web.publishing`` sets it to start a builder process.
request_build: Callable[[], object] | None = None


@dataclass
class SearchPage:
    query: SearchQuery
    count: int
    results: list[Result]

    @property
    def next_offset(self) -> int | None:
        end = self.query.offset + self.query.limit
        return end if end < self.count else None


def current_index() -> MeetingIndex:
    """The index for the current data version (or, while that one is being built, the last one)."""
    global _index
    version = DataVersion.current_with_time()
    index = _index
    if index is not None and index.version == version and not _too_old(index):
        return index
    with _lock:
        index = _index
        if index is not None and index.version == version and not _too_old(index):
            return index
        stored = store.load(version) if not (index is not None and index.version == version) else None
        if stored is not None and not _too_old(stored):
            _index = stored
            return stored
        if index is not None and settings.PUBLISH_MODE == "background":
            if request_build is not None:
                request_build()
            return index  # the old version answers until the new one is stored
        started = time.perf_counter()
        store.build(version, rebuild=stored is not None)
        _index = store.load(version)
        if _index is None:  # the folder store.build just installed: pruned meanwhile, or unreadable
            raise RuntimeError(f"the search index for {DataVersion.label(version)} was built but cannot be loaded")
        log.info("search index built: %s meetings in %.2f s", _index.size, time.perf_counter() - started)
        return _index


def _too_old(index: MeetingIndex) -> bool:
    # Its orderings assume each zone's UTC offsets over the year after the build.
    max_age: float = settings.SEARCH_INDEX_MAX_AGE_SECONDS
    return time.time() - index.built_at > max_age


def reset() -> None:
    """Forget the index (tests, and after a database swap)."""
    global _index
    with _lock:
        _index = None


def search(query: SearchQuery) -> SearchPage:
    result = current_index().search(query)
    meetings = rows.fetch(result.ids)  # plain rows: no model instances, no query compiled per search
    also = other_listings(meetings.values())
    results = [
        meeting_result(meetings[pk], start, distance, query, also[pk])
        for pk, start, distance in zip(result.ids, result.starts, result.distances, strict=True)
        if pk in meetings  # a row deleted since the index was built is simply left out
    ]
    return SearchPage(query=query, count=result.count, results=results)


def program_counts(query: SearchQuery) -> dict[str, int]:
    return current_index().program_counts(query)
