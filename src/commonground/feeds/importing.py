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
                    name: str | None = None, timezone: str | None = None) -> tuple[Source, dict]:
    """The Source for ``location`` and the changes to make to it. Raises FeedError for bad options.

    A new source comes back unsaved, with the options set. For a known one the changed options
    come back separately: they are saved only by a sync that succeeds.
    """
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
    wanted = {"location": location, "format": fmt}
    if program:
        wanted["default_program_id"] = program
    elif (source is None or source.default_program_id is None) and fmt == "bmlt":
        wanted["default_program_id"] = "na"
    if timezone:
        wanted["default_timezone"] = timezone
    if source is None:
        source = Source(name=name or default_name(location), **wanted)
        changes = {}
    else:
        changes = {k: v for k, v in wanted.items() if getattr(source, k) != v}
    candidate = Source(**{**{f.attname: getattr(source, f.attname) for f in Source._meta.concrete_fields}, **changes})
    candidate._state.adding = source._state.adding  # a known source is not its own duplicate
    try:
        candidate.full_clean(exclude=["default_program"])
    except ValidationError as exc:
        raise FeedError("options", "; ".join(m for ms in exc.message_dict.values() for m in ms)) from None
    return source, changes


def import_location(location: str, *, dry_run: bool = False, full: bool = False, progress=None,
                    allow_removals: bool = False, notify=None, **options) -> SyncReport:
    source, changes = register_source(location, **options)
    return sync_source(source, dry_run=dry_run, full=full, progress=progress, allow_removals=allow_removals,
                       notify=notify, changes=changes)
