"""Vectorised local-time -> UTC for many meetings at once, exact across DST changes.

Times here are whole minutes since the Unix epoch. "Wall" minutes count a zone's clock as if it
were UTC (wall = utc + offset). For a zone whose UTC offset is constant over the span we look at,
utc = wall - offset. Around a transition at UTC minute T, from offset o1 to o2, RFC 5545 reads a
wall time W as (the same rule Python applies with fold=0):

- spring forward (o2 > o1): W in the gap [T+o1, T+o2) did not happen; it takes o1, so
  02:30 in New York becomes 07:30 UTC (03:30 EDT);
- fall back (o2 < o1): W in the repeated hour [T+o2, T+o1) means its first occurrence, also o1.

Both cases are one rule: utc = W - o1 if W < T + max(o1, o2), else W - o2. With several
transitions the thresholds are sorted and ``np.searchsorted`` picks the offset.

zoneinfo does not expose transitions, so they are found by sampling each zone's offset every
six hours and bisecting to the minute, one UTC day at a time, and cached per (zone, day).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np

from commonground.meetings.schedule import zone as get_zone

MINUTE = 60
DAY = 1440
WEEK = 7 * DAY
SAMPLES_PER_DAY = 4
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def offset_minutes(tz_name: str, utc_minute: int) -> int:
    moment = _EPOCH + timedelta(minutes=utc_minute)
    offset = moment.astimezone(get_zone(tz_name)).utcoffset()
    assert offset is not None  # an aware datetime in a ZoneInfo always has one
    return int(offset.total_seconds() // 60)


@lru_cache(maxsize=200_000)
def day_transitions(tz_name: str, utc_day: int) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """(offset at the day's start, ((T, before, after), ...)) for one UTC day of one zone."""
    start = utc_day * DAY
    step = DAY // SAMPLES_PER_DAY
    points = [start + i * step for i in range(SAMPLES_PER_DAY + 1)]
    offsets = [offset_minutes(tz_name, p) for p in points]
    found = []
    for i in range(SAMPLES_PER_DAY):
        a, oa, b, ob = points[i], offsets[i], points[i + 1], offsets[i + 1]
        if oa == ob:
            continue
        lo, hi = a, b  # offset(lo) == oa, offset(hi) == ob: find the first minute with ob
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if offset_minutes(tz_name, mid) == oa:
                lo = mid
            else:
                hi = mid
        found.append((hi, oa, ob))
    return offsets[0], tuple(found)


class ZoneSpan:
    """A zone's offsets over whole UTC days, as a vectorised wall -> utc mapping."""

    __slots__ = ("start_offset", "transitions", "thresholds", "offsets", "constant")

    def __init__(self, tz_name: str, utc_lo: int, utc_hi: int):
        first_day, last_day = utc_lo // DAY, utc_hi // DAY
        self.start_offset = day_transitions(tz_name, first_day)[0]
        self.transitions = [t for day in range(first_day, last_day + 1) for t in day_transitions(tz_name, day)[1]]
        self.thresholds = np.array(
            [when + max(before, after) for when, before, after in self.transitions], dtype=np.int64
        )
        self.offsets = np.array([self.start_offset] + [after for _, _, after in self.transitions], dtype=np.int64)
        self.constant = self.start_offset if not self.transitions else None

    def to_utc(self, wall: np.ndarray) -> np.ndarray:
        if self.constant is not None:
            return wall - self.constant
        return wall - self.offsets[np.searchsorted(self.thresholds, wall, side="right")]

    def to_wall(self, utc_minute: int) -> int:
        """Wall minute of one UTC instant (the offset in force at that instant)."""
        offset = self.start_offset
        for when, _, after in self.transitions:
            if utc_minute >= when:
                offset = after
        return utc_minute + offset


def week_start(wall_minute: int) -> int:
    """Wall minute of the Sunday 00:00 at or before ``wall_minute`` (1970-01-01 was a Thursday)."""
    days = wall_minute // DAY
    sunday = days - (days + 4) % 7
    return sunday * DAY


def first_occurrence_at_or_after(span: ZoneSpan, week_minutes: np.ndarray, utc_lo: int) -> np.ndarray:
    """UTC minute of each meeting's first weekly occurrence at or after ``utc_lo``.

    ``week_minutes`` are local minutes since Sunday 00:00 (Meeting Guide weekday * 1440 + start).
    Starting a day before the local week containing ``utc_lo`` keeps midnight transitions safe.
    """
    base = week_start(span.to_wall(utc_lo) - DAY)
    wall = base + week_minutes.astype(np.int64)
    utc = span.to_utc(wall)
    for _ in range(3):  # at most two weeks forward from a base up to eight days early
        late = utc < utc_lo
        if not late.any():
            break
        wall = np.where(late, wall + WEEK, wall)
        utc = span.to_utc(wall)
    return utc
