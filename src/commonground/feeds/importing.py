"""Register a source from the command line's options and sync it; shared by `import` and `sync`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from commonground.catalog.models import Program
from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import is_url
from commonground.feeds.registry import FORMATS, guess_format
from commonground.feeds.sync import SyncReport, sync_source
from commonground.meetings import schedule
from commonground.meetings.models import Source


def default_name(location: str) -> str:
    if is_url(location):
        parts = urlsplit(location)
        return f"{parts.hostname}{parts.path}".rstrip("/")
    return Path(location).resolve().name or location


def register_source(location: str, *, format: str | None = None, program: str | None = None,
                    name: str | None = None, timezone: str | None = None) -> Source:
    """Create or update the Source for ``location``. Raises FeedError for bad options."""
    fmt = format or guess_format(location)
    if fmt not in FORMATS:
        raise FeedError("options", f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    if program and not Program.objects.filter(pk=program).exists():
        codes = ", ".join(Program.objects.values_list("code", flat=True))
        raise FeedError("options", f"Unknown program {program!r}; choose one of {codes}.")
    if timezone:
        try:
            schedule.zone(timezone)
        except ValueError as exc:
            raise FeedError("options", str(exc)) from None
    if not is_url(location):
        location = str(Path(location).expanduser().resolve())
    source = (Source.objects.filter(name=name).first() if name else None) or \
        Source.objects.filter(location=location).first()
    if source is None:
        source = Source(name=name or default_name(location), location=location, format=fmt)
    source.location, source.format = location, fmt
    if name:
        source.name = name
    if program:
        source.default_program_id = program
    elif source.default_program_id is None and fmt == "bmlt":
        source.default_program_id = "na"
    if timezone:
        source.default_timezone = timezone
    try:
        source.full_clean(exclude=["default_program"])
    except ValidationError as exc:
        raise FeedError("options", "; ".join(m for ms in exc.message_dict.values() for m in ms)) from None
    return source


def import_location(location: str, *, dry_run: bool = False, full: bool = False, progress=None,
                    **options) -> SyncReport:
    source = register_source(location, **options)
    if dry_run and source.pk is None:
        # A dry run of a new source must not leave a Source row behind.
        from django.db import transaction

        with transaction.atomic():
            source.save()
            report = sync_source(source, dry_run=True, full=full, progress=progress)
            transaction.set_rollback(True)
        return report
    source.save()
    return sync_source(source, dry_run=dry_run, full=full, progress=progress)
