"""Sync BMLT's daily aggregator export: NA world-wide, one root at a time, each root its own source.

A source of format ``bmlt-export`` points at the export's ``manifest.json``. Its sync:

1. reads the manifest (``export_files.read_manifest``): a layout we do not know is refused whole;
2. for each root server listed, keeps a source of its own (``bmlt-export-root``, registry key
   ``<the export's key>/<root id>``), so one bad root never blocks the others and each root has
   its own freshness, status and removal guard;
3. syncs only the roots whose file changed (the manifest's checksum moved, or the last sync of
   the root failed); the file is fetched with a conditional request and checked against the
   manifest's SHA-256 and record count before a row is read;
4. treats the roots the manifest lists as stale (not imported by the aggregator for 14 days) as
   stale: their meetings are withheld from search and the feed (never shown as current), the
   source says why, and they come back with the first good sync after the root recovers;
5. leaves alone a root that is also a source of its own, read from its own server (the
   ``bmlt-roots`` list): that is the fresher copy, and the export would only duplicate it.

The export's source records the manifest's outcome; each root's source records its own.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from commonground.feeds import registry, runs
from commonground.feeds.bmlt import export_files
from commonground.feeds.errors import FeedError, RowProblem
from commonground.feeds.health import mark_stale, record_failure
from commonground.feeds.polite import visit
from commonground.feeds.sync import SyncReport, sync_source
from commonground.meetings.models import Meeting, Source, SourceFormat, SyncStatus, unique_source_slug

ROOTS_LIST = "bmlt-roots"
GOOD = (SyncStatus.OK, SyncStatus.WARNINGS)


def sync_export(
    source: Source, *, dry_run: bool = False, full: bool = False, changes: dict | None = None, **options
) -> SyncReport:
    """``changes`` (a new address, say) are kept only if the manifest could be read."""
    report = SyncReport(source=source.name, dry_run=dry_run)
    try:
        with visit():
            manifest = export_files.read_manifest((changes or {}).get("location", source.location))
    except FeedError as exc:
        report.fail(exc.code, exc.message)
        report.retry_after = exc.retry_after
        if source.pk and not dry_run:
            record_failure(source, exc.message, retry_after=exc.retry_after)
        return report
    for name, value in (changes or {}).items():
        setattr(source, name, value)
    if not source.pk:
        if dry_run:
            report.parts = [SyncReport(source=f"{source.name}: root {r.id}", dry_run=True) for r in manifest.roots]
            return report
        source.slug = source.slug or unique_source_slug(source.name)
        source.save()
    own_servers = _roots_read_from_their_own_servers()
    countries = _root_countries()
    with (
        export_files.shared_lists(),
        runs.one_run(writes=not dry_run),
    ):  # the roots published and paired once, at the end
        for root in manifest.roots:
            if root.id in own_servers:
                report.warnings.append(
                    RowProblem(0, f"root {root.id}", None, f"read from its own server ({own_servers[root.id]})")
                )
                continue
            child = _child(source, root, countries)
            if root.stale:  # shown as stale (a source with no meetings, the first time), never as current
                if not dry_run:
                    if not child.pk:
                        child.location = export_files.root_location(manifest, root)
                        child.save()
                    mark_stale(child, _stale_message(root))
                report.warnings.append(RowProblem(0, f"root {root.id}", None, f"{child.name}: {_stale_message(root)}"))
                continue
            location = export_files.root_location(manifest, root)
            # Without a checksum in the manifest the file is asked for anyway (a conditional request).
            unchanged = root.sha256 and child.pk and child.location == location and child.last_status in GOOD
            unchanged = unchanged and not full
            if unchanged and not child.disconnected_at:  # the manifest vouches for it: a good sync, no request
                report.unchanged += Meeting.objects.filter(source=child).count()
                if not dry_run:
                    now = timezone.now()
                    Source.objects.filter(pk=child.pk).update(last_sync_at=now, last_ok_at=now)
                continue
            moved = bool(child.pk) and child.location != location  # kept only if the root's sync succeeds
            if not child.pk:
                child.location = location
            part = sync_source(
                child, dry_run=dry_run, full=full, changes={"location": location} if moved else None, **options
            )
            report.parts.append(part)
    report.added = sum(p.added for p in report.parts)
    report.updated = sum(p.updated for p in report.parts)
    report.removed = sum(p.removed for p in report.parts)
    failed = [p for p in report.parts if p.failed]
    for part in failed:
        report.warnings.append(RowProblem(0, None, None, f"{part.source}: {part.errors[-1]['message']}", True))
    if not dry_run:
        _record(source, report, len(failed), changes or {})
    return report


def _child(export: Source, root: export_files.RootFile, countries: dict[str, str]) -> Source:
    key = f"{export.registry_key or export.slug}/{root.id}"[:100]
    child = Source.objects.filter(registry_key=key).first()
    if child is not None:
        return child
    name = f"{root.name or f'BMLT root {root.id}'} (BMLT export)"[:200]
    if Source.objects.filter(name=name).exists():
        name = f"{name[:180]} ({key})"[:200]
    return Source(
        name=name,
        slug=unique_source_slug(name),
        format=SourceFormat.BMLT_EXPORT_ROOT,
        location="",
        registry_key=key,
        countries=countries.get(root.id, ""),
        default_program_id="na",
    )


def _stale_message(root: export_files.RootFile) -> str:
    when = f" (its last import: {root.last_import[:40]})" if root.last_import else ""
    return (
        f"BMLT's aggregator has not been able to import this root server for more than 14 days{when}, "
        "so its copy may list meetings that no longer exist. Its meetings are withheld until it recovers."
    )


def _roots_read_from_their_own_servers() -> dict[str, str]:
    prefix = f"{ROOTS_LIST}:"
    return {
        key[len(prefix) :]: name
        for key, name in Source.objects.filter(registry_key__startswith=prefix, disconnected_at=None).values_list(
            "registry_key", "name"
        )
    }


def _root_countries() -> dict[str, str]:
    """Each root's countries, from the shipped list of BMLT roots (by root id)."""
    try:
        (roots,) = registry.load(ROOTS_LIST)
    except (registry.RegistryError, ValueError):
        return {}
    return {entry.id: ",".join(entry.countries) for entry in roots.entries}


def _record(source: Source, report: SyncReport, failed: int, changes: dict) -> None:
    now = timezone.now()
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(
            last_sync_at=now,
            last_ok_at=now,
            last_status=SyncStatus.WARNINGS if failed else SyncStatus.OK,
            last_error=f"{failed} root server(s) failed; each keeps its meetings and says why." if failed else "",
            last_counts=report.counts(),
            last_warnings=[w.as_dict() for w in report.warnings[:200]],
            failures=0,
            next_sync_after=None,
            **changes,
        )
