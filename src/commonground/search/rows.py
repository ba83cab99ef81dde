"""The rows a page of search results shows, read in one statement without model instances.

A search answers with at most a page of ids; showing them needs each meeting's columns with its
program's names and its source's name and health. The ORM way (``select_related`` + ``in_bulk``)
compiles the query afresh and builds three model instances per row, which was most of an API
search's time. Here the statement is written once per process and database, the rows come back
as plain tuples, and each becomes a ``MeetingRow``: a slotted object with the attributes and
derived properties ``results.meeting_result`` reads, the properties borrowed from the models so
the rules live in one place.

Values are converted as Django's own converters would: JSON text decoded, datetimes made aware
in UTC (SQLite hands them back naive). ``tests/test_result_rows.py`` checks every result field
against the model instances' on both databases.

``meeting_at`` reads one meeting by its address for the meeting's page the same way, but gives
real model instances, filled through Django's own converters (``tests/test_meeting_address.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import connections, models, router

from commonground.catalog.models import Program
from commonground.meetings.models import Meeting, Source, stored_datetime

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

MEETING_COLUMNS = (
    "id",
    "key",
    "slug",
    "name",
    "group",
    "notes",
    "weekday",
    "start_time",
    "duration_minutes",
    "timezone",
    "location",
    "location_notes",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "formatted_address",
    "latitude",
    "longitude",
    "approximate",
    "coordinates_source",
    "attendance_mode",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "types",
    "tag_bits",
    "languages",
    "updated_at",
    "feedback_url",
    "changed_at",
    "program_id",
    "source_id",
    "duplicate_of_id",
)
PROGRAM_COLUMNS = ("code", "name", "short_name", "translations")
SOURCE_COLUMNS = ("id", "slug", "name", "feedback_url", "last_ok_at", "last_status", "disconnected_at")

# The column values as a row holds them (after ``_converter``'s conversions), for mypy: every one
# is set by ``_fill``. The derivations borrowed from the models are declared for mypy too, under
# TYPE_CHECKING: it takes them for the models' methods, whose ``self`` a row is not (they read only
# the row's columns; tests/test_result_rows.py compares every result field with the models').


class ProgramRow:
    __slots__ = PROGRAM_COLUMNS
    code: str
    name: str
    short_name: str
    translations: dict[str, dict[str, Any]]  # JSON: language -> the program's texts in it


class SourceRow:
    __slots__ = SOURCE_COLUMNS
    id: int
    slug: str
    name: str
    feedback_url: str
    last_ok_at: datetime | None
    last_status: str
    disconnected_at: datetime | None

    if TYPE_CHECKING:

        def health(self, now: datetime | None = None) -> str: ...

    else:
        health = Source.health


class MeetingRow:
    # has_others: does another source list this meeting too (is it some listing's primary)?
    __slots__ = (*MEETING_COLUMNS, "has_others", "program", "source")
    id: int
    key: str
    slug: str
    name: str
    group: str
    notes: str
    weekday: int | None
    start_time: time | None
    duration_minutes: int | None
    timezone: str
    location: str
    location_notes: str
    address: str
    city: str
    region: str
    postal_code: str
    country: str
    formatted_address: str
    latitude: float | None
    longitude: float | None
    approximate: bool
    coordinates_source: str
    attendance_mode: str
    conference_url: str
    conference_url_notes: str
    conference_phone: str
    conference_phone_notes: str
    types: list[str]
    tag_bits: int
    languages: list[str]
    updated_at: datetime | None
    feedback_url: str
    changed_at: datetime
    program_id: str
    source_id: int
    duplicate_of_id: int | None
    has_others: bool
    program: ProgramRow
    source: SourceRow

    # The models' own derivations, so a row and a Meeting can never disagree.
    if TYPE_CHECKING:

        @property
        def is_ongoing(self) -> bool: ...
        @property
        def duration(self) -> timedelta: ...
        @property
        def end_time(self) -> time | None: ...
        @property
        def zone(self) -> ZoneInfo: ...
        @property
        def tags(self) -> list[str]: ...
        @property
        def conference_provider(self) -> str | None: ...
        def next_start(self, after: datetime) -> datetime | None: ...

    else:
        is_ongoing = Meeting.is_ongoing
        duration = Meeting.duration
        end_time = Meeting.end_time
        zone = Meeting.zone
        tags = Meeting.tags
        conference_provider = Meeting.conference_provider
        next_start = Meeting.next_start

    @property
    def pk(self) -> int:
        return self.id


# A column's conversion, from the value the driver gives (untyped: whatever the database holds).
Convert = Callable[[Any], Any]
Converters = list[tuple[int, Convert]]  # (position in the row, its conversion)
# One model's part of the meeting-page statement: the model, its fields' attnames, and per column
# Django's own converters (position, the column, its converters), as ``Model.from_db`` takes them.
Part = tuple[type[models.Model], list[str], list[tuple[int, Any, list[Callable[..., Any]]]]]
_Row = TypeVar("_Row", ProgramRow, SourceRow, MeetingRow)


def _converter(model: type[models.Model], name: str) -> Convert | None:
    field = model._meta.get_field(name)
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField):
        return stored_datetime
    if isinstance(field, models.BooleanField):
        return bool
    return None


@lru_cache(maxsize=512)
def _decoded(text: str) -> Any:  # JSON
    return json.loads(text)


def _json(value: Any) -> Any:  # JSON text, or what PostgreSQL's driver decoded
    if not isinstance(value, str):
        return value
    # Programs repeat on every row and their translations are the largest JSON here; lists of
    # tags and languages repeat too. Decoded once each, and copied so a caller can't alter the memo.
    decoded = _decoded(value)
    return decoded.copy() if isinstance(decoded, list | dict) else decoded


def _columns(quote: Callable[[str], str], model: type[models.Model], names: Iterable[str], table: str) -> list[str]:
    return [f"{table}.{quote(model._meta.get_field(n).column)}" for n in names]


def _has_others(quote: Callable[[str], str]) -> str:
    """Whether another source lists the meeting too: asked with the meeting, so that meetings no
    other source lists need no second statement for their other listings (results.other_listings)."""
    return (
        f"EXISTS (SELECT 1 FROM {quote(Meeting._meta.db_table)} d WHERE d.{quote('duplicate_of_id')} = m.{quote('id')})"
    )


@lru_cache(maxsize=8)
def _statement(alias: str) -> tuple[str, tuple[Converters, Converters, Converters]]:
    quote = connections[alias].ops.quote_name
    select = (
        _columns(quote, Meeting, MEETING_COLUMNS, "m")
        + _columns(quote, Program, PROGRAM_COLUMNS, "p")
        + _columns(quote, Source, SOURCE_COLUMNS, "s")
    )
    select.append(_has_others(quote))
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(Meeting._meta.db_table)} m"
        f" JOIN {quote(Program._meta.db_table)} p ON p.{quote('code')} = m.{quote('program_id')}"
        f" JOIN {quote(Source._meta.db_table)} s ON s.{quote('id')} = m.{quote('source_id')}"
        f" WHERE m.{quote('id')} IN "
    )
    converters = (
        [(i, c) for i, n in enumerate(MEETING_COLUMNS) if (c := _converter(Meeting, n))],
        [(i, c) for i, n in enumerate(PROGRAM_COLUMNS) if (c := _converter(Program, n))],
        [(i, c) for i, n in enumerate(SOURCE_COLUMNS) if (c := _converter(Source, n))],
    )
    return sql, converters


def _fill(cls: type[_Row], names: Sequence[str], values: Sequence[Any], converters: Converters) -> _Row:
    row = cls.__new__(cls)
    values = list(values)
    for i, convert in converters:
        if values[i] is not None:
            values[i] = convert(values[i])
    for name, value in zip(names, values, strict=True):
        setattr(row, name, value)
    return row


def fetch(wanted: Iterable[int]) -> dict[int, MeetingRow]:
    """The meetings with these ids (those that still exist), by id."""
    ids = [int(i) for i in wanted]
    if not ids:
        return {}
    alias = router.db_for_read(Meeting)
    sql, (m_conv, p_conv, s_conv) = _statement(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql + "(" + ", ".join(["%s"] * len(ids)) + ")", ids)
        fetched = cursor.fetchall()
    a, b = len(MEETING_COLUMNS), len(MEETING_COLUMNS) + len(PROGRAM_COLUMNS)
    c = b + len(SOURCE_COLUMNS)
    programs: dict[str, ProgramRow] = {}
    sources: dict[int, SourceRow] = {}
    out = {}
    for values in fetched:
        m = _fill(MeetingRow, MEETING_COLUMNS, values[:a], m_conv)
        m.program = programs.get(m.program_id) or programs.setdefault(
            m.program_id, _fill(ProgramRow, PROGRAM_COLUMNS, values[a:b], p_conv)
        )
        m.source = sources.get(m.source_id) or sources.setdefault(
            m.source_id, _fill(SourceRow, SOURCE_COLUMNS, values[b:c], s_conv)
        )
        m.has_others = bool(values[c])
        out[m.id] = m
    return out


@lru_cache(maxsize=8)
def _listings_statement(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    m = _columns(quote, Meeting, ("id", "duplicate_of_id", "key"), "m")
    s = _columns(quote, Source, ("slug", "name"), "s")
    return (
        f"SELECT {', '.join(m + s)} FROM {quote(Meeting._meta.db_table)} m"
        f" JOIN {quote(Source._meta.db_table)} s ON s.{quote('id')} = m.{quote('source_id')}"
        f" WHERE m.{quote('id')} IN ({{ids}}) OR m.{quote('duplicate_of_id')} IN ({{ids}})"
    )


def listing_groups(primaries: Iterable[int]) -> list[tuple[int, int | None, str, str, str]]:
    """Every listing of these primary meetings, the primaries included:
    (id, duplicate_of_id, key, source slug, source name)."""
    roots = sorted({int(r) for r in primaries})
    if not roots:
        return []
    marks = ", ".join(["%s"] * len(roots))
    alias = router.db_for_read(Meeting)
    with connections[alias].cursor() as cursor:
        cursor.execute(_listings_statement(alias).format(ids=marks), roots + roots)
        found: list[tuple[int, int | None, str, str, str]] = cursor.fetchall()
    return found


# One meeting by its address (source slug and key), for the meeting's page: real model instances,
# since the page uses much of the models' behaviour, but read by a statement written once and
# filled in through Django's own converters for each column (``Model.from_db``), so no query is
# compiled per request. The program and the source come in the same row, as ``select_related``
# would bring them.


def _part(
    connection: BaseDatabaseWrapper, quote: Callable[[str], str], model: type[models.Model], table: str
) -> tuple[list[str], Part]:
    fields = model._meta.concrete_fields
    converters = []
    for i, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((i, column, found))
    return [f"{table}.{quote(f.column)}" for f in fields], (model, [f.attname for f in fields], converters)


@lru_cache(maxsize=8)
def _address_statement(alias: str) -> tuple[str, list[Part]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    parts = [_part(connection, quote, model, table) for model, table in ((Meeting, "m"), (Program, "p"), (Source, "s"))]
    columns = [c for part_columns, _ in parts for c in part_columns] + [_has_others(quote)]
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(Meeting._meta.db_table)} m"
        f" JOIN {quote(Program._meta.db_table)} p ON p.{quote('code')} = m.{quote('program_id')}"
        f" JOIN {quote(Source._meta.db_table)} s ON s.{quote('id')} = m.{quote('source_id')}"
        f" WHERE s.{quote('slug')} = %s AND m.{quote('key')} = %s"
    )
    return sql, [part for _, part in parts]


def meeting_at(source_slug: str, key: str) -> Meeting | None:
    """The meeting at this address, with its program and source, or None."""
    alias = router.db_for_read(Meeting)
    connection = connections[alias]
    sql, parts = _address_statement(alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [source_slug, key])
        values = cursor.fetchone()
    if values is None:
        return None
    instances: list[Any] = []  # the three model instances, from Django's untyped from_db
    start = 0
    for model, names, converters in parts:
        chunk = list(values[start : start + len(names)])
        start += len(names)
        for i, column, functions in converters:
            for convert in functions:
                chunk[i] = convert(chunk[i], column, connection)
        instances.append(model.from_db(alias, names, chunk))
    meeting: Meeting
    meeting, program, source = instances
    Meeting.program.field.set_cached_value(meeting, program)
    Meeting.source.field.set_cached_value(meeting, source)
    meeting.has_others = bool(values[start])  # read by results.other_listings, as on a MeetingRow
    return meeting
