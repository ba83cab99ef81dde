"""Fast bulk writes of meeting rows (plain dicts, see ``derive.py``): executemany on SQLite,
COPY on PostgreSQL. Building a Django instance per row costs more than everything else an
import does, so rows never become model instances here.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.backends.sqlite3.creation import DatabaseCreation

from commonground.meetings.models import Meeting

_MISSING = object()

# A meeting as ``to_row`` makes it: its column values, as the database driver takes them.
Row = tuple[Any, ...]
# Turns a value into what the driver takes (Django's ``adapt_*_value``, untyped here).
Adapter = Callable[[Any], Any]

_JSON_CACHE: dict[tuple[object, ...], str] = {}


def _json(value: object) -> str:
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


def _memo(adapt: Adapter) -> Adapter:
    """Adapt a value, reusing the last answer when an equal value comes again (batch timestamps)."""
    last: list[Any] = [_MISSING, None]

    def adapted(value: Any) -> Any:
        if value != last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapted


@contextmanager
def bulk_work() -> Iterator[None]:
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

    def __init__(self) -> None:
        ops = connection.ops
        self.fields = [f for f in Meeting._meta.concrete_fields if not f.primary_key]
        self.columns = [ops.quote_name(f.column) for f in self.fields]
        self.defaults = {
            f.attname: f.get_default() if f.has_default() else (None if f.null else "") for f in self.fields
        }
        adapters: dict[str, Callable[[], Adapter]] = {
            "JSONField": lambda: _json,
            "DateTimeField": lambda: _memo(ops.adapt_datetimefield_value),
            "TimeField": lambda: ops.adapt_timefield_value,
        }
        # One memo per column: shared by the three datetime columns, it missed on every value.
        self.adapt: list[tuple[int, Adapter]] = [
            (i, adapters[f.get_internal_type()]())
            for i, f in enumerate(self.fields)
            if f.get_internal_type() in adapters
        ]
        self.get_all = itemgetter(*(f.attname for f in self.fields))
        update_fields = [i for i, f in enumerate(self.fields) if f.attname not in self.FIXED]
        self.update_columns = [self.columns[i] for i in update_fields]
        self.pick_update = itemgetter(*update_fields)
        self.table = ops.quote_name(Meeting._meta.db_table)

    def to_row(self, v: Mapping[str, Any]) -> Row:
        """A meeting dict as a tuple of column values, missing fields at their defaults."""
        values = list(self.get_all({**self.defaults, **v}))
        for i, adapt in self.adapt:
            if values[i] is not None:
                values[i] = adapt(values[i])
        return tuple(values)

    def write(self, rows: list[Row]) -> None:
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

    def index(self, attname: str) -> int:
        """Where the field ``attname`` is in a row ``to_row`` makes."""
        return next(i for i, f in enumerate(self.fields) if f.attname == attname)

    def update(self, items: list[tuple[int, Row]]) -> None:
        """Rewrite every column but the fixed ones: items are (id, a row made by ``to_row``)."""
        if items:
            self.update_by_id(self.update_columns, [(*self.pick_update(row), pk) for pk, row in items])

    def update_by_id(self, columns: list[str], rows: list[Row]) -> None:
        """Set ``columns`` (quoted names) to each row's values, in the row with the id its last value
        gives. On PostgreSQL the rows go by COPY into a temporary table that one UPDATE joins: a
        statement a row was most of a large re-sync's time (bench/import.py measures it)."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                sets = ", ".join(f"{column} = %s" for column in columns)
                cursor.executemany(f"UPDATE {self.table} SET {sets} WHERE id = %s", rows)
                return
            names = ", ".join(columns)
            # No ON COMMIT DROP: outside a transaction the table would be gone before the COPY. A
            # failure rolls the creation back with the rest of the sync's transaction.
            cursor.execute("DROP TABLE IF EXISTS cg_bulk_update")
            cursor.execute(
                f"CREATE TEMPORARY TABLE cg_bulk_update AS SELECT {names}, id FROM {self.table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY cg_bulk_update ({names}, id) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f"{column} = u.{column}" for column in columns)
            cursor.execute(f"UPDATE {self.table} AS m SET {sets} FROM cg_bulk_update AS u WHERE m.id = u.id")
            cursor.execute("DROP TABLE cg_bulk_update")

    def slugs_taken(self, slugs: set[str]) -> set[str]:
        """Those of ``slugs`` some meeting has: one statement, whatever their number (the list
        goes as one JSON or array parameter, not as a placeholder each)."""
        if not slugs:
            return set()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT slug FROM {self.table} WHERE slug = ANY(%s)", [list(slugs)])
            else:
                cursor.execute(
                    f"SELECT slug FROM {self.table} WHERE slug IN (SELECT value FROM json_each(%s))",
                    [json.dumps(list(slugs))],
                )
            return {slug for (slug,) in cursor.fetchall()}


# From this many meetings written or removed at once, PostgreSQL's statistics are refreshed.
ANALYZE_AFTER_ROWS = 10_000


def refresh_statistics(rows_changed: int) -> bool:
    """After a bulk change of at least ANALYZE_AFTER_ROWS meetings, ANALYZE the table on PostgreSQL.

    Its planner chooses by the table's statistics, which autovacuum refreshes only some time after
    a change. Until then a plan made for the old contents can be ruinous: a first import of 100,000
    meetings, planned as if the new source had one row, had the index's next read run for minutes.
    Run after the commit (ANALYZE locks out another ANALYZE until its transaction ends). SQLite
    plans without statistics here. Returns whether it ran."""
    if connection.vendor != "postgresql" or rows_changed < ANALYZE_AFTER_ROWS or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Meeting._meta.db_table)}")
    return True


def can_fork() -> bool:
    """Can forked children read the table, each with a connection of its own? Not from SQLite in
    memory (they would see another database), nor inside a transaction of ours (its rows would
    be invisible to them)."""
    name = connection.settings_dict.get("NAME", "")
    # Django's own test of a name ("mode=memory", ":memory:"), not "memory" anywhere in it: that
    # once kept every child out of a file database in a folder called "cg-import-memory-...".
    if connection.vendor == "sqlite" and (not name or DatabaseCreation.is_in_memory_db(name)):
        return False
    return not connection.in_atomic_block and "fork" in multiprocessing.get_all_start_methods()


def id_ranges(parts: int, min_rows: int) -> list[tuple[int, int]] | None:
    """``parts`` meeting id ranges ``(lo, hi]`` holding about as many rows each, for children
    that read the table in parallel; None when the table has fewer than ``min_rows`` rows or
    children cannot read it (``can_fork``)."""
    if parts < 2 or not can_fork():
        return None
    table = connection.ops.quote_name(Meeting._meta.db_table)
    with connection.cursor() as cursor:
        # Each on its own: SQLite answers a lone MIN or MAX from the primary key's ends, but scans
        # an index for them together, which grows with the table.
        cursor.execute(
            f"SELECT (SELECT MIN(id) FROM {table}), (SELECT MAX(id) FROM {table}), (SELECT COUNT(*) FROM {table})"
        )
        low, high, count = cursor.fetchone()
    if not count or count < min_rows:
        return None
    step = (high - low + 1) / parts
    cuts = [low - 1] + [low - 1 + round(step * i) for i in range(1, parts)] + [high]
    return list(zip(cuts, cuts[1:], strict=False))
