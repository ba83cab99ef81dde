"""Keep a source's meetings in step with its feed: add, update, remove, all or nothing.

Steps, in order:
1. Read and parse the whole feed. If that fails, stop: nothing in the database changes.
2. Normalise each row and compare it with what is stored, by stable key and content hash.
   A row whose raw content (and import context) is byte-for-byte what was imported last time
   is recognised by its raw digest and skipped without being parsed again.
3. Write adds, updates and removals, bump ``DataVersion`` and record the outcome on the source,
   all in one transaction. Any database error rolls the whole sync back.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from commonground.catalog.models import Program
from commonground.feeds.errors import FeedError, RowProblem, RowSkip
from commonground.feeds.normalize import Context, make_slug
from commonground.feeds.records import row_key, to_meetings
from commonground.feeds.registry import FORMATS
from commonground.meetings.models import DataVersion, Meeting, Source, SyncStatus
from commonground.meetings.rows import RowWriter, bulk_work, derive

log = logging.getLogger(__name__)
# Bump when normalisation rules change, so every row is parsed again on the next sync.
NORMALIZE_VERSION = "1"
WRITE_BATCH = 5000
KEEP_WARNINGS = 200


@dataclass
class SyncReport:
    source: str
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: list[RowProblem] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict:
        return {
            "source": self.source, "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged, "skipped": self.skipped,
            "warnings": [w.as_dict() for w in self.warnings], "errors": self.errors, "dry_run": self.dry_run,
        }

    def counts(self) -> dict:
        return {k: getattr(self, k) for k in ("added", "updated", "removed", "unchanged", "skipped")}


def raw_digest(row, context: str) -> str:
    # repr() of the parsed row is stable for the same input and much cheaper than json.dumps.
    return hashlib.sha1(f"{context}|{row!r}".encode(), usedforsecurity=False).hexdigest()


def sync_source(source: Source, *, dry_run: bool = False, full: bool = False, progress=None) -> SyncReport:
    """Sync one source. ``full`` compares every row even when the feed body is unchanged."""
    with bulk_work():
        return _sync(source, dry_run, full, progress)


def _sync(source: Source, dry_run: bool, full: bool, progress) -> SyncReport:
    report = SyncReport(source=source.name, dry_run=dry_run)
    try:
        feed = FORMATS[source.format].read(source.location)
    except FeedError as exc:
        report.errors.append(exc.as_dict())
        if not dry_run:
            _record_failure(source, exc.message)
        return report

    program_code = (source.default_program_id or feed.default_program or "aa")
    table = Program.objects.values_list("type_table", flat=True).get(pk=program_code)
    programs = dict(Program.objects.values_list("code", "type_table"))
    context = Context(program_code, table, source.default_timezone, programs=programs)
    feed_digest = f"{feed.digest}|{_context_key(context)}" if feed.digest else ""
    if feed_digest and not full and feed_digest == source.last_feed_digest \
            and source.last_status in (SyncStatus.OK, SyncStatus.WARNINGS):
        return _unchanged_feed(source, report, dry_run)
    plan = _plan(source, feed.rows, context, report, progress)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            _write(source, plan, report, feed_digest)
    except DatabaseError as exc:
        log.exception("sync of %s failed while writing", source.name)
        report.errors.append({"code": "database", "message": f"The database refused the changes ({exc}); nothing was changed."})
        report.added = report.updated = report.removed = 0
        _record_failure(source, report.errors[-1]["message"])
    return report


@dataclass
class _Plan:
    adds: list = field(default_factory=list)
    updates: list = field(default_factory=list)  # (id, meeting dict)
    rehash: list = field(default_factory=list)  # (source_hash, id): content same, raw form changed
    removes: list = field(default_factory=list)


def _context_key(ctx: Context) -> str:
    return f"{ctx.program}|{ctx.table}|{ctx.default_timezone}|{NORMALIZE_VERSION}"


def _unchanged_feed(source: Source, report: SyncReport, dry_run: bool) -> SyncReport:
    """The feed is byte-for-byte what was synced last time: report that, write nothing else."""
    report.unchanged = Meeting.objects.filter(source=source).count()
    report.skipped = (source.last_counts or {}).get("skipped", 0)
    report.warnings = [RowProblem(**w) for w in source.last_warnings or []]
    if not dry_run:
        Source.objects.filter(pk=source.pk).update(last_sync_at=timezone.now(), last_counts=report.counts())
    return report


def _plan(source: Source, rows: list, ctx: Context, report: SyncReport, progress) -> _Plan:
    context = _context_key(ctx)
    existing = {key: (pk, chash, shash) for key, pk, chash, shash in
                Meeting.objects.filter(source=source).values_list("key", "id", "content_hash", "source_hash")}
    by_digest: dict[str, list[str]] = {}
    for key, (_, _, shash) in existing.items():
        if shash:
            by_digest.setdefault(shash, []).append(key)
    plan, seen_keys, first_row_of = _Plan(), set(), {}
    total = len(rows)
    for index, row in enumerate(rows, start=1):
        if progress and index % 2000 == 0:
            progress(index, total)
        raw_key = row_key(row) if isinstance(row, dict) else ""
        if raw_key and raw_key in first_row_of:
            report.skipped += 1
            report.warnings.append(RowProblem(index, raw_key, "slug",
                                              f"duplicate slug {raw_key!r} (first used on row {first_row_of[raw_key]})", True))
            continue
        digest = raw_digest(row, context)
        known = by_digest.pop(digest, None)
        if known is not None and raw_key:
            first_row_of[raw_key] = index
            seen_keys.update(known)
            report.unchanged += len(known)
            continue
        ctx.warnings = []
        try:
            meetings = to_meetings(row, ctx)
        except RowSkip as skip:
            report.skipped += 1
            report.warnings.append(RowProblem(index, raw_key or None, skip.field, skip.message, True))
            continue
        first_row_of[raw_key] = index
        report.warnings += [RowProblem(index, raw_key, f, message) for f, message in ctx.warnings]
        for meeting in meetings:
            key = meeting["key"]
            if key in seen_keys:
                report.skipped += 1
                report.warnings.append(RowProblem(index, key, "slug", f"key {key!r} is already used by another row", True))
                continue
            seen_keys.add(key)
            derive(meeting, ctx.programs.get(meeting["program_id"], ctx.table))
            meeting["source_hash"] = "" if ctx.warnings else digest  # rows with warnings re-report them
            old = existing.get(key)
            if old is None:
                plan.adds.append(meeting)
            elif old[1] != meeting["content_hash"]:
                plan.updates.append((old[0], meeting))
            else:
                report.unchanged += 1
                if old[2] != meeting["source_hash"]:
                    plan.rehash.append((meeting["source_hash"], old[0]))
    plan.removes = [pk for key, (pk, _, _) in existing.items() if key not in seen_keys]
    report.added, report.updated, report.removed = len(plan.adds), len(plan.updates), len(plan.removes)
    if progress:
        progress(total, total)
    return plan


def _write(source: Source, plan: _Plan, report: SyncReport, feed_digest: str) -> None:
    now = timezone.now()
    writer = RowWriter()
    _assign_slugs(source, plan.adds)
    batch = []
    for meeting in plan.adds:
        meeting.update(source_id=source.pk, imported_at=now, changed_at=now)
        batch.append(writer.to_row(meeting))
        if len(batch) >= WRITE_BATCH:
            writer.write(batch)
            batch = []
    writer.write(batch)
    for start in range(0, len(plan.updates), WRITE_BATCH):
        writer.update([(pk, {**m, "changed_at": now}) for pk, m in plan.updates[start:start + WRITE_BATCH]])
    if plan.rehash:
        table = connection.ops.quote_name(Meeting._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET source_hash = %s WHERE id = %s", plan.rehash)
    for start in range(0, len(plan.removes), 900):
        Meeting.objects.filter(pk__in=plan.removes[start:start + 900]).delete()
    status = SyncStatus.WARNINGS if report.warnings else SyncStatus.OK
    fields = {"last_sync_at": now, "last_status": status, "last_error": "", "last_counts": report.counts(),
              "last_warnings": [w.as_dict() for w in report.warnings[:KEEP_WARNINGS]],
              # Only a feed whose every warning was kept may be recognised by digest next time.
              "last_feed_digest": feed_digest if len(report.warnings) <= KEEP_WARNINGS else ""}
    if report.changed:
        DataVersion.bump()
        fields["last_changed_at"] = now
    Source.objects.filter(pk=source.pk).update(**fields)


def _assign_slugs(source: Source, adds: list[dict]) -> None:
    """Slugs for new meetings: unique across every source, stable once given."""
    wanted = {m["key"]: make_slug(m.pop("slug_hint", "") or m["key"]) for m in adds}
    taken = set()
    values = list(set(wanted.values()))
    chunk = 30000  # below SQLite's and PostgreSQL's limits on query parameters
    for start in range(0, len(values), chunk):
        taken.update(Meeting.objects.filter(slug__in=values[start:start + chunk]).values_list("slug", flat=True))
    for meeting in adds:
        slug = wanted[meeting["key"]]
        if slug in taken:
            base, n = f"{slug[:50]}-s{source.pk}", 1
            slug = base
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
        taken.add(slug)
        meeting["slug"] = slug


def _record_failure(source: Source, message: str) -> None:
    Source.objects.filter(pk=source.pk).update(
        last_sync_at=timezone.now(), last_status=SyncStatus.FAILED, last_error=message, last_feed_digest=""
    )
