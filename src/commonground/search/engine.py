"""The process-wide search index, kept in step with the database by the data version.

Every search first reads ``DataVersion`` (one indexed row). When an import or the demo loader has
moved it, the index is rebuilt from the database before the search runs, so results never lag
behind the data. The database stays the source of truth; the index is a cache of it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from commonground.meetings.models import DataVersion, Meeting
from commonground.search.build import read_columns
from commonground.search.index import MeetingIndex
from commonground.search.query import SearchQuery
from commonground.search.results import meeting_result

log = logging.getLogger(__name__)
_lock = threading.Lock()
_index: MeetingIndex | None = None


@dataclass
class SearchPage:
    query: SearchQuery
    count: int
    results: list[dict]

    @property
    def next_offset(self) -> int | None:
        end = self.query.offset + self.query.limit
        return end if end < self.count else None


def current_index() -> MeetingIndex:
    """The index for the current data version, rebuilt first if the data changed."""
    global _index
    version = DataVersion.current_with_time()
    index = _index
    if index is not None and index.version == version:
        return index
    with _lock:
        if _index is None or _index.version != version:
            started = time.perf_counter()
            _index = MeetingIndex(read_columns(), version=version)
            log.info("search index rebuilt: %s meetings in %.2f s", _index.size, time.perf_counter() - started)
        return _index


def reset() -> None:
    """Forget the index (tests, and after a database swap)."""
    global _index
    with _lock:
        _index = None


def search(query: SearchQuery) -> SearchPage:
    result = current_index().search(query)
    meetings = Meeting.objects.select_related("program", "source").in_bulk(result.ids)
    rows = [
        meeting_result(meetings[pk], start, distance, query)
        for pk, start, distance in zip(result.ids, result.starts, result.distances, strict=True)
        if pk in meetings  # a row deleted since the index was built is simply left out
    ]
    return SearchPage(query=query, count=result.count, results=rows)


def program_counts(query: SearchQuery) -> dict[str, int]:
    return current_index().program_counts(query)
