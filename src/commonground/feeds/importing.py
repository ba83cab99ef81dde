"""Register a source from the command line's options and sync it; shared by `import` and `sync`."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections

from commonground.catalog.models import Program
from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import is_url
from commonground.feeds.formats import FORMAT_NAMES, guess_format
from commonground.feeds.schedule import sync_one
from commonground.feeds.sync import SyncReport
from commonground.feeds.text import cut
from commonground.meetings import schedule
from commonground.meetings.bulk import can_fork
from commonground.meetings.models import DataVersion, Source
from commonground.meetings.signals import data_changed


def default_name(location: str) -> str:
    """A new source's name when none is given: the URL's host and path, or the file's name, cut
    to the column (a file name alone may be 255 bytes)."""
    if is_url(location):
        parts = urlsplit(location)
        name = f"{parts.hostname}{parts.path}".rstrip("/")
    else:
        name = Path(location).resolve().name or location
    return cut(name, Source._meta.get_field("name").max_length)


def register_source(
    location: str,
    *,
    format: str | None = None,
    program: str | None = None,
    name: str | None = None,
    timezone: str | None = None,
    state: str | None = None,
) -> tuple[Source, dict]:
    """The Source for ``location`` and the changes to make to it. Raises FeedError for bad options.

    A new source comes back unsaved, with the options set. For a known one the changed options
    come back separately: they are saved only by a sync that succeeds.
    """
    fmt = format or guess_format(location)
    if fmt not in FORMAT_NAMES:
        raise FeedError("options", f"Unknown format {fmt!r}; choose one of {', '.join(FORMAT_NAMES)}.")
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
    if state:  # FindTreatment.gov's export, one state of it (treatment/reader.py reads the fragment)
        if fmt != "findtreatment":
            raise FeedError("options", "--state is for --format findtreatment (FindTreatment.gov's export).")
        code = state.strip().upper()
        if not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise FeedError("options", f"--state takes a two-letter state or territory code, not {state[:10]!r}.")
        location = f"{location.split('#')[0]}#state={code}"
    source = (Source.objects.filter(name=name).first() if name else None) or Source.objects.filter(
        location=location
    ).first()
    wanted = {"location": location, "format": fmt}
    if program:
        wanted["default_program_id"] = program
    elif (source is None or source.default_program_id is None) and fmt in ("bmlt", "bmlt-export"):
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


def import_location(
    location: str,
    *,
    dry_run: bool = False,
    full: bool = False,
    progress=None,
    allow_removals: bool = False,
    notify=None,
    **options,
) -> SyncReport:
    source, changes = register_source(location, **options)
    return sync_one(
        source,
        dry_run=dry_run,
        full=full,
        progress=progress,
        allow_removals=allow_removals,
        notify=notify,
        changes=changes,
    )


def import_in_a_child(location: str, **options) -> SyncReport:
    """``import_location`` in a forked child; then, back in this process, publishing.

    A sync of a million rows leaves its process holding some 200 MB more than before, freed but
    kept by the allocator. Publishing (the index build and the feed writers, which fork from
    their process) on top of that took the whole import past 500 MB. The child returns that
    memory when it exits, and publishing starts from a small process. The child publishes
    nothing itself (``PUBLISH_MODE = "deferred"``); its report comes back through a pipe.

    In one process, as before, when children cannot reach the database (SQLite in memory, or
    inside a transaction) or ``IMPORT_IN_A_CHILD`` is off.
    """
    if not settings.IMPORT_IN_A_CHILD or not can_fork():
        return import_location(location, **options)
    before = DataVersion.current_with_time()
    connections.close_all()  # the child opens its own connection
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_import_and_report, args=(send, location, options), name="commonground-import")
    child.start()
    send.close()
    try:
        kind, value = receive.recv()
    except EOFError:
        kind, value = "crashed", None
    child.join()
    moved = DataVersion.current_with_time() != before
    if moved:
        data_changed.send(sender=DataVersion, name="meetings")  # publish here, as the child did not
    if kind == "report":
        return value
    if kind == "error":
        raise FeedError(*value)
    outcome = (
        "The data changed meanwhile, so it may have been saved just before: `commonground sources` "
        "shows the source's last sync."
        if moved
        else "Nothing of it was saved."
    )
    raise FeedError(
        "stopped",
        f"The import stopped before it reported (its process ended with code "
        f"{child.exitcode}). {outcome} Any error is shown above.",
    )


def _import_and_report(send, location: str, options: dict) -> None:
    settings.PUBLISH_MODE = "deferred"
    try:
        send.send(("report", import_location(location, **options)))
    except FeedError as exc:
        send.send(("error", (exc.code, exc.message)))
    finally:
        connections.close_all()
        send.close()
