"""The meetings a feed holds, read straight from the table in chunks: no model instances.

Building a Django instance (and its program's) per meeting, and decoding six JSON columns with
the standard library, was most of the time it took to publish the feed. ``FeedRow`` carries
exactly what ``writer.meeting_to_feed`` reads, with the two derived values it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import orjson
from django.db import connection

from commonground.catalog.models import Program
from commonground.feeds.meeting_guide.fellowship import FeedProgram
from commonground.meetings.models import Meeting, Source
from commonground.meetings.public import public_where

COLUMNS = (
    "id",
    "program_id",
    "slug",
    "name",
    "weekday",
    "start_time",
    "duration_minutes",
    "timezone",
    "types",
    "temporarily_closed",
    "languages",
    "notes",
    "location",
    "location_notes",
    "address",
    "city",
    "postal_code",
    "country",
    "formatted_address",
    "conference_url_notes",
    "conference_phone_notes",
    "group",
    "group_notes",
    "entity",
    "entity_email",
    "entity_location",
    "entity_phone",
    "region",
    "latitude",
    "longitude",
    "coordinates_source",
    "approximate",
    "regions",
    "conference_url",
    "conference_phone",
    "updated_at",
    "feedback_emails",
    "feedback_url",
    "url",
    "edit_url",
    "entity_logo",
    "entity_url",
    "contacts",
    "extra",
    "attendance_mode",
    "changed_at",
    "source_id",
    "key",
)
JSON_COLUMNS = {"types", "languages", "regions", "feedback_emails", "contacts", "extra"}
CHUNK = 5000


# A meeting's program as the writer reads it (its code table, names, and whether it is a family group).
ProgramTable = FeedProgram


class FeedRow:
    """One meeting as the feed writer reads it (the attributes of ``Meeting`` it uses)."""

    __slots__ = (*COLUMNS, "program")

    @property
    def is_ongoing(self) -> bool:
        return self.weekday is None or self.start_time is None

    @property
    def end_time(self) -> time | None:
        if self.start_time is None or self.duration_minutes is None:
            return None
        return (datetime.combine(date(2000, 1, 2), self.start_time) + timedelta(minutes=self.duration_minutes)).time()


@dataclass
class FeedSelection:
    """Which meetings: all, or one program's, one source's, one region's, or these ids; in id order."""

    program: str | None = None
    source: str | None = None
    region: str | None = None  # a state, or any level of the region path ("Bronx Area Service")
    ids: frozenset[int] | None = None  # e.g. the meetings near a place, from the search index
    source_ids: frozenset[int] | None = None  # several sources at once (the BMLT answers' services)
    weekdays: frozenset[int] | None = None  # 0 = Sunday
    id_range: tuple[int, int] | None = None  # lo < id <= hi: one part of a feed written in parallel
    # The feed carries inactive listings, marked inactive; False leaves them out (the BMLT answers).
    inactive: bool = True

    def rows(self) -> Iterator[FeedRow]:
        tables = {
            p.code: FeedProgram(p.code, p.name, p.short_name, p.type_table, "family" in (p.scope or []))
            for p in Program.objects.only("code", "name", "short_name", "type_table", "scope")
        }
        quote = connection.ops.quote_name
        # The public meetings (meetings/public.py): a disconnected source's are not published (the
        # Meeting Guide app's policy too); a meeting two sources list goes out once.
        public, params = public_where(connection, inactive=self.inactive)
        where = [public]
        if self.program:
            where.append(f"{quote('program_id')} = %s")
            params.append(self.program)
        if self.source:
            source_id = Source.objects.filter(name=self.source).values_list("id", flat=True).first()
            where.append(f"{quote('source_id')} = %s")
            params.append(source_id)
        for column, values in (("source_id", self.source_ids), ("weekday", self.weekdays)):
            if values is not None:
                where.append(f"{quote(column)} IN ({', '.join(['%s'] * len(values))})" if values else "1 = 0")
                params.extend(sorted(values))
        if self.id_range is not None:
            where.append(f"{quote('id')} > %s AND {quote('id')} <= %s")
            params.extend(self.id_range)
        sql = (
            f"SELECT {', '.join(quote(c) for c in COLUMNS)} FROM {quote(Meeting._meta.db_table)}"
            f" WHERE {' AND '.join(where)} ORDER BY {quote('id')}"
        )
        json_at = [i for i, c in enumerate(COLUMNS) if c in JSON_COLUMNS]
        id_at, region = COLUMNS.index("id"), (self.region or "").strip().casefold()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(CHUNK):
                for values in chunk:
                    if self.ids is not None and values[id_at] not in self.ids:
                        continue
                    row = _row(values, json_at, tables)
                    if region and region != row.region.casefold() and region not in (r.casefold() for r in row.regions):
                        continue
                    yield row

    def __iter__(self):
        return self.rows()


def _row(values, json_at: list[int], tables: dict) -> FeedRow:
    values = list(values)
    for i in json_at:
        if isinstance(values[i], str):  # SQLite hands JSON back as text; PostgreSQL already decoded it
            values[i] = orjson.loads(values[i])
    row = FeedRow()
    for name, value in zip(COLUMNS, values, strict=True):
        setattr(row, name, value)
    if isinstance(row.start_time, str):  # SQLite: "HH:MM:SS"
        row.start_time = time.fromisoformat(row.start_time)
    for name in ("updated_at", "changed_at"):
        value = getattr(row, name)
        if isinstance(value, str):  # SQLite hands datetimes back as text, in UTC
            setattr(row, name, datetime.fromisoformat(value).replace(tzinfo=UTC))
    row.approximate, row.temporarily_closed = bool(row.approximate), bool(row.temporarily_closed)
    row.program = tables[row.program_id]
    return row
