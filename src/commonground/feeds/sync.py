"""Keep a source's meetings in step with its feed: add, update, remove, all or nothing.

Steps, in order:
1. Take the source's lock (and, on SQLite, the writer slot): a second sync of the same source
   waits, then plans against what the first one wrote, so no plan is ever stale.
2. Open the feed. If the body is byte-for-byte what was synced last time, say so and stop.
3. In one transaction, read the stored rows, then stream the feed: normalise each row, compare
   it by stable key and content hash, and write adds and updates in batches as they come. A row
   whose raw content is what was imported last time is recognised by its raw digest unparsed.
4. Before removals, the safety checks: a feed in which every row was skipped, or one that would
   remove more than ``SYNC_MAX_REMOVAL_SHARE`` of the source's meetings (an upstream outage, a
   truncated export), is refused unless ``allow_removals``. Refused, failed or dry: the
   transaction rolls back, so the stored meetings stay exactly as they were.
5. Bump ``DataVersion`` and record the outcome, in the same transaction. After the commit, the
   ``data_changed`` signal lets the feed and the search index publish the new version.

Every failure, foreseen or not, is recorded on the source and reported; it never escapes to
stop a ``sync`` of the other sources.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from commonground.catalog.models import Program
from commonground.feeds import polite
from commonground.feeds.base import Feed
from commonground.feeds.errors import FeedError, RowProblem
from commonground.feeds.fields import Context
from commonground.feeds.formats import FORMATS
from commonground.feeds.health import record_failure
from commonground.feeds.health import recovered as _recovered
from commonground.feeds.parallel import KNOWN, OK, SKIP, Normaliser, normalise
from commonground.locks import LockBusy, source_lock
from commonground.meetings import duplicates
from commonground.meetings.bulk import RowWriter, bulk_work, refresh_statistics
from commonground.meetings.derive import is_legacy_hash, legacy_content_hash
from commonground.meetings.models import DataVersion, Meeting, Source, SyncStatus

log = logging.getLogger(__name__)
# Bump when normalisation rules change, so every row is parsed again on the next sync.
NORMALIZE_VERSION = "5"  # 5: a point at sea takes the zone of its address's city (tests/test_found_bugs_29.py)
WRITE_BATCH = 5000
KEEP_WARNINGS = 200
PROGRESS_EVERY = 2000


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
    retry_after: int | None = None  # seconds a server asked us to wait before the next try
    parts: list[SyncReport] = field(default_factory=list)  # a source made of others (the BMLT export)

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "warnings": [w.as_dict() for w in self.warnings],
            "errors": self.errors,
            "dry_run": self.dry_run,
        }

    def counts(self) -> dict:
        return {k: getattr(self, k) for k in ("added", "updated", "removed", "unchanged", "skipped")}

    def fail(self, code: str, message: str) -> SyncReport:
        self.errors.append({"code": code, "message": message})
        self.added = self.updated = self.removed = 0
        return self


class Refused(Exception):
    """The sync would do harm (remove most of a source); nothing is written."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class _Rollback(Exception):
    """Leaves the transaction of a dry run, or of a refused or failed sync."""


def sync_source(
    source: Source,
    *,
    dry_run: bool = False,
    full: bool = False,
    progress=None,
    allow_removals: bool = False,
    wait: bool = True,
    notify=None,
    changes: dict | None = None,
) -> SyncReport:
    """Sync one source.

    ``full`` compares every row even when the feed body is unchanged; ``allow_removals`` lifts
    the removal checks; ``wait=False`` refuses instead of waiting for another sync of the source.
    ``changes`` (location, format, program, zone) apply only if the sync succeeds, so a failed
    ``import --name`` never leaves the source pointing at a bad address.

    The feed is fetched first, outside the source's lock (and SQLite's writer slot), so several
    sources can be fetched at once while their writes take turns (``feeds.schedule``).
    """
    report = SyncReport(source=source.name, dry_run=dry_run)
    new = source.pk is None  # a new source is saved only with its first good sync
    fetched = None
    try:
        fetched = _fetch(source, report, full=full, changes=changes or {})
        if not report.failed:
            with bulk_work(), source_lock(source.name, wait=wait, notify=notify):
                if source.pk:
                    source.refresh_from_db()
                for name, value in (changes or {}).items():
                    setattr(source, name, value)
                _sync(
                    source,
                    report,
                    fetched,
                    dry_run=dry_run,
                    full=full,
                    progress=progress,
                    allow_removals=allow_removals,
                    changes=changes or {},
                )
    except LockBusy as busy:
        report.fail("busy", f"{busy}: it is still running; try again when it has finished.")
        return report
    except Exception as exc:  # the last line of defence: record, report, and let the next source go on
        log.exception("sync of %s failed", source.name)
        report.fail(
            "internal",
            f"The sync stopped on an unexpected error ({type(exc).__name__}); nothing was "
            "changed. The server log has the details.",
        )
    finally:
        if fetched is not None and fetched.feed is not None:
            fetched.feed.close()
    if new and (report.failed or dry_run):
        source.pk = None  # its row was rolled back with the rest
    elif report.failed and not dry_run:
        try:  # on SQLite the writer slot too: several syncs at once write one at a time
            with source_lock(source.name, wait=True):
                record_failure(source, report.errors[-1]["message"], retry_after=report.retry_after)
        except Exception:  # the report still says what happened
            log.exception("could not record the failed sync of %s", source.name)
    elif not dry_run:
        try:
            refresh_statistics(report.added + report.updated + report.removed)
        except DatabaseError:  # the sync itself is committed; statistics are only a planner's hint
            log.exception("could not refresh the statistics after the sync of %s", source.name)
    return report


@dataclass
class _Fetched:
    feed: Feed | None  # None: the server said 304 Not Modified
    validators: dict


def _fetch(source: Source, report: SyncReport, *, full: bool, changes: dict) -> _Fetched | None:
    """Open the source's feed (every request of it, inside one polite visit); None if it failed."""
    location = changes.get("location", source.location)
    fmt = changes.get("format", source.format)
    # Only a source whose last sync read this very feed in full may ask "has it changed?".
    # A 304 answers for one body: only a source read in one request may take it for the whole feed
    # (a root read in pages, one of them unchanged, is compared by its bodies' digest instead).
    ask = not full and not changes and source.last_feed_digest and source.last_status in _GOOD
    ask = ask and len(source.http_validators or {}) == 1
    try:
        with polite.visit(validators=source.http_validators if ask else None) as visit:
            try:
                feed = FORMATS[fmt].read(location)
            except polite.NotModified:
                return _Fetched(None, dict(source.http_validators))
            return _Fetched(feed, visit.got if visit.requests == 1 else {})
    except FeedError as exc:
        report.fail(exc.code, exc.message)
        report.retry_after = exc.retry_after
        return None


_GOOD = (SyncStatus.OK, SyncStatus.WARNINGS)


def _sync(source: Source, report: SyncReport, fetched, *, dry_run, full, progress, allow_removals, changes) -> None:
    feed = fetched.feed
    if feed is None:
        _unchanged_feed(source, report, dry_run)
        return
    program_code = source.default_program_id or feed.default_program or "aa"
    programs = dict(Program.objects.values_list("code", "type_table"))
    context = Context(program_code, programs[program_code], source.default_timezone, programs=programs)
    feed_digest = f"{feed.digest}|{_context_key(context)}" if feed.digest else ""
    if (
        feed_digest
        and not full
        and feed_digest == source.last_feed_digest
        and not changes
        and source.last_status in _GOOD
    ):
        _unchanged_feed(source, report, dry_run, fetched.validators)
        return
    try:
        with transaction.atomic():
            if not source.pk:
                source.save()
            _Pass(source, context, report, dry_run, progress).run(feed.rows, allow_removals)
            if dry_run:
                raise _Rollback
            _record_success(source, report, feed_digest, {**changes, "http_validators": fetched.validators})
    except _Rollback:
        pass
    except Refused as refused:
        report.fail(refused.code, refused.message)
    except FeedError as exc:  # the body broke part-way through (cut short, bad bytes)
        report.fail(exc.code, exc.message + " Nothing was changed.")
    except DatabaseError as exc:
        log.exception("sync of %s failed while writing", source.name)
        report.fail("database", f"The database refused the changes ({_short(exc)}); nothing was changed.")


def _context_key(ctx: Context) -> str:
    return f"{ctx.program}|{ctx.table}|{ctx.default_timezone}|{NORMALIZE_VERSION}"


def _unchanged_feed(source: Source, report: SyncReport, dry_run: bool, validators: dict | None = None) -> None:
    """The feed is byte-for-byte what was synced last time (or the server said 304): report
    that, write nothing else."""
    report.unchanged = Meeting.objects.filter(source=source).count()
    report.skipped = (source.last_counts or {}).get("skipped", 0)
    report.warnings = [RowProblem(**w) for w in source.last_warnings or []]
    if not dry_run:
        now = timezone.now()
        fields = {"last_sync_at": now, "last_ok_at": now, "last_counts": report.counts(), **_recovered()}
        if validators is not None:
            fields["http_validators"] = validators
        Source.objects.filter(pk=source.pk).update(**fields)


class Packer:
    """What the sync keeps of a meeting read from a row: (key, content hash, its legacy content
    hash or None, raw digest, the slug it would like, its table row). The row is made where the
    meeting is read, in a worker when there are workers, and is whole but for the slug, which the
    sync gives (``with_slug``). The legacy hash is made only while the source has some stored."""

    def __init__(self, writer: RowWriter, source_id: int, now):
        self.to_row, self.fixed = writer.to_row, {"source_id": source_id, "imported_at": now, "changed_at": now}
        self.slug_at = writer.index("slug")
        self.legacy = False

    def __call__(self, meeting: dict, slug_wanted: str) -> tuple:
        return (
            meeting["key"],
            meeting["content_hash"],
            legacy_content_hash(meeting) if self.legacy else None,
            meeting["source_hash"],
            slug_wanted,
            self.to_row({**meeting, **self.fixed}),
        )

    def with_slug(self, row: tuple, slug: str) -> tuple:
        return row[: self.slug_at] + (slug,) + row[self.slug_at + 1 :]


class _Pass:
    """One streaming pass over a feed's rows, inside the sync's transaction."""

    def __init__(self, source: Source, ctx: Context, report: SyncReport, dry_run: bool, progress):
        self.source, self.ctx, self.report, self.dry_run, self.progress = source, ctx, report, dry_run, progress
        self.context = _context_key(ctx)
        self.now = timezone.now()
        self.writer = RowWriter()
        self.pack = Packer(self.writer, source.pk, self.now)
        self.adds: list[tuple] = []  # what Packer makes
        self.updates: list[tuple[int, tuple]] = []  # (id, table row)
        self.rehash: list[tuple[str, str, int]] = []  # (raw digest, content hash, id)

    def run(self, rows, allow_removals: bool) -> None:
        report = self.report
        existing = {
            key: (pk, chash, shash)
            for key, pk, chash, shash in Meeting.objects.filter(source=self.source).values_list(
                "key", "id", "content_hash", "source_hash"
            )
        }
        by_digest: dict[str, list[str]] = {}
        for key, (_, chash, shash) in existing.items():
            if shash:
                by_digest.setdefault(shash, []).append(key)
            if not self.pack.legacy and is_legacy_hash(chash):
                self.pack.legacy = True  # stored before the hash changed: rows read are compared both ways
        self.existing, self.by_digest = existing, by_digest
        self.seen_keys: set[str] = set()
        self.first_row_of: dict[str, int] = {}
        seen_keys = self.seen_keys
        rows_read = 0
        with Normaliser(rows, self.ctx, self.context, by_digest, self.pack) as outcomes:
            for index, row, outcome in outcomes:
                rows_read = index
                if self.progress and index % PROGRESS_EVERY == 0:
                    self.progress(index, None)
                self._take(index, row, *outcome)
                if len(self.adds) >= WRITE_BATCH or len(self.updates) >= WRITE_BATCH:
                    self._flush()
        self._flush()
        if self.progress:
            self.progress(rows_read, rows_read)
        removes = [pk for key, (pk, _, _) in existing.items() if key not in seen_keys]
        report.removed = len(removes)
        self._check(rows_read, len(existing), len(removes), allow_removals)
        if not self.dry_run:
            self._write_rehash()
            for start in range(0, len(removes), 900):
                Meeting.objects.filter(pk__in=removes[start : start + 900]).delete()

    def _take(self, index, row, raw_key, digest, outcome, detail):
        """One row's outcome (``feeds.parallel.normalise``), in feed order: match it and plan its writes."""
        report, seen_keys, first_row_of = self.report, self.seen_keys, self.first_row_of
        if raw_key and raw_key in first_row_of:
            self._skip(
                index, raw_key, "slug", f"duplicate slug {raw_key!r} (first used on row {first_row_of[raw_key]})"
            )
            return
        known = self.by_digest.pop(digest, None)
        if known is not None and raw_key:
            first_row_of[raw_key] = index
            seen_keys.update(known)
            report.unchanged += len(known)
            return
        if outcome == KNOWN:  # a worker saw the digest before an earlier identical row took it
            raw_key, digest, outcome, detail = normalise(row, self.ctx, self.context, None, self.pack)
        if outcome == SKIP:
            self._skip(index, raw_key or None, *detail)
            return
        if outcome != OK:
            log.warning("row %s of %s could not be read: %s", index, self.source.name, detail[1])
            self._skip(index, raw_key or None, None, f"the row could not be read ({detail[0]})")
            return
        packed, warnings = detail
        first_row_of[raw_key] = index
        if warnings:
            self._warn([RowProblem(index, raw_key, f, message) for f, message in warnings])
        for meeting in packed:
            key, content_hash, legacy_hash, source_hash, _, row = meeting
            if key == raw_key:  # one string per key, not a copy from a worker beside ours
                key = raw_key
            if key in seen_keys:
                self._skip(index, key, "slug", f"key {key!r} is already used by another row")
                continue
            seen_keys.add(key)
            old = self.existing.get(key)
            if old is None:
                report.added += 1
                self.adds.append(meeting)
            elif old[1] != content_hash and (legacy_hash is None or old[1] != legacy_hash):
                report.updated += 1
                self.updates.append((old[0], row))
            else:
                report.unchanged += 1
                if old[2] != source_hash or old[1] != content_hash:  # (a legacy hash is replaced)
                    self.rehash.append((source_hash, content_hash, old[0]))

    def _skip(self, index, key, field_name, message) -> None:
        self.report.skipped += 1
        self._warn([RowProblem(index, key, field_name, message, True)])

    def _warn(self, problems: list[RowProblem]) -> None:
        # Keep the first ones in full; count the rest, so a feed of a million bad rows stays small.
        room = max(0, KEEP_WARNINGS * 5 - len(self.report.warnings))
        self.report.warnings += problems[:room]

    def _check(self, rows_read: int, stored: int, removing: int, allow_removals: bool) -> None:
        if allow_removals:
            return
        report = self.report
        kept = report.added + report.updated + report.unchanged
        if rows_read and kept == 0:
            raise Refused(
                "all-skipped",
                f"Every one of the feed's {rows_read:,} rows was skipped, so the sync was "
                "refused and the meetings stored before are unchanged. Fix the feed, or run "
                "again with --allow-removals if it is really empty.",
            )
        share = settings.SYNC_MAX_REMOVAL_SHARE
        if stored and removing > share * stored:
            raise Refused(
                "too-many-removals",
                f"This sync would remove {removing:,} of the source's {stored:,} meetings "
                f"({removing / stored:.0%}, more than the {share:.0%} allowed by SYNC_MAX_REMOVAL_SHARE). "
                "That usually means the feed is broken or cut short, so nothing was changed. If the "
                "meetings really ended, run again with --allow-removals.",
            )

    def _flush(self) -> None:
        if self.dry_run:
            self.adds, self.updates = [], []
            return
        if self.adds:
            with_slug = self.pack.with_slug
            self.writer.write(
                [with_slug(row, slug) for (*_, row), slug in zip(self.adds, self._assign_slugs(self.adds), strict=True)]
            )
            self.adds = []
        if self.updates:
            self.writer.update(self.updates)
            self.updates = []

    def _write_rehash(self) -> None:
        quote = connection.ops.quote_name
        self.writer.update_by_id([quote("source_hash"), quote("content_hash")], self.rehash)

    def _assign_slugs(self, adds: list[tuple]) -> list[str]:
        """Slugs for new meetings (``Packer``'s tuples), in order: unique across every source,
        stable once given."""
        wanted = [slug for *_, slug, _ in adds]
        # Slugs given in earlier batches of this sync are written already, so the queries find them:
        # a set over the whole sync would only hold a million strings at a million rows.
        looked_up = set(wanted)
        taken = self.writer.slugs_taken(looked_up)
        # Where a slug is taken (the same feed under two names, say), the fallback is
        # "<slug>-s<source id>"; look those up in one query too.
        if taken:
            fallbacks = {f"{v[:50]}-s{self.source.pk}" for v in wanted if v in taken}
            looked_up |= fallbacks
            taken |= self.writer.slugs_taken(fallbacks)
        given = []
        for slug in wanted:
            if slug in taken:  # stored already, or given to an earlier row of this batch
                base, n = f"{slug[:50]}-s{self.source.pk}", 1
                slug = base
                while slug in taken or (slug not in looked_up and self.writer.slugs_taken({slug})):
                    n += 1
                    slug = f"{base}-{n}"
            taken.add(slug)
            given.append(slug)
        return given


def _record_success(source: Source, report: SyncReport, feed_digest: str, changes: dict) -> None:
    status = SyncStatus.WARNINGS if report.warnings else SyncStatus.OK
    kept_all = len(report.warnings) <= KEEP_WARNINGS
    fields = {
        "last_sync_at": timezone.now(),
        "last_status": status,
        "last_error": "",
        "last_counts": report.counts(),
        "last_warnings": [w.as_dict() for w in report.warnings[:KEEP_WARNINGS]],
        # Only a feed whose every warning was kept may be recognised by digest next time.
        "last_feed_digest": feed_digest if kept_all else "",
        **changes,
    }
    fields["last_ok_at"] = fields["last_sync_at"]
    fields.update(_recovered())
    reconnected = source.disconnected_at is not None
    fields["disconnected_at"] = None
    if report.changed:
        fields["last_changed_at"] = fields["last_sync_at"]
    Source.objects.filter(pk=source.pk).update(**fields)
    if report.changed or reconnected:  # a reconnected source's meetings come back into search
        duplicates.after_change()
        DataVersion.bump(sources=[source.pk])


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
