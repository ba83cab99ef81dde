"""Keep a FindTreatment.gov source's facilities in step with its export: all or nothing.

The same rules as a meeting source (``feeds/sync.py``), for the same reasons:

1. The export is fetched first (every page), politely and within the source's deadline
   (``feeds/polite.py``), outside the source's lock.
2. If it is byte-for-byte what was synced last time, nothing is read again.
3. In one transaction under the source's lock: each row read (``normalize.read``; a bad row is
   skipped with its reason, a row without coordinates kept unplaced, an unsafe website dropped),
   matched by key and content hash, added or updated; then the removals.
4. The safety checks before any removal: an export in which every row was skipped, an empty
   export where facilities are stored, or one that would remove more than
   ``SYNC_MAX_REMOVAL_SHARE`` of them, is refused unless ``allow_removals``; nothing changes.
5. The outcome is recorded on the source (its status, freshness and backoff are the meeting
   sources', ``feeds/health.py``), and the ``treatment`` data version bumped with any change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from commonground.feeds import polite
from commonground.feeds.base import digest
from commonground.feeds.errors import FeedError, RowProblem
from commonground.feeds.health import record_failure, recovered
from commonground.feeds.sync import KEEP_WARNINGS, Refused, SyncReport
from commonground.locks import LockBusy, source_lock
from commonground.meetings.models import DataVersion, Source, SyncStatus
from commonground.treatment import normalize, reader
from commonground.treatment.models import Facility

log = logging.getLogger(__name__)
VERSION = "treatment"  # the DataVersion the search index follows
NORMALIZE_VERSION = "1"
FIELDS = (
    "name",
    "street",
    "city",
    "state",
    "zip",
    "phone",
    "intake_phone",
    "website",
    "latitude",
    "longitude",
    "facility_type",
    "offers",
    "pays",
    "serves",
    "languages",
    "services",
    "content_hash",
)


class _Rollback(Exception):
    pass


def sync_facilities(
    source: Source,
    *,
    dry_run: bool = False,
    full: bool = False,
    allow_removals: bool = False,
    wait: bool = True,
    notify=None,
    changes: dict | None = None,
    progress=None,
) -> SyncReport:
    report = SyncReport(source=source.name, dry_run=dry_run)
    changes = changes or {}
    new = source.pk is None
    try:
        with polite.visit():
            export = reader.read(changes.get("location", source.location))
    except FeedError as exc:
        report.fail(exc.code, exc.message)
        if source.pk and not dry_run:
            with source_lock(source.name, wait=True):
                record_failure(source, exc.message, retry_after=exc.retry_after)
        return report
    feed_digest = digest(*export.digests, export.state, NORMALIZE_VERSION)
    try:
        with source_lock(source.name, wait=wait, notify=notify):
            if source.pk:
                source.refresh_from_db()
            for name, value in changes.items():
                setattr(source, name, value)
            unchanged = not full and not changes and feed_digest == source.last_feed_digest
            if unchanged and source.last_status in (SyncStatus.OK, SyncStatus.WARNINGS):
                report.unchanged = Facility.objects.filter(source=source).count()
                if not dry_run:
                    now = timezone.now()
                    Source.objects.filter(pk=source.pk).update(last_sync_at=now, last_ok_at=now, **recovered())
                return report
            with transaction.atomic():
                if not source.pk:
                    source.save()
                _apply(source, export, report, dry_run=dry_run, allow_removals=allow_removals)
                if dry_run:
                    raise _Rollback
                _record_success(source, report, feed_digest, changes)
    except _Rollback:
        pass
    except LockBusy as busy:
        report.fail("busy", f"{busy}: it is still running; try again when it has finished.")
    except Refused as refused:
        report.fail(refused.code, refused.message)
    except DatabaseError as exc:
        log.exception("treatment sync of %s failed while writing", source.name)
        report.fail("database", f"The database refused the changes ({str(exc)[:200]}); nothing was changed.")
    if new and (report.failed or dry_run):
        source.pk = None
    elif report.failed and not dry_run and report.errors[-1]["code"] != "busy":
        with source_lock(source.name, wait=True):
            record_failure(source, report.errors[-1]["message"])
    return report


def _apply(source: Source, export: reader.Export, report: SyncReport, *, dry_run: bool, allow_removals: bool) -> None:
    stored = {
        key: (pk, h) for key, pk, h in Facility.objects.filter(source=source).values_list("key", "id", "content_hash")
    }
    read: dict[str, dict] = {}  # by key, in the export's order; a site listed twice is merged
    for index, row in enumerate(export.rows, 1):
        try:
            one = normalize.read(row)
        except normalize.RowSkipped as skip:
            report.skipped += 1
            _warn(report, RowProblem(index, None, None, str(skip), True))
            continue
        for field_name, message in one.warnings:
            _warn(report, RowProblem(index, one.facility["name"][:80], field_name, message))
        key = one.facility["key"]
        read[key] = normalize.merge(read[key], one.facility) if key in read else one.facility
    now = timezone.now()
    adds: list[Facility] = []
    for key, facility in read.items():
        values = {f: facility[f] for f in FIELDS}
        old = stored.get(key)
        if old is None:
            report.added += 1
            adds.append(Facility(source=source, key=key, imported_at=now, changed_at=now, **values))
        elif old[1] != facility["content_hash"]:
            report.updated += 1
            if not dry_run:
                Facility.objects.filter(pk=old[0]).update(changed_at=now, **values)
        else:
            report.unchanged += 1
    if not dry_run:
        Facility.objects.bulk_create(adds, batch_size=1000)
    removes = [pk for key, (pk, _) in stored.items() if key not in read]
    report.removed = len(removes)
    _check(report, len(export.rows), len(stored), len(removes), allow_removals, export.record_count, export.state)
    if not dry_run:
        for start in range(0, len(removes), 900):
            Facility.objects.filter(pk__in=removes[start : start + 900]).delete()


def _warn(report: SyncReport, problem: RowProblem) -> None:
    if len(report.warnings) < KEEP_WARNINGS * 5:
        report.warnings.append(problem)


def _check(
    report: SyncReport, rows: int, stored: int, removing: int, allow_removals: bool, expected: int | None, state: str
) -> None:
    if allow_removals:
        return
    kept = report.added + report.updated + report.unchanged
    if rows == 0:
        raise Refused(
            "empty",
            f"The export holds no facilities{f', where {stored:,} are stored' if stored else ''}: that is an "
            "outage, a changed address or a wrong state far more often than every facility closing. Nothing "
            "was changed (--allow-removals applies it).",
        )
    if expected and not state and rows < 0.9 * expected:
        raise Refused(
            "cut-short",
            f"The export says it holds {expected:,} facilities but gave {rows:,}: it was cut short. Nothing was "
            "changed; the next sync tries again.",
        )
    if rows and kept == 0:
        raise Refused(
            "all-skipped",
            f"Every one of the export's {rows:,} rows was skipped, so the sync was refused and nothing changed.",
        )
    share = settings.SYNC_MAX_REMOVAL_SHARE
    if stored and removing > share * stored:
        raise Refused(
            "too-many-removals",
            f"This sync would remove {removing:,} of the source's {stored:,} facilities ({removing / stored:.0%}, "
            f"more than the {share:.0%} allowed by SYNC_MAX_REMOVAL_SHARE); nothing was changed.",
        )


def _record_success(source: Source, report: SyncReport, feed_digest: str, changes: dict) -> None:
    now = timezone.now()
    Source.objects.filter(pk=source.pk).update(
        last_sync_at=now,
        last_ok_at=now,
        last_status=SyncStatus.WARNINGS if report.warnings else SyncStatus.OK,
        last_error="",
        last_counts=report.counts(),
        last_warnings=[w.as_dict() for w in report.warnings[:KEEP_WARNINGS]],
        last_feed_digest=feed_digest if len(report.warnings) <= KEEP_WARNINGS else "",
        disconnected_at=None,
        **({"last_changed_at": now} if report.changed else {}),
        **recovered(),
        **changes,
    )
    if report.changed:
        DataVersion.bump(VERSION, sources=[source.pk])
