"""Build the in-memory columnar index from the database (the source of truth).

Only active meetings are indexed (inactive ones never match a search). Rows are read in chunks
straight from a cursor, so a million meetings never sit in memory as Python objects at once;
repeated strings (names, search text, zones, language lists) are kept once each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from django.db import connection

from commonground.catalog.models import Program
from commonground.meetings import types
from commonground.meetings.models import Meeting, Source
from commonground.search.clock import DAY, WEEK, offset_minutes

MODE_CODES = {"in_person": 0, "online": 1, "hybrid": 2}
NO_TIME = -1  # week minute of an ongoing meeting
CHUNK = 20_000
COLUMNS = ("id", "program_id", "latitude", "longitude", "weekday", "start_time", "timezone", "attendance_mode",
           "tag_bits", "languages", "name", "group", "location", "notes")


class Texts:
    """The distinct search texts (casefolded), as one UTF-8 blob joined by NUL and their offsets.

    A blob can be memory-mapped and shared by every worker; a list of a million Python strings
    cannot. ``matches`` finds a word with ``bytes.find``, jumping to the next text after each hit,
    so it costs one scan at most, and far less for a rare word.
    """

    def __init__(self, blob, offsets: np.ndarray):
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
        return bytes(self.blob[self.offsets[i]:self.offsets[i + 1] - 1]).decode("utf-8")

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
    """The index's data: one entry per active meeting, in id order."""

    ids: np.ndarray  # int64
    program: np.ndarray  # int16, position in program_codes
    lat: np.ndarray  # float64, NaN when unknown
    lng: np.ndarray
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
    utc_week_minute: np.ndarray  # int32, approximate UTC week minute (offsets at build time); -1 ongoing
    by_utc_week: np.ndarray  # int32 positions sorted by utc_week_minute (scheduled meetings only)
    utc_week_sorted: np.ndarray  # int32, utc_week_minute[by_utc_week]


def _minute(value) -> int:
    if isinstance(value, str):  # SQLite hands back "HH:MM:SS"
        return int(value[:2]) * 60 + int(value[3:5])
    return value.hour * 60 + value.minute


def read_columns() -> Columns:
    programs = list(Program.objects.order_by("order", "code").values_list("code", "approach"))
    program_pos = {code: i for i, (code, _) in enumerate(programs)}
    zones: dict[str, int] = {}
    languages: dict[str, int] = {}
    language_bits: dict[str, int] = {}
    texts: dict[str, int] = {}
    names: dict[str, int] = {}
    parts: dict[str, list] = {name: [] for name in ("ids", "program", "lat", "lng", "week_minute", "zone", "mode",
                                                    "tags", "langs", "text", "name")}
    table = connection.ops.quote_name(Meeting._meta.db_table)
    select = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)  # "group" is an SQL keyword
    with connection.cursor() as cursor:
        # Inactive meetings never match; a disconnected source's meetings have left search; a
        # meeting listed by two sources is counted once, as its primary listing (meetings.duplicates).
        sources = connection.ops.quote_name(Source._meta.db_table)
        cursor.execute(f"SELECT {select} FROM {table} WHERE attendance_mode <> %s AND duplicate_of_id IS NULL "
                       f"AND source_id NOT IN "
                       f"(SELECT id FROM {sources} WHERE disconnected_at IS NOT NULL) ORDER BY id", ["inactive"])
        while rows := cursor.fetchmany(CHUNK):
            cols = list(zip(*rows, strict=True))
            parts["ids"].append(np.fromiter(cols[0], dtype=np.int64, count=len(rows)))
            parts["program"].append(np.fromiter((program_pos[p] for p in cols[1]), dtype=np.int16, count=len(rows)))
            parts["lat"].append(np.array([np.nan if v is None else v for v in cols[2]], dtype=np.float64))
            parts["lng"].append(np.array([np.nan if v is None else v for v in cols[3]], dtype=np.float64))
            parts["week_minute"].append(np.fromiter(
                (NO_TIME if d is None or t is None else d * DAY + _minute(t) for d, t in zip(cols[4], cols[5], strict=True)),
                dtype=np.int32, count=len(rows)))
            parts["zone"].append(np.fromiter((zones.setdefault(z, len(zones)) for z in cols[6]), dtype=np.int16,
                                             count=len(rows)))
            parts["mode"].append(np.fromiter((MODE_CODES[m] for m in cols[7]), dtype=np.int8, count=len(rows)))
            parts["tags"].append(np.fromiter(cols[8], dtype=np.int64, count=len(rows)))
            parts["langs"].append(np.fromiter((_language_mask(v, languages, language_bits) for v in cols[9]),
                                              dtype=np.int64, count=len(rows)))
            parts["text"].append(np.fromiter(
                (texts.setdefault("\n".join((n or "", g or "", loc or "", notes or "")).casefold(), len(texts))
                 for n, g, loc, notes in zip(cols[10], cols[11], cols[12], cols[13], strict=True)),
                dtype=np.int32, count=len(rows)))
            parts["name"].append(np.fromiter((names.setdefault(n.casefold(), len(names)) for n in cols[10]),
                                             dtype=np.int32, count=len(rows)))
            del rows, cols
    joined = {k: (np.concatenate(v) if v else np.zeros(0, dtype=np.int64)) for k, v in parts.items()}
    ids = joined["ids"].astype(np.int64)
    # Name order: rank the distinct names once, then break ties by id.
    unique_names = sorted(names, key=lambda n: n)
    name_rank = np.empty(len(unique_names), dtype=np.int64)
    for rank, name in enumerate(unique_names):
        name_rank[names[name]] = rank
    name_key = (name_rank[joined["name"]] << 32) | ids if len(ids) else np.zeros(0, dtype=np.int64)
    zone_names = sorted(zones, key=zones.get)
    utc_week = _approximate_utc_week(joined["week_minute"], joined["zone"], zone_names)
    scheduled = np.flatnonzero(joined["week_minute"] != NO_TIME).astype(np.int32)
    order = scheduled[np.argsort(utc_week[scheduled], kind="stable")]
    return Columns(
        ids=ids, program=joined["program"].astype(np.int16), lat=joined["lat"].astype(np.float64),
        lng=joined["lng"].astype(np.float64), week_minute=joined["week_minute"].astype(np.int32),
        zone=joined["zone"].astype(np.int16), mode=joined["mode"].astype(np.int8),
        tags=joined["tags"].astype(np.int64), langs=joined["langs"].astype(np.int64),
        text=joined["text"].astype(np.int32), name_key=name_key,
        program_codes=[c for c, _ in programs], program_approach=[a for _, a in programs],
        zone_names=zone_names, language_codes=sorted(languages, key=languages.get),
        texts=Texts.from_strings(sorted(texts, key=texts.get)), utc_week_minute=utc_week, by_utc_week=order,
        utc_week_sorted=utc_week[order],
    )


def _language_mask(raw, positions: dict, cache: dict) -> int:
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
