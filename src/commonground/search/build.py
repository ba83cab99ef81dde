"""Build the in-memory columnar index from the database (the source of truth).

Only active meetings are indexed (inactive ones never match a search). Rows are read in chunks
straight from a cursor, so a million meetings never sit in memory as Python objects at once;
repeated strings (names, search text, zones, language lists) are kept once each.
"""

from __future__ import annotations

import json
import mmap
import multiprocessing
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import connection, connections

from commonground.catalog.models import Program
from commonground.meetings import types
from commonground.meetings.bulk import id_ranges
from commonground.meetings.models import Meeting, Source
from commonground.meetings.public import public_where
from commonground.runtime import runtime_dir
from commonground.search.clock import DAY, WEEK, offset_minutes

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

MODE_CODES = {"in_person": 0, "online": 1, "hybrid": 2}
NO_TIME = -1  # week minute of an ongoing meeting
CHUNK = 20_000
PART_ARRAYS = {
    "ids": np.int64,
    "program": np.int16,
    "lat": np.float64,
    "lng": np.float64,
    "week_minute": np.int32,
    "zone": np.int32,
    "mode": np.int8,
    "tags": np.int64,
    "langs": np.int64,
    "text": np.int32,
    "name": np.int32,
    "source": np.int32,
}


class Texts:
    """The distinct search texts (casefolded), as one UTF-8 blob joined by NUL and their offsets.

    A blob can be memory-mapped and shared by every worker; a list of a million Python strings
    cannot. ``matches`` finds a word with ``bytes.find``, jumping to the next text after each hit,
    so it costs one scan at most, and far less for a rare word.
    """

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray) -> None:
        self.blob = blob  # bytes or mmap
        self.offsets = offsets  # int64, len n + 1: text i is blob[offsets[i]:offsets[i + 1] - 1]

    @classmethod
    def from_strings(cls, strings: list[str]) -> Texts:
        encoded = [t.replace("\0", " ").encode("utf-8") + b"\0" for t in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        if encoded:
            np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return bytes(self.blob[self.offsets[i] : self.offsets[i + 1] - 1]).decode("utf-8")

    def matches(self, needle: str) -> np.ndarray:
        """A bool per text: does it contain ``needle`` (already casefolded)?"""
        out = np.zeros(len(self), dtype=bool)
        word = needle.replace("\0", " ").encode("utf-8")
        if not word:
            out[:] = True
            return out
        offsets, find = self.offsets, self.blob.find
        position = find(word)
        while position >= 0:
            i = int(np.searchsorted(offsets, position, side="right")) - 1
            out[i] = True
            position = find(word, int(offsets[i + 1]))
        return out


@dataclass
class Columns:
    """The index's data: one entry per active meeting, in id order.

    A build's columns have them all; a stored index's (``store.load``) leave the ones marked
    "build" None: only ``index.derive`` reads those, when the index is built.
    """

    ids: np.ndarray  # int64
    program: np.ndarray  # int16, position in program_codes
    lat: np.ndarray | None  # build: float64, NaN when unknown
    lng: np.ndarray | None  # build
    week_minute: np.ndarray  # int32, local minutes since Sunday 00:00; NO_TIME when ongoing
    zone: np.ndarray  # int16, position in zone_names
    mode: np.ndarray  # int8, MODE_CODES
    tags: np.ndarray  # int64 bit mask (types.TAGS)
    # int64 bit mask over language_codes. Feeds use a few dozen languages; should more than 63
    # ever appear, the rarest share the last bit and a search for one of them over-matches.
    langs: np.ndarray
    text: np.ndarray  # int32, position in texts
    name_key: np.ndarray  # int64, rank of (casefolded name, id): unique, sortable
    program_codes: list[str]
    program_approach: list[str]
    zone_names: list[str]
    language_codes: list[str]
    texts: Texts
    utc_week_minute: np.ndarray | None  # build: int32, approximate UTC week minute (offsets then); -1 ongoing
    by_utc_week: np.ndarray | None  # build: int32 positions sorted by utc_week_minute (scheduled meetings only)
    utc_week_sorted: np.ndarray | None  # build: int32, utc_week_minute[by_utc_week]
    # Kept for bringing the index forward by one source (search.update); searches never read them.
    source: np.ndarray | None = None  # int32 source id
    names: Texts | None = None  # the distinct casefolded names, sorted: name_key >> 32 is a position here

    def built(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The columns only a build has: ``lat``, ``lng``, ``utc_week_minute``, ``by_utc_week`` and
        ``utc_week_sorted``. A stored index's columns have none of them: ValueError."""
        found = self.lat, self.lng, self.utc_week_minute, self.by_utc_week, self.utc_week_sorted
        lat, lng, utc_week, by_utc_week, utc_week_sorted = found
        if lat is None or lng is None or utc_week is None or by_utc_week is None or utc_week_sorted is None:
            raise ValueError("a stored index's columns: only a build's have these")
        return lat, lng, utc_week, by_utc_week, utc_week_sorted


# Four small integers per row arrive packed in one (fewer values for the driver to make into Python
# objects, the read's main cost): program position in bits 0-15, mode in 16-17, week minute + 1
# (-1, ongoing, becomes 0) in 18-31, tag bits from 32.
PACKED_MODE, PACKED_WEEK, PACKED_TAGS = 16, 18, 32
# The first column: the meeting id in bits 0-39, its source's id from bit 40.
PACKED_SOURCE = 40
assert len(types.TAGS) <= 63 - PACKED_TAGS and WEEK < 1 << (PACKED_TAGS - PACKED_WEEK)


def _select(programs: list[str]) -> tuple[str, list[str]]:
    """The index's columns, with the per-row arithmetic done by the database.

    Python then only builds arrays: the program's position, the local week minute, the mode's
    code (packed with the tags, above) and the joined search text arrive ready (no time parsing,
    no string joins per row).
    """
    q = connection.ops.quote_name  # "group" is an SQL keyword
    if connection.vendor == "postgresql":
        minutes = f"(EXTRACT(HOUR FROM {q('start_time')})::int * 60 + EXTRACT(MINUTE FROM {q('start_time')})::int)"
    else:  # SQLite keeps times as "HH:MM[:SS]"
        minutes = (
            f"(CAST(substr({q('start_time')}, 1, 2) AS INTEGER) * 60 "
            f"+ CAST(substr({q('start_time')}, 4, 2) AS INTEGER))"
        )
    week_minute = (
        f"CASE WHEN {q('weekday')} IS NULL OR {q('start_time')} IS NULL THEN {NO_TIME} "
        f"ELSE {q('weekday')} * {DAY} + {minutes} END"
    )
    params: list[str] = []
    program = "CASE " + q("program_id") + "".join(" WHEN %s THEN " + str(i) for i in range(len(programs))) + " END"
    params += programs
    mode = "CASE " + q("attendance_mode") + "".join(f" WHEN %s THEN {c}" for c in MODE_CODES.values()) + " END"
    params += list(MODE_CODES)
    packed = (
        f"CAST({program} AS BIGINT) + CAST({mode} AS BIGINT) * {1 << PACKED_MODE} "
        f"+ CAST({week_minute} + 1 AS BIGINT) * {1 << PACKED_WEEK} "
        f"+ CAST({q('tag_bits')} AS BIGINT) * {1 << PACKED_TAGS}"
    )
    # The name leads the search text, so the text brings it too (a name holds no line break: the
    # import makes it one line); the source rides above the id. Each column the cursor returns
    # costs a Python object a row: one fewer each saved a tenth of a second at a million rows.
    text = " || %s || ".join(f"COALESCE({q(c)}, '')" for c in ("name", "group", "location", "notes"))
    params += ["\n"] * 3
    columns = [
        f"{q('id')} + CAST({q('source_id')} AS BIGINT) * {1 << PACKED_SOURCE}",
        packed,
        q("latitude"),
        q("longitude"),
        q("timezone"),
        q("languages"),
        text,
    ]
    return ", ".join(columns), params


def _check_packing(cursor: CursorWrapper, table: str, sources: str) -> None:
    """Meeting ids must fit below PACKED_SOURCE bits, and source ids in the int32 above them."""
    cursor.execute(f"SELECT (SELECT MAX(id) FROM {table}), (SELECT MAX(id) FROM {sources})")
    top_meeting, top_source = (v or 0 for v in cursor.fetchone())
    if top_meeting >= 1 << PACKED_SOURCE or top_source >= 1 << (63 - PACKED_SOURCE):
        raise OverflowError(
            f"ids too large for the search index's packing (meeting {top_meeting}, source "
            f"{top_source}); see PACKED_SOURCE in search/build.py"
        )


def _unpack(packed: np.ndarray, parts: dict[str, list[np.ndarray]]) -> None:
    parts["program"].append((packed & 0xFFFF).astype(np.int16))
    parts["mode"].append((packed >> PACKED_MODE & 0x3).astype(np.int8))
    parts["week_minute"].append(
        ((packed >> PACKED_WEEK & ((1 << (PACKED_TAGS - PACKED_WEEK)) - 1)) - 1).astype(np.int32)
    )
    parts["tags"].append(packed >> PACKED_TAGS)


@dataclass
class _Part:
    """The rows of one id range, with its own numbering of zones, languages, texts and names."""

    arrays: dict[str, np.ndarray]
    zones: list[str]
    languages: list[str]
    texts: list[str]
    names: list[str]


def read_part(
    programs: list[str],
    lo: int | None = None,
    hi: int | None = None,
    *,
    only: tuple[list[int], list[int]] | None = None,
) -> _Part:
    """Rows with ``lo < id <= hi`` (all rows when ``lo`` is None), read straight from a cursor.

    ``only``: (source ids, meeting ids): just the rows of those sources, and those meetings.
    """
    zones: dict[str, int] = {}
    languages: dict[str, int] = {}
    language_bits: dict[str, int] = {}
    texts: dict[str, int] = {}
    names: dict[str, int] = {}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in PART_ARRAYS}
    table = connection.ops.quote_name(Meeting._meta.db_table)
    select, params = _select(programs)
    # The public meetings only (meetings/public.py): inactive ones never match, a disconnected
    # source's have left search, and a meeting two sources list is counted once.
    sources = connection.ops.quote_name(Source._meta.db_table)
    public, rule = public_where(connection)
    if only is None:
        where, extra = ("", []) if lo is None else (" AND id > %s AND id <= %s", [lo, hi])
        sql, args = f"SELECT {select} FROM {table} WHERE {public}{where} ORDER BY id", [*params, *rule, *extra]
    else:
        some, listed = (sorted(set(v)) or [-1] for v in only)
        in_some = f"source_id IN ({', '.join(['%s'] * len(some))})"
        # Two plain indexed reads, the second without the rows of the first, put in id order
        # below. Not one OR (the planners scan the table), nor "id IN (a union)": a semi-join
        # PostgreSQL once planned, on statistics older than an import, as a loop over 100,000 rows
        # for each of 100,000 rows. The unary plus (``duplicate_index=False``) keeps SQLite from
        # walking the duplicate index (nearly every row's is NULL) where the sources' index finds
        # the rows; nor may the SQL sort them, or SQLite walks the table in id order to merge the two.
        unindexed, same = public_where(connection, duplicate_index=False)
        sql = (
            f"SELECT {select} FROM {table} WHERE {unindexed} AND {in_some} UNION ALL "
            f"SELECT {select} FROM {table} WHERE {public} AND id IN ({', '.join(['%s'] * len(listed))}) "
            f"AND NOT {in_some}"
        )
        args = [*params, *same, *some, *params, *rule, *listed, *some]
    with connection.cursor() as cursor:
        _check_packing(cursor, table, sources)
        cursor.execute(sql, args)
        while rows := cursor.fetchmany(CHUNK):
            n = len(rows)
            cols = list(zip(*rows, strict=True))
            ids = np.fromiter(cols[0], dtype=np.int64, count=n)
            parts["ids"].append(ids & ((1 << PACKED_SOURCE) - 1))
            parts["source"].append((ids >> PACKED_SOURCE).astype(np.int32))
            _unpack(np.fromiter(cols[1], dtype=np.int64, count=n), parts)
            parts["lat"].append(np.array(cols[2], dtype=np.float64))  # None becomes NaN
            parts["lng"].append(np.array(cols[3], dtype=np.float64))
            parts["zone"].append(
                np.fromiter((zones.setdefault(z, len(zones)) for z in cols[4]), dtype=np.int16, count=n)
            )
            parts["langs"].append(
                np.fromiter((_language_mask(v, languages, language_bits) for v in cols[5]), dtype=np.int64, count=n)
            )
            folded = [t.casefold() for t in cols[6]]
            parts["text"].append(
                np.fromiter((texts.setdefault(t, len(texts)) for t in folded), dtype=np.int32, count=n)
            )
            parts["name"].append(
                np.fromiter(
                    (names.setdefault(t.partition("\n")[0], len(names)) for t in folded), dtype=np.int32, count=n
                )
            )
            del rows, cols
    arrays = {k: (np.concatenate(v) if v else np.zeros(0, dtype=PART_ARRAYS[k])) for k, v in parts.items()}
    if only is not None:
        order = np.argsort(arrays["ids"], kind="stable")
        arrays = {k: v[order] for k, v in arrays.items()}
    return _Part(arrays, list(zones), list(languages), list(texts), list(names))


def _read_in_child(args: tuple[list[str], int, int, str]) -> tuple[str, _Part]:
    programs, lo, hi, folder = args
    try:
        part = read_part(programs, lo, hi)
    finally:
        connections.close_all()
    # The arrays go back through a file in the index's folder: through the pool's pipe, 60 MB of
    # them at a million meetings took a third of a second to arrive.
    path = os.path.join(folder, f"part-{lo}.npz")
    np.savez(path, allow_pickle=True, **part.arrays)  # numpy's default, named so no array is taken for it
    return path, replace(part, arrays={})


def _read_parts(programs: list[str]) -> list[_Part]:
    """All rows, read by one process per core when the table is large (the cursor's row-by-row work
    is the build's main cost). Each part is one id range; together they cover every id once."""
    workers = min(os.cpu_count() or 1, 4)
    ranges = id_ranges(workers, settings.SEARCH_BUILD_PARALLEL_ROWS) if workers > 1 else None
    if not ranges:
        return [read_part(programs)]
    connections.close_all()  # children must never share the parent's connection
    # Named like a build's temporary folder, so one a crash leaves behind is cleared (store._prune).
    folder = tempfile.mkdtemp(prefix=".parts-", suffix=".tmp", dir=runtime_dir("index"))
    try:
        with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
            returned = pool.map(_read_in_child, [(programs, lo, hi, folder) for lo, hi in ranges])
        parts = []
        for path, part in returned:
            with np.load(path) as stored:
                parts.append(replace(part, arrays={name: stored[name] for name in stored.files}))
        return parts
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _merge(
    parts: list[_Part],
) -> tuple[dict[str, np.ndarray], dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """One numbering of zones, languages, texts and names across the parts, and the joined arrays."""
    zones: dict[str, int] = {}
    languages: dict[str, int] = {}
    texts: dict[str, int] = {}
    names: dict[str, int] = {}
    joined: dict[str, list[np.ndarray]] = {name: [] for name in PART_ARRAYS}
    for part in parts:
        a = dict(part.arrays)
        for local, table, key in (
            (part.zones, zones, "zone"),
            (part.texts, texts, "text"),
            (part.names, names, "name"),
        ):
            remap = np.fromiter((table.setdefault(v, len(table)) for v in local), dtype=np.int64, count=len(local))
            a[key] = remap[a[key]] if len(local) else a[key]
        a["langs"] = move_language_bits(a["langs"], part.languages, languages)
        for name in PART_ARRAYS:
            joined[name].append(a[name])
    arrays = {k: np.concatenate(v).astype(PART_ARRAYS[k]) for k, v in joined.items()}
    return arrays, zones, languages, texts, names


def program_list() -> list[tuple[str, str]]:
    return list(Program.objects.order_by("order", "code").values_list("code", "approach"))


def move_language_bits(masks: np.ndarray, codes: list[str], numbering: dict[str, int]) -> np.ndarray:
    """Masks over ``codes`` (bit i is codes[i]) renumbered to ``numbering``, which gains new codes."""
    positions = [min(numbering.setdefault(code, len(numbering)), 62) for code in codes]
    if all(p == min(i, 62) for i, p in enumerate(positions)):
        return masks
    distinct, inverse = np.unique(masks, return_inverse=True)
    moved = np.array(
        [sum(1 << positions[b] for b in range(min(len(positions), 63)) if int(m) >> b & 1) for m in distinct],
        dtype=np.int64,
    )
    return moved[inverse.reshape(-1)] if len(masks) else masks


def read_columns() -> Columns:
    programs = program_list()
    joined, zones, languages, texts, names = _merge(_read_parts([code for code, _ in programs]))
    # Name order: rank the distinct names once (a name's rank is its position in sorted order).
    unique_names = sorted(names)
    name_rank = np.empty(len(unique_names), dtype=np.int64)
    for rank, name in enumerate(unique_names):
        name_rank[names[name]] = rank
    joined["name"] = name_rank[joined["name"]]
    return assemble(
        joined,
        programs,
        sorted(zones, key=zones.__getitem__),
        sorted(languages, key=languages.__getitem__),
        Texts.from_strings(sorted(texts, key=texts.__getitem__)),
        Texts.from_strings(unique_names),
    )


def assemble(
    joined: dict[str, np.ndarray],
    programs: list[tuple[str, str]],
    zone_names: list[str],
    language_codes: list[str],
    texts: Texts,
    names: Texts,
) -> Columns:
    """Columns from rows in id order whose "name" is each row's name rank (a position in ``names``)."""
    ids = joined["ids"]
    name_key = (joined["name"].astype(np.int64) << 32) | ids if len(ids) else np.zeros(0, dtype=np.int64)
    utc_week = _approximate_utc_week(joined["week_minute"], joined["zone"], zone_names)
    scheduled = np.flatnonzero(joined["week_minute"] != NO_TIME).astype(np.int32)
    order = scheduled[np.argsort(utc_week[scheduled], kind="stable")]
    return Columns(
        ids=ids,
        program=joined["program"],
        lat=joined["lat"],
        lng=joined["lng"],
        week_minute=joined["week_minute"],
        zone=joined["zone"].astype(np.int16),
        mode=joined["mode"],
        tags=joined["tags"],
        langs=joined["langs"],
        text=joined["text"].astype(np.int32),
        name_key=name_key,
        program_codes=[c for c, _ in programs],
        program_approach=[a for _, a in programs],
        zone_names=zone_names,
        language_codes=language_codes,
        texts=texts,
        utc_week_minute=utc_week,
        by_utc_week=order,
        utc_week_sorted=utc_week[order],
        source=joined["source"].astype(np.int32),
        names=names,
    )


def _language_mask(raw: str | list[str] | None, positions: dict[str, int], cache: dict[str, int]) -> int:
    """``raw``: the languages column as the driver gives it (JSON text, or a decoded list)."""
    key = raw if isinstance(raw, str) else json.dumps(raw)
    mask = cache.get(key)
    if mask is None:
        codes = json.loads(raw) if isinstance(raw, str) else (raw or [])
        mask = 0
        for code in codes:
            position = min(positions.setdefault(code, len(positions)), 62)
            mask |= 1 << position
        cache[key] = mask
    return mask


def _approximate_utc_week(week_minute: np.ndarray, zone: np.ndarray, zone_names: list[str]) -> np.ndarray:
    """UTC week minute of each scheduled meeting using its zone's offset now (exact time is checked later)."""
    from time import time as unix_time

    now_minute = int(unix_time() // 60)
    offsets = np.array([offset_minutes(name, now_minute) for name in zone_names] or [0], dtype=np.int32)
    utc = (week_minute - offsets[zone]) % WEEK
    return np.where(week_minute == NO_TIME, -1, utc).astype(np.int32)


def language_bits(columns: Columns, codes: tuple[str, ...]) -> int:
    """The mask for the given ISO codes (0 if a code is not in the index at all: nothing matches)."""
    mask = 0
    for code in codes:
        if code not in columns.language_codes:
            return -1
        mask |= 1 << min(columns.language_codes.index(code), 62)
    return mask


def tag_mask(tags: tuple[str, ...]) -> int:
    return types.tag_bits(tags)
