"""Sync many sources, several at a time, each failure its own.

``sync_all`` gives each source to one of ``jobs`` threads. A thread fetches its source's feed
(``feeds.polite`` keeps one request in flight per host, so sources on one server still go one at
a time) and then writes it under the source's lock. On PostgreSQL the writes run side by side; on
SQLite they take turns for the one writer slot while the next sources are being fetched. A source
that fails is recorded with its reason and its backoff (``feeds.health``); the others go on and
commit. Threads never fork workers of their own (``feeds.parallel.workers``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

from commonground.feeds import runs
from commonground.feeds.bmlt.export import sync_export
from commonground.feeds.sync import SyncReport, sync_source
from commonground.meetings.models import Source, SourceFormat

log = logging.getLogger(__name__)


# Sources whose rows are not meetings are synced by their own app, which names its syncer here when
# it starts (treatment/apps.py: FindTreatment.gov's facilities), so feeds never import it.
SYNCERS: dict[str, Callable[..., SyncReport]] = {}


def register(format_name: str, syncer: Callable[..., SyncReport]) -> None:
    SYNCERS[format_name] = syncer


def sync_one(source: Source, **options) -> SyncReport:
    """Sync one source, whatever it is made of (the BMLT export syncs a source per root)."""
    if source.format == SourceFormat.BMLT_EXPORT:
        return sync_export(source, **options)
    syncer = SYNCERS.get(source.format)
    if syncer is not None:
        return syncer(source, **options)
    return sync_source(source, **options)


def syncable():
    """The sources ``sync`` takes: all but the demo and the export's roots (their export syncs them)."""
    return Source.objects.exclude(format__in=[SourceFormat.DEMO, SourceFormat.BMLT_EXPORT_ROOT])


def sync_all(
    sources: Iterable[Source],
    *,
    jobs: int = 1,
    on_report: Callable[[SyncReport], None] | None = None,
    **options,
) -> list[SyncReport]:
    """Sync every source in ``sources`` (``options`` as ``sync_source`` takes them), as one run
    (``feeds/runs.py``: the search index brought forward after each commit, the feed files, the
    BMLT material and the pairs of shared listings once, at its end); the reports come back in the
    sources' order, and ``on_report`` hears each one as it finishes."""
    with runs.one_run(writes=not options.get("dry_run")):
        return _sync_all(list(sources), jobs, on_report, options)


def _sync_all(sources: list[Source], jobs: int, on_report, options: dict) -> list[SyncReport]:
    told = threading.Lock()

    def one(source: Source) -> SyncReport:
        report = sync_one(source, **options)
        if on_report is not None:
            with told:
                on_report(report)
        return report

    if jobs <= 1 or len(sources) <= 1:
        return [one(source) for source in sources]
    options.pop("progress", None)  # progress bars of several sources at once would garble each other

    def in_thread(source: Source) -> SyncReport:
        try:
            return one(source)
        finally:
            connections.close_all()  # this thread's own connections; the pool's threads end here

    with ThreadPoolExecutor(max_workers=min(jobs, len(sources)), thread_name_prefix="sync") as pool:
        return list(pool.map(in_thread, sources))
