"""Meeting rows as plain dicts: derived fields and fast bulk writes.

Importers and the demo generator work on dicts keyed by field attname (``program_id``,
``start_time`` ...) rather than model instances: building a Django instance costs more than
everything else an import does per row. ``derive`` is the single place that computes the
derived fields; ``Meeting.normalize`` calls it too, so both paths agree.
"""

from __future__ import annotations

import gc
import hashlib
import json
from contextlib import contextmanager
from operator import itemgetter

from django.db import connection

from commonground.meetings import types
from commonground.meetings.conference import is_dialable, provider_for

HASHED_FIELDS = (
    "program_id", "name", "group", "group_notes", "notes", "weekday", "start_time", "duration_minutes",
    "timezone", "location", "location_notes", "address", "city", "region", "postal_code", "country",
    "formatted_address", "latitude", "longitude", "coordinates_source", "approximate", "regions", "temporarily_closed",
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


def _canonical(value):
    # Dicts compare by content whatever their key order (PostgreSQL's jsonb reorders keys).
    if isinstance(value, dict):
        return tuple(sorted((k, _canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_canonical(v) for v in value)
    return value


_LIST_FIELDS = ("regions", "types", "languages", "feedback_emails")
_NESTED_FIELDS = ("contacts", "extra")
_SCALAR_FIELDS = tuple(f for f in HASHED_FIELDS if f not in _LIST_FIELDS + _NESTED_FIELDS)


def content_hash(v) -> str:
    """A digest of everything a feed can change, so a re-sync can tell unchanged rows apart.

    A field left out, None and "" hash alike; so do an empty list and a missing one.
    """
    get = v.get
    payload = [None if (x := get(name)) == "" else x for name in _SCALAR_FIELDS]
    payload += [tuple(x) if (x := get(name)) else None for name in _LIST_FIELDS]
    payload += [_canonical(x) if (x := get(name)) else None for name in _NESTED_FIELDS]
    return hashlib.sha1(repr(payload).encode("utf-8"), usedforsecurity=False).hexdigest()


def derive(v: dict, table: str) -> dict:
    """Fill the derived fields of a meeting dict in place (and return it)."""
    if v.get("start_time") is None or v.get("weekday") is None:
        v["weekday"] = v["start_time"] = None
    codes = v.get("types") or []
    v["temporarily_closed"] = bool(v.get("temporarily_closed")) or types.TEMPORARILY_CLOSED_CODE in codes
    v["attendance_mode"] = attendance_mode(v)
    v["tag_bits"] = types.bits_for(table, tuple(codes))
    v["content_hash"] = content_hash(v)
    return v


_MISSING = object()


_JSON_CACHE: dict[tuple, str] = {}


def _json(value) -> str:
    if not value:  # most JSON columns are empty lists or dicts
        return "[]" if isinstance(value, list) else "{}" if isinstance(value, dict) else json.dumps(value)
    if isinstance(value, list) and len(_JSON_CACHE) < 100_000:
        # Type lists and region paths repeat across a feed; remember their JSON.
        try:
            key = tuple(value)
            cached = _JSON_CACHE.get(key)
        except TypeError:  # a list holding dicts is not hashable
            return json.dumps(value, ensure_ascii=False)
        if cached is None:
            cached = _JSON_CACHE[key] = json.dumps(value, ensure_ascii=False)
        return cached
    return json.dumps(value, ensure_ascii=False)


def _memo(adapt):
    """Adapt a value, reusing the last answer when an equal value comes again (batch timestamps)."""
    last = [_MISSING, None]

    def adapted(value):
        if value != last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapted


@contextmanager
def bulk_work():
    """Pause the cyclic garbage collector while building many rows.

    An import allocates millions of small, acyclic objects; the collector would walk all of
    them again and again for nothing, which costs about a third of an import's time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class RowWriter:
    """Writes meeting dicts straight to the table: executemany on SQLite, COPY on PostgreSQL."""

    # Columns an update never touches: identity, when the row first arrived, and the duplicate
    # link (meetings.duplicates recomputes it after the sync).
    FIXED = ("source_id", "key", "slug", "imported_at", "duplicate_of_id", "duplicate_score")

    def __init__(self):
        from commonground.meetings.models import Meeting

        ops = connection.ops
        self.fields = [f for f in Meeting._meta.concrete_fields if not f.primary_key]
        self.columns = [ops.quote_name(f.column) for f in self.fields]
        self.defaults = {f.attname: f.get_default() if f.has_default() else (None if f.null else "")
                         for f in self.fields}
        adapters = {"JSONField": _json, "DateTimeField": _memo(ops.adapt_datetimefield_value),
                    "TimeField": ops.adapt_timefield_value}
        self.adapt = [(i, adapters[f.get_internal_type()]) for i, f in enumerate(self.fields)
                      if f.get_internal_type() in adapters]
        self.get_all = itemgetter(*(f.attname for f in self.fields))
        update_fields = [i for i, f in enumerate(self.fields) if f.attname not in self.FIXED]
        self.update_columns = [self.columns[i] for i in update_fields]
        self.pick_update = itemgetter(*update_fields)
        self.table = ops.quote_name(Meeting._meta.db_table)

    def to_row(self, v: dict) -> tuple:
        """A meeting dict as a tuple of column values, missing fields at their defaults."""
        values = list(self.get_all({**self.defaults, **v}))
        for i, adapt in self.adapt:
            if values[i] is not None:
                values[i] = adapt(values[i])
        return tuple(values)

    def write(self, rows: list[tuple]) -> None:
        """Insert rows made by ``to_row``."""
        if not rows:
            return
        columns = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({marks})", rows)

    def update(self, items: list[tuple[int, dict]]) -> None:
        """Rewrite every column but the fixed ones: items are (id, meeting dict)."""
        if not items:
            return
        sets = ", ".join(f"{column} = %s" for column in self.update_columns)
        rows = [(*self.pick_update(self.to_row(v)), pk) for pk, v in items]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {self.table} SET {sets} WHERE id = %s", rows)
