"""The weekly recurrence (meetings/schedule.py) against an oracle that never builds a local time.

The oracle only asks zoneinfo the one question with a single answer: what does the wall clock in
this zone show at this UTC instant? It walks UTC forward (an hour at a time while the offset holds,
minute by minute through any hour where it changes) and applies RFC 5545 (section 3.3.5) as the
module documents it:

- an occurrence is the *first* UTC minute at which the wall shows the meeting's weekday and time;
  a time the wall shows twice (a fall-back night) counts once, at its first showing;
- when the wall clock jumps over the time (a spring-forward gap), the time is read with the offset
  in force just before the jump.

tests/test_schedule.py checks hand-worked instants in six zones and a day-by-day oracle built with
``datetime.combine`` (the module's own method); this file checks the rule itself, in zones with
odd transitions (midnight, 23:00, two hours, half an hour, a skipped day), near every transition
from 2010 to 2030.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.meetings import schedule

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
SUNDAY, MONDAY, THURSDAY, FRIDAY, SATURDAY = 0, 1, 4, 5, 6

# Zones whose clocks change in unusual ways: at midnight (Santiago, Havana, Asuncion), at 23:00
# local (Nuuk from 2024), by two hours (Troll), by half an hour (Lord Howe), with a "negative" DST
# in the source data (Dublin), with a skipped calendar day (Apia, 2011-12-30), during Ramadan
# (Casablanca), on Fridays or Saturdays (Tehran before 2023, Gaza), and at quarter-hour offsets.
ZONES_WITH_CHANGES = [
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "America/Asuncion",
    "America/Nuuk",
    "America/St_Johns",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Africa/Casablanca",
    "Antarctica/Troll",
    "Asia/Tehran",
    "Asia/Gaza",
]
ZONES = [*ZONES_WITH_CHANGES, "Asia/Kathmandu", "Asia/Kolkata", "UTC", "Pacific/Kiritimati"]
FIRST, LAST = datetime(2010, 1, 1, tzinfo=UTC), datetime(2030, 12, 31, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- the oracle ------------------------------------------------------------------------------------


def wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """What the clock on the wall shows at ``instant`` (naive local time): never ambiguous."""
    return instant.astimezone(tz).replace(tzinfo=None)


def walls_between(lo: datetime, hi: datetime, weekday: int, at: time):
    """The meeting's wall times (weekday at ``at``) on the local dates from lo's to hi's."""
    day = lo.date()
    while day <= hi.date():
        if int(day.strftime("%w")) == weekday:  # the C library's weekday, Sunday = 0
            yield datetime.combine(day, at)
        day += DAY


def shown_for_the_first_time(target: datetime, instant: datetime, tz: ZoneInfo) -> bool:
    """No minute in the three hours before ``instant`` showed ``target`` already (no overlap from
    2010 to 2030 lasts longer than Troll's two hours). Where the offset three hours back is the
    offset now, nothing changed in between (no zone changes twice in three hours): no look needed."""
    if wall(instant - 3 * HOUR, tz) == target - 3 * HOUR:
        return True
    return all(wall(instant - k * MINUTE, tz) != target for k in range(1, 181))


def oracle(weekday: int, at: time, tz: ZoneInfo, after: datetime) -> datetime | None:
    # Start a day and an hour early: a time in a gap is read at an instant up to the gap's length
    # (a whole day in Samoa, 2011) after the jump, so a jump before ``after`` can still count.
    u = after.astimezone(UTC).replace(second=0, microsecond=0) - 25 * HOUR
    prev_u = u - MINUTE
    prev_wall = wall(prev_u, tz)
    limit = after + 7 * DAY + 4 * HOUR
    while u <= limit:
        w0 = wall(u, tz)
        if w0 - prev_wall > MINUTE:  # the wall clock jumped forward: these walls never show
            for target in walls_between(prev_wall, w0, weekday, at):
                if prev_wall < target < w0:
                    offset_before = prev_wall - prev_u.replace(tzinfo=None)
                    instant = (target - offset_before).replace(tzinfo=UTC)
                    if instant >= after:
                        return instant
        # An hour at a time while the offset holds over the whole hour, else one minute.
        minutes = 60 if wall(u + HOUR, tz) - w0 == HOUR else 1
        for target in walls_between(w0, w0 + minutes * MINUTE, weekday, at):
            if w0 <= target < w0 + minutes * MINUTE:
                instant = u + (target - w0)
                if instant >= after and shown_for_the_first_time(target, instant, tz):
                    return instant
        prev_u, prev_wall = u + (minutes - 1) * MINUTE, w0 + (minutes - 1) * MINUTE
        u += minutes * MINUTE
    return None


@cache
def transitions(name: str) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """(UTC instant, offset before, offset after) of every change of offset, 2010-2030, to the
    minute: a weekly scan of the offset, then bisection inside each week where it changed."""
    tz = schedule.zone(name)
    found = []
    here = FIRST
    while here < LAST:
        there = here + 7 * DAY
        before, after = here.astimezone(tz).utcoffset(), there.astimezone(tz).utcoffset()
        if before != after:
            lo, hi = here, there
            while hi - lo > MINUTE:
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid.astimezone(tz).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            found.append((hi, before, hi.astimezone(tz).utcoffset()))
        here = there
    return tuple(found)


# --- the oracle first checked on hand-worked instants ------------------------------------------------


def test_the_oracle_agrees_with_hand_worked_instants():
    new_york = schedule.zone("America/New_York")
    # 2026-03-08 02:30 does not exist in New York; read with EST (-5): 07:30 UTC.
    assert oracle(SUNDAY, time(2, 30), new_york, utc(2026, 3, 7)) == utc(2026, 3, 8, 7, 30)
    # 2026-11-01 01:30 happens twice; the first is EDT (-4): 05:30 UTC.
    assert oracle(SUNDAY, time(1, 30), new_york, utc(2026, 10, 31)) == utc(2026, 11, 1, 5, 30)
    # An ordinary Monday 19:00 EST: 00:00 UTC on Tuesday.
    assert oracle(MONDAY, time(19, 0), new_york, utc(2026, 1, 1)) == utc(2026, 1, 6, 0, 0)


# --- hand-worked instants the existing tests do not cover ----------------------------------------------


class TestOddTransitions:
    def test_a_skipped_calendar_day_in_samoa(self):
        # Samoa crossed the date line after Thursday 2011-12-29: the wall went from 23:59 at -10 to
        # Saturday 00:00 at +14 (at 10:00 UTC on the 30th). Friday the 30th never happened there.
        apia = schedule.zone("Pacific/Apia")
        after = utc(2011, 12, 29, 12)  # Thursday 02:00 at -10
        thursday = schedule.next_occurrence(THURSDAY, time(23, 0), apia, after)
        friday = schedule.next_occurrence(FRIDAY, time(19, 0), apia, after)
        saturday = schedule.next_occurrence(SATURDAY, time(10, 0), apia, after)
        assert thursday == utc(2011, 12, 30, 9, 0)  # 23:00 + 10 h
        assert friday == utc(2011, 12, 31, 5, 0)  # read with the offset before the jump: 19:00 + 10 h
        assert saturday == utc(2011, 12, 30, 20, 0)  # 10:00 - 14 h
        # So the skipped Friday's meeting falls after Saturday morning's, as the RFC rule says.
        assert thursday < saturday < friday
        assert oracle(FRIDAY, time(19, 0), apia, after) == friday

    def test_a_two_hour_gap_at_troll(self):
        # Troll station goes from +00 to +02 at 01:00 UTC on 2025-03-30: the wall jumps 01:00 -> 03:00.
        troll = schedule.zone("Antarctica/Troll")
        after = utc(2025, 3, 29)
        assert schedule.next_occurrence(SUNDAY, time(0, 30), troll, after) == utc(2025, 3, 30, 0, 30)  # +00
        assert schedule.next_occurrence(SUNDAY, time(2, 0), troll, after) == utc(2025, 3, 30, 2, 0)  # in the gap: +00
        assert schedule.next_occurrence(SUNDAY, time(3, 0), troll, after) == utc(2025, 3, 30, 1, 0)  # 03:00 - 2 h

    def test_a_two_hour_overlap_at_troll_counts_once(self):
        # On 2025-10-26 at 01:00 UTC the wall goes back from 03:00 (+02) to 01:00 (+00), so 01:00-02:59
        # shows twice. A Sunday 02:00 meeting is at its first showing: 02:00 - 2 h = 00:00 UTC.
        troll = schedule.zone("Antarctica/Troll")
        assert schedule.next_occurrence(SUNDAY, time(2, 0), troll, utc(2025, 10, 25)) == utc(2025, 10, 26, 0, 0)
        # Half an hour after it, the second showing (02:00 UTC) is not a meeting: next Sunday, at +00.
        assert schedule.next_occurrence(SUNDAY, time(2, 0), troll, utc(2025, 10, 26, 0, 30)) == utc(2025, 11, 2, 2, 0)

    def test_between_the_two_showings_of_a_repeated_time_the_next_is_a_week_later(self):
        # New York, 2026-11-01: 01:30 EDT = 05:30 UTC, then 01:30 EST = 06:30 UTC. At 06:00 UTC the
        # first has passed, and the second is not an occurrence: Sunday 8 November 01:30 EST = 06:30 UTC.
        new_york = schedule.zone("America/New_York")
        assert schedule.next_occurrence(SUNDAY, time(1, 30), new_york, utc(2026, 11, 1, 6)) == utc(2026, 11, 8, 6, 30)

    def test_a_gap_before_midnight_reads_the_previous_days_meeting_as_after_midnight(self):
        # Nuuk (-02 from late 2023) springs forward at 01:00 UTC on 2024-03-31: 23:00 on Saturday the
        # 30th becomes 00:00 on Sunday (-01). A Saturday 23:30 meeting is read at -02: 01:30 UTC,
        # which the wall shows as Sunday 00:30. Asked at Sunday 00:10 (01:10 UTC), it is still ahead:
        # the search must start from the previous local date.
        nuuk = schedule.zone("America/Nuuk")
        assert wall(utc(2024, 3, 31, 0, 59), nuuk) == datetime(2024, 3, 30, 22, 59)
        assert wall(utc(2024, 3, 31, 1, 0), nuuk) == datetime(2024, 3, 31, 0, 0)
        found = schedule.next_occurrence(SATURDAY, time(23, 30), nuuk, utc(2024, 3, 31, 1, 10))
        assert found == utc(2024, 3, 31, 1, 30)
        assert wall(found, nuuk) == datetime(2024, 3, 31, 0, 30)

    def test_a_midnight_overlap_in_havana(self):
        # Cuba fell back at 01:00 CDT on 2015-11-01 to 00:00 CST: 00:00-00:59 showed twice. A Sunday
        # 00:30 meeting is at its first showing, CDT (-4): 04:30 UTC.
        havana = schedule.zone("America/Havana")
        assert schedule.next_occurrence(SUNDAY, time(0, 30), havana, utc(2015, 10, 31)) == utc(2015, 11, 1, 4, 30)
        # And its spring gap (2015-03-08, 00:00 -> 01:00): read with CST (-5): 05:30 UTC.
        assert schedule.next_occurrence(SUNDAY, time(0, 30), havana, utc(2015, 3, 7)) == utc(2015, 3, 8, 5, 30)


# --- properties ---------------------------------------------------------------------------------------

minute_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    weekday=st.integers(0, 6),
    at=minute_times,
    name=st.sampled_from(ZONES),
    after=st.datetimes(min_value=datetime(2010, 1, 8), max_value=datetime(2030, 12, 1), timezones=st.just(UTC)),
)
def test_next_occurrence_is_the_oracles_anywhere(weekday, at, name, after):
    tz = schedule.zone(name)
    assert schedule.next_occurrence(weekday, at, tz, after) == oracle(weekday, at, tz, after)


@st.composite
def near_a_change(draw):
    """A meeting whose wall time is within three hours of a change of offset, asked about from up to
    eight days before the change to a day after it."""
    name = draw(st.sampled_from(ZONES_WITH_CHANGES))
    change, before, _after = draw(st.sampled_from(transitions(name)))
    wall_at_change = (change + before).replace(tzinfo=None)
    moment = wall_at_change + draw(st.integers(-180, 180)) * MINUTE
    weekday = int(moment.strftime("%w")) if draw(st.booleans()) else draw(st.integers(0, 6))
    after = change + draw(st.integers(-8 * 1440, 1440)) * MINUTE + draw(st.integers(0, 59)) * timedelta(seconds=1)
    return name, weekday, moment.time(), after


@pytest.mark.slow
@settings(max_examples=90, deadline=None)
@given(near_a_change())
def test_next_occurrence_is_the_oracles_near_every_change(case):
    name, weekday, at, after = case
    tz = schedule.zone(name)
    assert schedule.next_occurrence(weekday, at, tz, after) == oracle(weekday, at, tz, after), case


def test_every_zone_with_changes_has_some_between_2010_and_2030():
    # The strategy above draws from these: a zone without changes would test nothing.
    for name in ZONES_WITH_CHANGES:
        found = transitions(name)
        assert found, name
        for instant, before, after in found:
            assert before != after and instant.second == 0
            assert (instant - MINUTE).astimezone(schedule.zone(name)).utcoffset() == before


# Samoa's skipped day makes one week six days long (and the oracle covers it): left out of the bounds here.
@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    weekday=st.integers(0, 6),
    at=minute_times,
    name=st.sampled_from([z for z in ZONES if z != "Pacific/Apia"]),
    after=st.datetimes(min_value=datetime(2010, 1, 8), max_value=datetime(2030, 12, 1), timezones=st.just(UTC)),
    later=st.integers(0, 14 * 1440),
    shown_in=st.sampled_from(["UTC", "Pacific/Kiritimati", "America/Adak", "own"]),
)
def test_the_answer_depends_only_on_the_instant_and_moves_forward_a_week_at_a_time(
    weekday, at, name, after, later, shown_in
):
    tz = schedule.zone(name)
    found = schedule.next_occurrence(weekday, at, tz, after)
    assert found.tzinfo is UTC and after <= found < after + 7 * DAY + 3 * HOUR
    # The same instant written in another zone (or a fixed offset) gives the same answer.
    other = tz if shown_in == "own" else ZoneInfo(shown_in)
    assert schedule.next_occurrence(weekday, at, tz, after.astimezone(other)) == found
    assert (
        schedule.next_occurrence(weekday, at, tz, after.astimezone(timezone(timedelta(hours=-9, minutes=-30)))) == found
    )
    # An occurrence is its own next occurrence; a microsecond later, the next is about a week on.
    assert schedule.next_occurrence(weekday, at, tz, found) == found
    following = schedule.next_occurrence(weekday, at, tz, found + timedelta(microseconds=1))
    assert 7 * DAY - 3 * HOUR <= following - found <= 7 * DAY + 3 * HOUR
    # Asking later never gives an earlier answer.
    assert schedule.next_occurrence(weekday, at, tz, after + later * MINUTE) >= found


def test_exhaustively_every_weekday_and_quarter_hour_in_a_fixed_offset_zone():
    """Kolkata keeps +05:30 all year: the answer is plain arithmetic on minutes of the week."""
    tz = schedule.zone("Asia/Kolkata")
    after = utc(2026, 12, 7, 8, 17)  # Monday 13:47 in Kolkata
    local_minute_of_week = 1 * 1440 + 13 * 60 + 47  # Sunday = day 0
    for weekday in range(7):
        for quarter in range(96):
            at = time(quarter // 4, quarter % 4 * 15)
            target = weekday * 1440 + at.hour * 60 + at.minute
            wait = (target - local_minute_of_week) % schedule.MINUTES_PER_WEEK
            assert schedule.next_occurrence(weekday, at, tz, after) == after + wait * MINUTE, (weekday, at)


def test_spec_weekday_is_the_c_librarys_sunday_first_weekday():
    day = date(2024, 2, 20)
    for _ in range(800):  # two leap days, every weekday many times
        assert schedule.spec_weekday(day) == int(day.strftime("%w"))
        day += DAY
    assert schedule.WEEKDAY_NAMES[schedule.spec_weekday(date(2026, 12, 6))] == "Sunday"
    assert schedule.WEEKDAY_NAMES[schedule.spec_weekday(date(2026, 12, 12))] == "Saturday"
    assert schedule.MINUTES_PER_WEEK == 10_080


def test_occurrence_is_an_aware_utc_instant_in_both_special_cases():
    london = schedule.zone("Europe/London")
    # 2026-03-29 01:30 does not exist in London: read with GMT, 01:30 UTC.
    assert schedule.occurrence(date(2026, 3, 29), time(1, 30), london) == utc(2026, 3, 29, 1, 30)
    # 2026-10-25 01:30 shows twice: the first, BST, 00:30 UTC. A time given with fold=1 is still
    # read as its first showing: the rule does not depend on how the caller built the time.
    assert schedule.occurrence(date(2026, 10, 25), time(1, 30, fold=1), london) == utc(2026, 10, 25, 0, 30)
    assert schedule.occurrence(date(2026, 10, 25), time(1, 30), london).tzinfo is UTC


# --- zone names -------------------------------------------------------------------------------------


def test_every_portable_name_is_accepted_and_nothing_else():
    names = schedule.valid_zone_names()
    assert "America/New_York" in names and "UTC" in names and len(names) > 300
    for name in names:
        assert "/" in name or name == "UTC"
        assert schedule.zone(name).key == name
        assert schedule.zone(name) is schedule.zone(name)
    for name in available_timezones() - names:
        with pytest.raises(ValueError, match="not an IANA time zone"):
            schedule.zone(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "localtime",
        "EST5EDT",
        "GMT",
        "america/new_york",
        " America/New_York",
        "America/New_York ",
        "America/New_York/",
        "America/../Europe/London",
        "../../etc/passwd",
        "/usr/share/zoneinfo/UTC",
        "America/New York",
        "Pacific/Nowhere",
        "UTC\x00",
        None,
        5,
    ],
)
def test_names_that_are_not_portable_iana_names_are_refused_with_the_name_quoted(name):
    with pytest.raises(ValueError) as refused:
        schedule.zone(name)
    assert repr(name) in str(refused.value) and "America/New_York" in str(refused.value)


def test_a_naive_after_is_refused_even_in_utc():
    with pytest.raises(ValueError, match="aware"):
        schedule.next_occurrence(MONDAY, time(19, 0), schedule.zone("UTC"), datetime(2026, 1, 1))
