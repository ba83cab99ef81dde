"""The search engine: columnar numpy arrays, narrowed by place and time together.

A query picks its candidates the cheapest way it can:

- with a place: a grid of 0.1-degree cells gives the meetings in the bounding box (one slice of a
  sorted array per row of cells), then the exact great-circle distance decides;
- with a time window but no place: meetings sorted by their approximate UTC minute of the week
  give the few whose start could fall in the window (with a margin wider than any DST shift);
- otherwise: every indexed meeting.

Filters (mode, program, approach, tags, language, text) are boolean masks over the candidates.
The time test is always exact: each candidate's first occurrence at or after the window start is
computed in its own zone with the vectorised RFC 5545 clock (``clock.py``), so DST gaps and
overlaps, half-hour and 45-minute zones are all handled alike.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from commonground.meetings.geo import EARTH_RADIUS_KM, km_from
from commonground.search.build import MODE_CODES, NO_TIME, Columns, language_bits, tag_mask
from commonground.search.clock import DAY, WEEK, ZoneSpan, first_occurrence_at_or_after, offset_minutes, week_start
from commonground.search.query import SearchQuery

CELL_DEG = 0.1
LNG_CELLS = int(round(360 / CELL_DEG))
LAT_CELLS = int(round(180 / CELL_DEG))
KEY_STRIDE = WEEK + 1  # a grid key holds (cell, 1 + UTC week minute); 0 is for ongoing meetings
DST_MARGIN_FLOOR = 30  # minutes; the margin is the largest offset swing of the zones in the index
ONGOING_KEY = np.int64(1) << 62
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MODE_SETS = {"any": (0, 1, 2), "in_person": (0, 2), "online": (1, 2), "hybrid": (2,)}
Version = tuple[int, datetime | None]  # DataVersion.current_with_time(): what an index was built from
Column = np.ndarray | None  # next starts or distances: None when the query has no window, or no place
Found = tuple[np.ndarray, Column, Column]  # positions, next starts, distances


def to_minute(moment: datetime, *, up: bool = True) -> int:
    """Whole UTC minutes since the epoch. Meetings start on whole minutes, so a window's start
    rounds up and its end rounds down without changing which meetings fall inside."""
    delta = moment - _EPOCH
    minutes, rest = divmod(delta // timedelta(microseconds=1), 60_000_000)
    return minutes + (1 if up and rest else 0)


def utc_week_minute(minute: int) -> int:
    """Minutes since the UTC Sunday 00:00 before ``minute`` (1970-01-04 was a Sunday)."""
    return (minute - 3 * DAY) % WEEK


def from_minute(minute: int) -> datetime:
    return _EPOCH + timedelta(minutes=int(minute))


@dataclass
class EngineResult:
    count: int
    positions: np.ndarray  # positions in the index, in result order (one page)
    ids: list[int]
    starts: list[datetime | None]  # next start in UTC; None for ongoing meetings
    distances: list[float | None]


# Arrays a built index keeps (besides the columns): what the store writes and maps back.
DERIVED = (
    "geo_keys",
    "geo_members",
    "lat_rad",
    "lng_rad",
    "cos_lat",
    "utc_members",
    "utc_minutes",
    "online_members",
    "online_minutes",
    "ongoing",
    "ongoing_online",
    "by_name",
    "by_name_offsets",
    "program_mode_counts",
)


def derive(columns: Columns) -> dict[str, np.ndarray]:
    """Everything a search needs beyond the columns, computed once per data version."""
    out: dict[str, np.ndarray] = {}
    lat, lng, utc_week, by_utc_week, utc_week_sorted = columns.built()
    programs = len(columns.program_codes)
    # For browsing (no place, no time) by name: each program's meetings in name order (one array,
    # cut by offsets). Sorted in a thread while the place ordering below sorts here: numpy lets go
    # of the GIL while it sorts, so the two take the time of the longer.
    with ThreadPoolExecutor(1) as pool:
        sorting = pool.submit(np.argsort, columns.name_key, kind="stable")
        # Located meetings sorted by (grid cell, approximate UTC week minute): a place and a
        # time window together select a few short slices of this array.
        located = np.flatnonzero(~np.isnan(lat))
        lat_cell = np.floor((lat[located] + 90) / CELL_DEG).astype(np.int64)
        lng_cell = np.floor((lng[located] + 180) / CELL_DEG).astype(np.int64) % LNG_CELLS
        keys = (lat_cell * LNG_CELLS + lng_cell) * KEY_STRIDE + (utc_week[located] + 1)
        order = np.argsort(keys, kind="stable")
        by_name = sorting.result().astype(np.int32)
    out["geo_keys"] = keys[order]
    out["geo_members"] = located[order].astype(np.int32)
    out["lat_rad"] = np.radians(lat)
    out["lng_rad"] = np.radians(lng)
    out["cos_lat"] = np.cos(out["lat_rad"])
    # Without a place, a time window selects from meetings sorted by UTC week minute: all of
    # them, and (for "online now", the common case) only those one can join online.
    online = columns.mode[by_utc_week] != MODE_CODES["in_person"]
    out["utc_members"], out["utc_minutes"] = by_utc_week, utc_week_sorted
    out["online_members"] = by_utc_week[online]
    out["online_minutes"] = utc_week_sorted[online]
    ongoing = columns.week_minute == NO_TIME
    out["ongoing"] = np.flatnonzero(ongoing).astype(np.int32)
    out["ongoing_online"] = np.flatnonzero(ongoing & (columns.mode != MODE_CODES["in_person"])).astype(np.int32)
    out["by_name"] = by_name[np.argsort(columns.program[by_name], kind="stable")]
    out["by_name_offsets"] = np.concatenate([[0], np.cumsum(np.bincount(columns.program, minlength=programs))]).astype(
        np.int64
    )
    # How many meetings each program has in each mode.
    counts = np.bincount(columns.program.astype(np.int64) * 3 + columns.mode, minlength=(programs or 1) * 3)
    out["program_mode_counts"] = counts[: (programs or 1) * 3].reshape(programs or 1, 3).astype(np.int64)
    return out


class MeetingIndex:
    """The search engine over one data version: columns plus the orderings derived from them.

    Built once per data version by ``search.store`` (``derive`` computes the orderings), and
    mapped from its files, so every array is a read-only memory map shared by all processes.
    """

    def __init__(
        self,
        columns: Columns,
        derived: dict[str, np.ndarray],
        *,
        version: Version | None = None,
        margin: int | None = None,
        built_at: float | None = None,
    ) -> None:
        from time import time as unix_time

        self.c = columns
        self.version = version
        self.built_at = built_at or unix_time()
        self.size = len(columns.ids)
        self.arrays = derived
        self.geo_keys, self.geo_members = derived["geo_keys"], derived["geo_members"]
        self.lat_rad, self.lng_rad, self.cos_lat = derived["lat_rad"], derived["lng_rad"], derived["cos_lat"]
        self.by_utc_week = {
            False: (derived["utc_members"], derived["utc_minutes"]),
            True: (derived["online_members"], derived["online_minutes"]),
        }
        self.ongoing, self.ongoing_online = derived["ongoing"], derived["ongoing_online"]
        self.dst_margin = dst_margin(columns.zone_names) if margin is None else margin
        self.program_pos = {code: i for i, code in enumerate(columns.program_codes)}
        offsets = derived["by_name_offsets"]
        self.by_program_name = [
            derived["by_name"][offsets[p] : offsets[p + 1]] for p in range(len(columns.program_codes))
        ]
        self.program_mode_counts = derived["program_mode_counts"]

    # --- candidates -----------------------------------------------------------------------
    def _cells(self, lat: float, lng: float, radius_km: float) -> list[tuple[int, int, int]]:
        """(row, first column, last column) runs of grid cells covering the circle's bounding box."""
        dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
        lat_lo, lat_hi = max(-90.0, lat - dlat), min(90.0, lat + dlat)
        polar = lat_hi >= 89.9 or lat_lo <= -89.9
        coslat = min(math.cos(math.radians(lat_lo)), math.cos(math.radians(lat_hi)))
        dlng = 180.0 if polar or coslat <= 1e-9 else min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * coslat)))
        row_lo = int((lat_lo + 90) // CELL_DEG)
        row_hi = min(int((lat_hi + 90) // CELL_DEG), LAT_CELLS - 1)
        if dlng >= 180.0:
            col_ranges = [(0, LNG_CELLS - 1)]
        else:
            col_lo = int(math.floor((lng - dlng + 180) / CELL_DEG))
            col_hi = int(math.floor((lng + dlng + 180) / CELL_DEG))
            if col_lo < 0:
                col_ranges = [(col_lo % LNG_CELLS, LNG_CELLS - 1), (0, col_hi)]
            elif col_hi >= LNG_CELLS:
                col_ranges = [(col_lo, LNG_CELLS - 1), (0, col_hi % LNG_CELLS)]
            else:
                col_ranges = [(col_lo, col_hi)]
        return [(row, a, b) for row in range(row_lo, row_hi + 1) for a, b in col_ranges]

    def _in_box(self, lat: float, lng: float, radius_km: float, window: tuple[int, int] | None = None) -> np.ndarray:
        """Positions in the grid cells around the circle; with a window, only meetings whose
        approximate UTC start could fall in it (and ongoing ones). Distance is checked later."""
        runs = self._cells(lat, lng, radius_km)
        if window is None:
            lo_keys = np.array([(row * LNG_CELLS + a) * KEY_STRIDE for row, a, _ in runs], dtype=np.int64)
            hi_keys = np.array(
                [(row * LNG_CELLS + b) * KEY_STRIDE + KEY_STRIDE - 1 for row, _, b in runs], dtype=np.int64
            )
        else:
            cells = np.concatenate(
                [np.arange(row * LNG_CELLS + a, row * LNG_CELLS + b + 1, dtype=np.int64) for row, a, b in runs]
            )
            # Week-minute slots (+1: slot 0 holds ongoing meetings) the window can reach.
            slots = [(0, 0)] + [(x + 1, y + 1) for x, y in _week_ranges(*window, self.dst_margin)]
            lo_keys = (cells[:, None] * KEY_STRIDE + np.array([x for x, _ in slots])).ravel()
            hi_keys = (cells[:, None] * KEY_STRIDE + np.array([y for _, y in slots])).ravel()
        lo = np.searchsorted(self.geo_keys, lo_keys, side="left")
        hi = np.searchsorted(self.geo_keys, hi_keys, side="right")
        return self.geo_members[_gather(lo, hi)]

    def ids_within(self, lat: float, lng: float, radius_km: float) -> np.ndarray:
        """Ids of the located meetings within ``radius_km`` of a point (any day, time or program)."""
        positions = self._in_box(lat, lng, radius_km)
        inside = self.distance_km(positions, lat, lng) <= radius_km
        return np.sort(self.c.ids[positions[inside]])

    def distance_km(self, positions: np.ndarray, lat: float, lng: float) -> np.ndarray:
        """Great-circle km (``meetings.geo``) from the point to each position's meeting."""
        lat_r = math.radians(lat)
        return km_from(
            lat_r,
            math.radians(lng),
            math.cos(lat_r),
            self.lat_rad[positions],
            self.lng_rad[positions],
            self.cos_lat[positions],
        )

    def _in_utc_week(self, lo: int, hi: int, *, online_only: bool = False) -> np.ndarray:
        """Scheduled meetings whose approximate UTC week minute could start in [lo, hi] (UTC minutes)."""
        members, minutes = self.by_utc_week[online_only]
        parts = []
        for a, b in _week_ranges(lo, hi, self.dst_margin):
            i = int(np.searchsorted(minutes, a, side="left"))
            j = int(np.searchsorted(minutes, b, side="right"))
            parts.append(members[i:j])
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    # --- exact time -------------------------------------------------------------------------
    def next_starts(self, positions: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """UTC minute of each position's first occurrence at or after ``lo`` (ongoing: -1)."""
        out = np.full(len(positions), -1, dtype=np.int64)
        if not len(positions):
            return out
        week_minute = self.c.week_minute[positions]
        scheduled = week_minute != NO_TIME
        zones = self.c.zone[positions]
        first_day, last_day = (lo - 2 * DAY) // DAY, (max(lo, min(hi, lo + 8 * DAY)) + 2 * DAY) // DAY
        present = np.unique(zones[scheduled])
        spans = {int(z): _span(self.c.zone_names[z], first_day, last_day) for z in present}
        constant = np.zeros(len(self.c.zone_names) or 1, dtype=np.int64)
        base = np.zeros_like(constant)
        changing = []
        for z, span in spans.items():
            if span.constant is None:
                changing.append(z)
            else:
                constant[z] = span.constant
                base[z] = week_start(lo + span.constant - DAY)
        # Constant-offset zones, all at once: wall = local week base + minute; utc = wall - offset.
        wall = base[zones] + week_minute
        utc = wall - constant[zones]
        for _ in range(3):
            late = scheduled & (utc < lo)
            if not late.any():
                break
            utc = np.where(late, utc + WEEK, utc)
        out[scheduled] = utc[scheduled]
        # Zones with a DST change in the span: the piecewise clock, one zone at a time.
        for z in changing:
            members = scheduled & (zones == z)
            out[members] = first_occurrence_at_or_after(spans[z], week_minute[members], lo)
        return out

    # --- the query --------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> EngineResult:
        if (
            not (query.has_place or query.has_time)
            and query.sort == "name"
            and not (query.tags or query.languages or query.q)
        ):
            return self._browse(query)
        candidates, starts, distances = self._matches(query)
        order = self._order(query, candidates, starts, distances, to_minute(query.now))
        page = order[query.offset : query.offset + query.limit]
        return self._result(
            query,
            len(candidates),
            candidates[page],
            None if starts is None else starts[page],
            None if distances is None else distances[page],
        )

    def program_counts(self, query: SearchQuery) -> dict[str, int]:
        """How many meetings match ``query`` in each program (for ranking programs by availability)."""
        candidates, _, _ = self._matches(query)
        counts = np.bincount(self.c.program[candidates], minlength=len(self.c.program_codes))
        return {code: int(n) for code, n in zip(self.c.program_codes, counts, strict=True)}

    def _matches(self, query: SearchQuery) -> Found:
        """Every matching position, with its next start (if a window was given) and distance.

        Several windows (several days) are searched one by one and merged: a meeting that
        matches more than one keeps its earliest start.
        """
        windows = [(to_minute(a), to_minute(b, up=False)) for a, b in query.windows] if query.has_time else [None]
        if len(windows) == 1:
            return self._matches_window(query, windows[0])
        parts = [self._matches_window(query, window) for window in windows]
        candidates = np.concatenate([p[0] for p in parts])
        starts = np.concatenate([p[1] for p in parts])
        distances = np.concatenate([p[2] for p in parts]) if query.has_place else None
        order = np.lexsort((starts, candidates))  # by position, then earliest start first
        candidates, starts = candidates[order], starts[order]
        first = np.ones(len(candidates), dtype=bool)
        first[1:] = candidates[1:] != candidates[:-1]
        return candidates[first], starts[first], None if distances is None else distances[order][first]

    def _matches_window(self, query: SearchQuery, window: tuple[int, int] | None) -> Found:
        if query.latitude is not None and query.longitude is not None:  # query.has_place: both or neither
            candidates = self._in_box(query.latitude, query.longitude, query.radius_km, window)
        elif window is not None:  # query.has_time (``_matches``)
            online = query.mode in ("online", "hybrid")
            candidates = np.concatenate(
                [self._in_utc_week(*window, online_only=online), self.ongoing_online if online else self.ongoing]
            )
        else:
            candidates = np.arange(self.size, dtype=np.int32)

        # Cheap column filters first; distance and exact time only for what survives them.
        candidates = candidates[self._filters(candidates, query)]
        distances = None
        if query.latitude is not None and query.longitude is not None:
            distances = self.distance_km(candidates, query.latitude, query.longitude)
            inside = distances <= query.radius_km
            candidates, distances = candidates[inside], distances[inside]
        starts = None
        if window is not None:
            starts = self.next_starts(candidates, *window)
            in_window = (starts == -1) | (starts <= window[1])
            candidates, starts = candidates[in_window], starts[in_window]
            if distances is not None:
                distances = distances[in_window]
        return candidates, starts, distances

    def _result(
        self, query: SearchQuery, count: int, positions: np.ndarray, starts: Column, distances: Column
    ) -> EngineResult:
        if starts is None:  # no window: the next start from now, for the page only
            now_minute = to_minute(query.now)
            starts = self.next_starts(positions, now_minute, now_minute + WEEK)
        return EngineResult(
            count=count,
            positions=positions,
            ids=self.c.ids[positions].tolist(),
            starts=[None if s < 0 else from_minute(s) for s in starts.tolist()],
            distances=[None] * len(positions) if distances is None else distances.tolist(),
        )

    def _browse(self, query: SearchQuery) -> EngineResult:
        """No place, no time, name order, and only program/approach/mode filters: each program's
        meetings are already in name order, and counts per program and mode are kept."""
        c = self.c
        wanted = self._program_positions(query)
        modes = list(MODE_SETS[query.mode])
        count = int(self.program_mode_counts[np.ix_(wanted, modes)].sum()) if wanted else 0
        needed = query.offset + query.limit
        mode_ok = np.zeros(3, dtype=bool)
        mode_ok[modes] = True
        take = max(needed * 2, 64)
        while True:
            heads = [lst[:take] for lst in (self.by_program_name[p] for p in wanted)]
            heads = [h[mode_ok[c.mode[h]]] for h in heads]
            merged = np.concatenate(heads) if heads else np.zeros(0, dtype=np.int32)
            # Enough when every program either gave `needed` matches or ran out of meetings.
            short = [
                p for p, h in zip(wanted, heads, strict=True) if len(h) < needed and take < len(self.by_program_name[p])
            ]
            if not short:
                break
            take *= 4
        merged = merged[np.argsort(c.name_key[merged], kind="stable")][query.offset : needed]
        return self._result(query, count, merged, None, None)

    def _program_positions(self, query: SearchQuery) -> list[int]:
        c = self.c
        programs = set(query.programs) if query.programs else set(c.program_codes)
        if query.approach:
            programs &= {
                code for code, a in zip(c.program_codes, c.program_approach, strict=True) if a == query.approach
            }
        return sorted(self.program_pos[p] for p in programs if p in self.program_pos)

    def _filters(self, candidates: np.ndarray, query: SearchQuery) -> np.ndarray:
        c = self.c
        keep = np.ones(len(candidates), dtype=bool)
        if query.mode != "any":
            mode_ok = np.zeros(3, dtype=bool)
            mode_ok[list(MODE_SETS[query.mode])] = True
            keep &= mode_ok[c.mode[candidates]]
        if query.programs or query.approach:
            allowed = np.zeros(len(c.program_codes) or 1, dtype=bool)
            allowed[self._program_positions(query)] = True
            keep &= allowed[c.program[candidates]]
        if query.tags:
            mask = tag_mask(query.tags)
            keep &= (c.tags[candidates] & mask) == mask
        if query.languages:
            mask = language_bits(c, query.languages)
            keep &= False if mask < 0 else (c.langs[candidates] & mask) == mask
        if query.q:
            keep &= self._text_matches(query.q.casefold())[c.text[candidates]]
        return keep

    @lru_cache(maxsize=256)  # noqa: B019 - one index lives per data version; the cache goes with it
    def _text_matches(self, needle: str) -> np.ndarray:
        return self.c.texts.matches(needle)

    def _order(
        self, query: SearchQuery, candidates: np.ndarray, starts: Column, distances: Column, now_minute: int
    ) -> np.ndarray:
        """Positions into ``candidates`` for the requested page, best first."""
        needed = min(len(candidates), query.offset + query.limit)
        if needed == 0:
            return np.zeros(0, dtype=np.int64)
        ids = self.c.ids[candidates]
        if query.sort == "nearest" and distances is not None:  # always: nearest needs a place (parse_query)
            # Millimetre precision: two meetings at "the same" distance are ordered by id, not by
            # floating-point noise in the last digit.
            return _top_by(needed, np.round(distances, 6), ids)
        if query.sort == "soonest":
            if starts is None:
                starts = self.next_starts(candidates, now_minute, now_minute + WEEK)
            # Scheduled meetings by start, then (with a place) the nearer first, then id; ongoing
            # ones after them, by name. A tie at one minute used to go by id: 17.2 km before 5.6 km.
            key = np.where(starts >= 0, starts << 32, ONGOING_KEY + (self.c.name_key[candidates] >> 32))
            if distances is None:
                return _top_by(needed, key, ids)
            return _top_by(needed, key, ids, then=np.where(starts >= 0, np.round(distances, 6), 0.0))
        return _top_by(needed, self.c.name_key[candidates], ids)


def _week_ranges(lo: int, hi: int, margin: int) -> list[tuple[int, int]]:
    """Ranges of UTC week minutes (0 = Sunday 00:00) an occurrence in [lo, hi] can have,
    widened by ``margin`` (the largest DST shift), split where they wrap past Saturday night."""
    if hi - lo + 2 * margin >= WEEK:
        return [(0, WEEK - 1)]
    a, b = utc_week_minute(lo - margin), utc_week_minute(hi + margin)
    return [(a, b)] if a <= b else [(a, WEEK - 1), (0, b)]


def _gather(lo: np.ndarray, hi: np.ndarray) -> npt.NDArray[np.int64]:
    """All indices in the half-open ranges [lo, hi), concatenated, without a Python loop."""
    lengths = hi - lo
    keep = lengths > 0
    lo, lengths = lo[keep], lengths[keep]
    if not len(lo):
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(lo - offsets, lengths) + np.arange(int(lengths.sum()))


def _top_by(needed: int, key: np.ndarray, ids: np.ndarray, then: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``needed`` smallest keys, ordered by (key, then, id); ties at the cut are kept exact."""
    if needed < len(key):
        kth = np.partition(key, needed - 1)[needed - 1]
        subset = np.flatnonzero(key <= kth)
    else:
        subset = np.arange(len(key))
    sort_keys = (ids[subset], key[subset]) if then is None else (ids[subset], then[subset], key[subset])
    order = subset[np.lexsort(sort_keys)]
    return order[:needed]


def dst_margin(zone_names: list[str]) -> int:
    """The widest swing of UTC offset, in minutes, over the next year for these zones.

    The UTC-week orderings use each zone's offset when the index was built; an occurrence can be
    off by at most this much (one hour in most DST zones, half an hour on Lord Howe Island, two
    hours in Antarctica/Troll), so candidate ranges are widened by it.
    """
    from time import time as unix_time

    now = int(unix_time() // 60)
    widest = 0
    for name in zone_names:
        offsets = [offset_minutes(name, now + day * DAY) for day in range(0, 400, 7)]
        widest = max(widest, max(offsets) - min(offsets))
    return max(widest, DST_MARGIN_FLOOR) + 1


@lru_cache(maxsize=4096)
def _span(zone_name: str, first_day: int, last_day: int) -> ZoneSpan:
    return ZoneSpan(zone_name, first_day * DAY, last_day * DAY)
