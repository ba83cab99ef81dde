"""Meeting rows as plain dicts: derived fields and fast bulk writes.

Importers and the demo generator work on dicts keyed by field attname (``program_id``,
``start_time`` ...) rather than model instances: building a Django instance costs more than
everything else an import does per row. ``derive`` is the single place that computes the
derived fields; ``Meeting.normalize`` calls it too, so both paths agree.
"""

from __future__ import annotations

import hashlib
import json

from django.db import connection

from commonground.meetings import types
from commonground.meetings.conference import is_dialable, provider_for

HASHED_FIELDS = (
    "program_id", "name", "group", "group_notes", "notes", "weekday", "start_time", "duration_minutes",
    "timezone", "location", "location_notes", "address", "city", "region", "postal_code", "country",
    "formatted_address", "latitude", "longitude", "approximate", "regions", "temporarily_closed",
    "conference_url", "conference_url_notes", "conference_phone", "conference_phone_notes", "types",
    "languages", "updated_at", "url", "edit_url", "feedback_url", "feedback_emails", "entity",
    "entity_email", "entity_location", "entity_logo", "entity_phone", "entity_url", "contacts", "extra",
)


def attendance_mode(v) -> str:
    """TSML's attendance rules.

    Online = a known-provider conference URL or a dialable phone. In person = a specific (not
    approximate) address and a venue that is not temporarily closed (TC). Both = hybrid;
    neither = inactive.
    """
    url, phone = v.get("conference_url"), v.get("conference_phone")
    online = bool(url and provider_for(url)) or bool(phone and is_dialable(phone))
    has_place = bool(v.get("address") or v.get("formatted_address") or v.get("latitude") is not None)
    in_person = has_place and not v.get("approximate") and not v.get("temporarily_closed")
    if online and in_person:
        return "hybrid"
    if online:
        return "online"
    return "in_person" if in_person else "inactive"


def _blank(value) -> bool:
    # A field left out, None, "", [], {} or False all mean "not set" (0 is Sunday, not blank).
    return value is None or value is False or value == "" or value == [] or value == {}


def content_hash(v) -> str:
    """A digest of everything a feed can change, so a re-sync can tell unchanged rows apart."""
    payload = [None if _blank(value := v.get(name)) else value for name in HASHED_FIELDS]
    blob = json.dumps(payload, default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(blob.encode("utf-8"), usedforsecurity=False).hexdigest()


def derive(v: dict, table: str) -> dict:
    """Fill the derived fields of a meeting dict in place (and return it)."""
    if v.get("start_time") is None or v.get("weekday") is None:
        v["weekday"] = v["start_time"] = None
    codes = v.get("types") or []
    v["temporarily_closed"] = bool(v.get("temporarily_closed")) or types.TEMPORARILY_CLOSED_CODE in codes
    v["attendance_mode"] = attendance_mode(v)
    v["tag_bits"] = types.tag_bits(types.tags_for(table, codes))
    v["content_hash"] = content_hash(v)
    return v


_MISSING = object()


def _memo(adapt):
    """Adapt a value, reusing the last answer when the same value comes again (batch timestamps)."""
    last = [_MISSING, None]

    def adapted(value):
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapted


class RowWriter:
    """Writes meeting dicts straight to the table: executemany on SQLite, COPY on PostgreSQL."""

    # Columns an update never touches: identity, and when the row first arrived.
    FIXED = ("source_id", "key", "slug", "imported_at")

    def __init__(self):
        from commonground.meetings.models import Meeting

        ops = connection.ops
        self.plan = []  # (attname, quoted column, adapted default, adapter)
        for f in Meeting._meta.concrete_fields:
            if f.primary_key:
                continue
            adapter = {
                "JSONField": json.dumps,
                "DateTimeField": _memo(ops.adapt_datetimefield_value),
                "TimeField": ops.adapt_timefield_value,
            }.get(f.get_internal_type())
            default = f.get_default() if f.has_default() else (None if f.null else "")
            if adapter is not None and default is not None:
                default = adapter(default)
            self.plan.append((f.attname, ops.quote_name(f.column), default, adapter))
        self.update_plan = [p for p in self.plan if p[0] not in self.FIXED]
        self.table = ops.quote_name(Meeting._meta.db_table)

    @staticmethod
    def _values(v: dict, plan: list) -> list:
        out = []
        for attname, _, default, adapter in plan:
            value = v.get(attname, _MISSING)
            if value is _MISSING:
                out.append(default)
            elif adapter is None or value is None:
                out.append(value)
            else:
                out.append(adapter(value))
        return out

    def to_row(self, v: dict) -> tuple:
        return tuple(self._values(v, self.plan))

    def write(self, rows: list[tuple]) -> None:
        """Insert rows made by ``to_row``."""
        if not rows:
            return
        columns = ", ".join(column for _, column, _, _ in self.plan)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.plan))
                cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({marks})", rows)

    def update(self, items: list[tuple[int, dict]]) -> None:
        """Rewrite every column but the fixed ones: items are (id, meeting dict)."""
        if not items:
            return
        sets = ", ".join(f"{column} = %s" for _, column, _, _ in self.update_plan)
        rows = [(*self._values(v, self.update_plan), pk) for pk, v in items]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {self.table} SET {sets} WHERE id = %s", rows)
