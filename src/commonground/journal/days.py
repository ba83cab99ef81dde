"""Counting days as a person lives them, and the milestones along the way.

A clock starts on a date, at an optional time, in the zone the person was in. The count follows
the wall clock of the zone the person is in *now*, so it is DST-safe (a day is a day, 23 or 25
hours) and follows someone who travels:

- with a start time, a day is counted each time the wall clock passes that time again (after
  23 hours on a spring-forward night, 25 on an autumn one); without one, at each local midnight;
- until the first day is complete the count is 0 days, with the hours shown: never "1 day" an
  hour after a start at 23:30, the bug open-source counters had.

A reset keeps the history: each slip ends a stretch, the next stretch starts at the slip's time
(so the part of the day before it still counts), and the longest stretch and the sober days in
the last 30 and 90 days are shown beside the current count.

New clocks start between ``EARLIEST_START`` (1900) and tomorrow where the person is
(``latest_start``). Values stored before that rule, anywhere from year 1 to 9999, still count and
show: the count falls back to plain dates where an instant would leave the calendar, and
milestones past 31 December 9999 are simply not listed.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from commonground.journal.records import ClockData, Slip, Stretch
from commonground.meetings import schedule

MILESTONES_FILE = Path(__file__).resolve().parent / "milestones.toml"
_AFTER = re.compile(r"^(\d{1,4})([dmy])$")
EARLIEST_START = date(1900, 1, 1)
AHEAD_OF_UTC = timedelta(hours=14)  # the zone furthest ahead (Pacific/Kiritimati)


def latest_start(zone_name: str | None, now: datetime | None = None) -> date:
    """The last start date a new clock may have: tomorrow in ``zone_name`` (or in the zone furthest
    ahead, if the zone is not known)."""
    now = now or utcnow()
    try:
        today = now.astimezone(schedule.zone(zone_name)).date() if zone_name else None
    except ValueError:
        today = None
    return (today or (now + AHEAD_OF_UTC).date()) + timedelta(days=1)


@dataclass(frozen=True)
class Count:
    started: bool
    days: int
    hours: int | None  # whole hours, in the first 24 real hours only
    start_local: datetime  # the start, in the zone used for counting


def _start_instant(start_date: date, start_time: time | None, zone_name: str) -> datetime:
    return schedule.occurrence(start_date, start_time or time(0, 0), schedule.zone(zone_name))


def parse_time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def count(start_date: date, start_time: time | None, start_zone: str, now: datetime, zone_now: str) -> Count:
    """Days since the start, counted on the wall clock of ``zone_now`` (the person's zone today)."""
    try:
        return _count(start_date, start_time, start_zone, now, zone_now)
    except (OverflowError, ValueError):  # a start so near year 1 or 9999 that an instant leaves the calendar
        return _count_by_dates(start_date, start_time, now, zone_now)


def _count_by_dates(start_date: date, start_time: time | None, now: datetime, zone_now: str) -> Count:
    """The count on the calendar alone, for starts centuries away, where a zone's offset cannot matter."""
    here = schedule.zone(zone_now)
    local_now = now.astimezone(here)
    start_here = datetime.combine(start_date, start_time or time(0, 0), tzinfo=here)
    if start_date > local_now.date():
        return Count(False, 0, 0, start_here)
    whole = (local_now.date() - start_date).days
    if start_time is not None and local_now.time().replace(tzinfo=None) < start_time:
        whole -= 1
    return Count(True, max(whole, 0), None if whole > 0 else 0, start_here)


def _count(start_date: date, start_time: time | None, start_zone: str, now: datetime, zone_now: str) -> Count:
    here = schedule.zone(zone_now)
    start = _start_instant(start_date, start_time, start_zone)
    local_now = now.astimezone(here)
    start_here = start.astimezone(here)
    if now < start:
        return Count(False, 0, 0, start_here)
    if start_time is None:  # a date: the days are dates where the person is
        whole = (local_now.date() - start_date).days
    else:  # a day each time the wall clock passes the start time again
        whole = (local_now.date() - start_here.date()).days
        if local_now.time().replace(tzinfo=None) < start_here.time().replace(tzinfo=None):
            whole -= 1
    if whole <= 0:  # the first day: hours, never "1 day" an hour after a late start
        return Count(True, 0, int((now - start).total_seconds() // 3600), start_here)
    return Count(True, whole, None, start_here)


# --- milestones ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    after: str
    names: dict[str, str]

    def on(self, start: date) -> date | None:
        """The milestone's date, or None if it would fall after 31 December 9999."""
        n, unit = int(_AFTER.match(self.after).group(1)), _AFTER.match(self.after).group(2)
        if unit == "d":
            return start + timedelta(days=n) if date.max - start >= timedelta(days=n) else None
        return shift_months(start, n * (12 if unit == "y" else 1))

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


def shift_months(day: date, months: int) -> date | None:
    """The same day of the month ``months`` later, or the month's last day (31 Jan + 1 = 28/29 Feb);
    None if that is outside the calendar (years 1 to 9999)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if not date.min.year <= year <= date.max.year:
        return None
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_months(day: date, months: int) -> date:
    """``shift_months``, stopping at the calendar's ends (a horizon, not a milestone)."""
    shifted = shift_months(day, months)
    if shifted is None:
        return date.max if months > 0 else date.min
    return shifted


@dataclass(frozen=True)
class Convention:
    code: str
    names: dict[str, str]
    notes: dict[str, str]
    confirmed: bool
    sources: tuple[dict, ...]
    milestones: tuple[Milestone, ...]
    yearly_after: str | None
    yearly_names: dict[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]

    def note(self, language: str) -> str:
        return self.notes.get(language) or self.notes.get("en", "")

    def schedule(self, start: date, until: date) -> list[tuple[date, str, dict[str, str]]]:
        """(date, after, names) for every milestone from ``start`` up to ``until``, in order."""
        out = [(day, m.after, m.names) for m in self.milestones if (day := m.on(start)) is not None]
        if self.yearly_after:
            first = int(_AFTER.match(self.yearly_after).group(1))
            listed = {m.after for m in self.milestones}
            years = first + 1
            while (day := shift_months(start, 12 * years)) is not None and day <= until:
                if f"{years}y" not in listed:
                    names = {lang: text.replace("{years}", str(years)) for lang, text in self.yearly_names.items()}
                    out.append((day, f"{years}y", names))
                years += 1
        return sorted((item for item in out if item[0] <= until), key=lambda item: item[0])


@cache
def conventions() -> dict[str, Convention]:
    data = tomllib.loads(MILESTONES_FILE.read_text(encoding="utf-8"))
    out = {}
    for c in data["convention"]:
        milestones = tuple(Milestone(m["after"], m["name"]) for m in c["milestones"])
        for m in milestones:
            if not _AFTER.match(m.after):
                raise ValueError(f"milestones.toml: {c['code']}: bad 'after' {m.after!r}")
        out[c["code"]] = Convention(
            c["code"],
            c["name"],
            c.get("note", {}),
            bool(c.get("confirmed")),
            tuple(c.get("sources", [])),
            milestones,
            c.get("yearly_after"),
            c.get("yearly_name", {"en": "{years} years"}),
        )
    return out


def next_milestone(convention: Convention, start: date, today: date, reached_today: bool):
    """(date, names) of the next milestone after today (or today's, if not reached yet), or None."""
    horizon = add_months(today, 12 * 2)
    for day, _after, names in convention.schedule(start, horizon):
        if day > today or (day == today and not reached_today):
            return day, names
    return None


# --- stretches and slips -------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    longest_days: int
    sober_last_30: int
    sober_last_90: int
    slips: int


def history(clock: ClockData, today: date) -> History:
    """From the clock's past stretches (each ended by a slip) and the current one."""
    current_start = date.fromisoformat(clock.start_date)
    stretches = [(date.fromisoformat(s.start_date), date.fromisoformat(s.end_date)) for s in clock.stretches]
    slip_days = {date.fromisoformat(s.date) for s in clock.slips}
    lengths = [(end - start).days for start, end in stretches] + [max(0, (today - current_start).days)]

    def sober_in_window(days: int) -> int:
        first = today - timedelta(days=days - 1)
        sober = set()
        for start, end in [*stretches, (current_start, today + timedelta(days=1))]:
            day = max(start, first)
            while day < min(end, today + timedelta(days=1)):
                sober.add(day)
                day += timedelta(days=1)
        return len(sober - slip_days)

    return History(max(lengths), sober_in_window(30), sober_in_window(90), len(slip_days))


def reset(clock: ClockData, slip_at: datetime, zone_name: str, note: str = "") -> ClockData:
    """The clock after a slip at ``slip_at``: history kept, the new stretch starting then."""
    local = slip_at.astimezone(schedule.zone(zone_name))
    slip_date, slip_time = local.date().isoformat(), local.strftime("%H:%M")
    return clock.but(
        stretches=[*clock.stretches, Stretch(start_date=clock.start_date, end_date=slip_date)],
        slips=[*clock.slips, Slip(date=slip_date, time=slip_time, note=note[:500], timezone=zone_name)],
        start_date=slip_date,
        start_time=slip_time,
        timezone=zone_name,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)
