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

from django.conf import settings
from django.db import connections

from commonground.feeds.bmlt.export import sync_export
from commonground.feeds.sync import SyncReport, sync_source
from commonground.meetings import duplicates
from commonground.meetings.models import DataVersion, Source, SourceFormat
from commonground.meetings.signals import data_changed

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
    """Sync every source in ``sources`` (``options`` as ``sync_source`` takes them); the reports
    come back in the sources' order, and ``on_report`` hears each one as it finishes.

    Publishing the feed files and the BMLT material (``web/publishing.py``) waits for the end of
    the run and happens once, not after each source's commit: in a world sync of 54 sources it was
    three quarters of the time (bench/world.py). So does pairing the listings that two sources
    share (``duplicates.once_per_run``). Each commit still brings the search index forward
    (``PUBLISH_MODE = "index"``), so a source shows in search as soon as it commits, whatever
    the sources after it do."""
    sources = list(sources)
    if len(sources) <= 1:
        return _sync_all(sources, jobs, on_report, options)
    mode = settings.PUBLISH_MODE
    settings.PUBLISH_MODE = "index"  # this process's syncs bring the index forward, and publish nothing else
    try:
        with duplicates.once_per_run():
            reports = _sync_all(sources, jobs, on_report, options)
    finally:
        settings.PUBLISH_MODE = mode
    if any(r.changed or any(p.changed for p in r.parts) for r in reports) and not options.get("dry_run"):
        data_changed.send(sender=DataVersion, name="meetings")  # publish once, as the mode says
    return reports


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
