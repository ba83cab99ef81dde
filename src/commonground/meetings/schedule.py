"""Weekly recurrence in a meeting's own time zone, exact across DST changes.

Meetings recur weekly at a local wall-clock time. To find an occurrence we build the local
datetime in the meeting's zone and only then convert to UTC. DST changes make two local times
special, and RFC 5545 (section 3.3.5) says what they mean; Python's ``fold=0`` does exactly that:

- A local time inside a *gap* (02:30 on a spring-forward night in New York does not exist) is
  read with the UTC offset from *before* the gap: 02:30 EST is 07:30 UTC, which the clock shows
  as 03:30 EDT.
- A local time that happens *twice* (01:30 on a fall-back night) means its *first* occurrence,
  the one with the pre-transition offset.

Weekdays follow the Meeting Guide spec: 0 = Sunday ... 6 = Saturday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commonground.tzdb import valid_zone_names

WEEKDAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
MINUTES_PER_WEEK = 7 * 24 * 60


@lru_cache(maxsize=2048)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; raises ValueError with a readable message if unknown."""
    if not name or name not in valid_zone_names():
        raise ValueError(f"{name!r} is not an IANA time zone (for example America/New_York).")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - guarded above
        raise ValueError(f"{name!r} is not an IANA time zone (for example America/New_York).") from None


def spec_weekday(d: date) -> int:
    """Meeting Guide weekday of a date: Sunday = 0."""
    return (d.weekday() + 1) % 7


def occurrence(on: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of local time ``at`` on local date ``on`` in ``tz`` (RFC 5545 rules)."""
    # fold=0 selects the pre-transition offset for both gaps and repeated times.
    return datetime.combine(on, at, tzinfo=tz).replace(fold=0).astimezone(UTC)


def next_occurrence(weekday: int, at: time, tz: ZoneInfo, after: datetime) -> datetime:
    """First weekly occurrence at or after ``after`` (aware), as an aware UTC datetime."""
    if after.tzinfo is None:
        raise ValueError("after must be an aware datetime")
    local_day = after.astimezone(tz).date()
    # Start a day early: in zones that change clocks at midnight (America/Santiago, say), 23:30
    # on the previous local date can fall in the gap and be read as 00:30 on this one.
    start = local_day - timedelta(days=1)
    offset = (weekday - spec_weekday(start)) % 7
    candidate_day = start + timedelta(days=offset)
    while True:
        instant = occurrence(candidate_day, at, tz)
        if instant >= after:
            return instant
        candidate_day += timedelta(days=7)
