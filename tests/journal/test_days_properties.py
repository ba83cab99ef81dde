"""Day counting and milestones as rules over their inputs (``journal/days.py``).

test_days.py pins hand-worked examples (DST nights, Kiritimati, a traveller, one reset). Here the same
rules are checked over many inputs, each against an oracle that computes the answer another way:

- in zones with a fixed offset the wall clock *is* elapsed time, so a count must equal elapsed time
  cut into 24-hour days, wherever the clock started and wherever the person is now;
- in zones with DST, the k-th anniversary of the start on the wall clock is exactly day k, a minute
  earlier it is day k - 1, and the count never goes down as time passes (outside the repeated hour of
  an autumn night, see ``unambiguous``);
- milestone dates against a month stepper written without ``calendar`` and the conventions read
  straight from ``milestones.toml``;
- resets and the history against the slip dates alone.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from commonground.journal import days
from commonground.journal.records import ClockData
from commonground.meetings import schedule


def reset(clock: dict, *args) -> dict:
    """``days.reset`` on a clock written as its stored JSON, answered the same way."""
    return days.reset(ClockData.load(clock), *args).dump()


def history(clock: dict, today: date) -> days.History:
    return days.history(ClockData.load(clock), today)


PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)
DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)

# Zones whose offset has not changed since 1996 and has no DST (Kiritimati moved to +14 in 1995,
# Kathmandu to +5:45 in 1986). Minutes east of UTC, written out here rather than asked of zoneinfo.
FIXED = {
    "UTC": 0,
    "Pacific/Kiritimati": 14 * 60,
    "Etc/GMT+12": -12 * 60,
    "Asia/Kathmandu": 5 * 60 + 45,
    "Asia/Kolkata": 5 * 60 + 30,
    "Pacific/Marquesas": -(9 * 60 + 30),
    "Asia/Tokyo": 9 * 60,
}
# Zones with DST of every kind: an hour, half an hour (Lord Howe), negative DST (Dublin), changes at
# midnight (Santiago, Havana, Beirut), southern hemisphere (Sydney, Chatham at +12:45/+13:45).
DST = [
    "America/New_York",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "Pacific/Chatham",
    "America/St_Johns",
    "America/Chicago",
    "Europe/Madrid",
]

START_DATES = st.dates(date(1996, 1, 1), date(2040, 12, 31))
MINUTE_TIMES = st.builds(time, st.integers(0, 23), st.integers(0, 59))
START_TIMES = st.none() | MINUTE_TIMES
INSTANTS = st.datetimes(datetime(1996, 1, 1), datetime(2041, 12, 31), timezones=st.just(UTC))


def unambiguous(instant: datetime, zone: str) -> bool:
    """The instant's wall-clock time happens once in ``zone`` (not in the repeated hour of a fall-back)."""
    wall = instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return (
        wall.replace(tzinfo=ZoneInfo(zone), fold=0).utcoffset()
        == wall.replace(tzinfo=ZoneInfo(zone), fold=1).utcoffset()
    )


def exists(wall: datetime, zone: str) -> bool:
    """The wall-clock time is shown at some instant in ``zone`` (it is not in a spring-forward gap)."""
    there = wall.replace(tzinfo=ZoneInfo(zone))
    return there.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == wall


# --- counting: fixed offsets, where a day is 24 hours ----------------------------------------------


@pytest.mark.slow
@PROPERTY
@given(START_DATES, START_TIMES, st.sampled_from(sorted(FIXED)), INSTANTS, st.sampled_from(sorted(FIXED)))
def test_with_fixed_offsets_a_count_is_elapsed_time_in_whole_days(start_date, start_time, start_zone, now, zone_now):
    # The start instant, from the offset written above: local wall time minus the offset.
    start = (datetime.combine(start_date, start_time or time(0, 0)) - timedelta(minutes=FIXED[start_zone])).replace(
        tzinfo=UTC
    )
    elapsed = now - start
    got = days.count(start_date, start_time, start_zone, now, zone_now)
    if elapsed < timedelta(0):
        assert (got.started, got.days, got.hours) == (False, 0, 0)
        return
    assert got.started
    if start_time is not None:
        # A day each time the wall clock passes the start time again: on a fixed offset, every 24 hours,
        # whichever fixed zone the person is in now.
        whole = elapsed // DAY
    else:
        # A date: the days are dates where the person is now.
        local_today = (now.replace(tzinfo=None) + timedelta(minutes=FIXED[zone_now])).date()
        whole = (local_today - start_date).days
    if whole >= 1:
        assert (got.days, got.hours) == (whole, None)
    else:
        assert (got.days, got.hours) == (0, elapsed // HOUR)


@pytest.mark.slow
@PROPERTY
@given(START_DATES, MINUTE_TIMES, st.sampled_from(sorted(FIXED)), st.integers(0, 23 * 60 + 59))
def test_the_first_day_shows_whole_hours_and_never_a_day(start_date, start_time, zone, minutes_later):
    start = datetime.combine(start_date, start_time) - timedelta(minutes=FIXED[zone])
    now = (start + timedelta(minutes=minutes_later)).replace(tzinfo=UTC)
    got = days.count(start_date, start_time, zone, now, zone)
    assert got.started and got.days == 0
    assert got.hours == minutes_later // 60  # e.g. 23:30 to 22:45 the next evening: 1395 min, 23 hours


# --- counting: zones with DST, on the wall clock ---------------------------------------------------


@pytest.mark.slow
@PROPERTY
@given(st.dates(date(2015, 1, 1), date(2038, 12, 31)), START_TIMES, st.sampled_from(DST), st.integers(1, 3000))
def test_the_kth_wall_clock_anniversary_is_day_k(start_date, start_time, zone, k):
    at = start_time or time(0, 0)
    assume(exists(datetime.combine(start_date, at), zone))
    anniversary_wall = datetime.combine(start_date + timedelta(days=k), at)
    assume(exists(anniversary_wall, zone))
    # The first time the wall clock shows the start time again on day k (the first of two, in a fold).
    anniversary = anniversary_wall.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)
    assert days.count(start_date, start_time, zone, anniversary, zone).days == k
    just_before = anniversary - MINUTE
    assume(unambiguous(just_before, zone))
    before = days.count(start_date, start_time, zone, just_before, zone)
    assert before.days == k - 1
    if k == 1:  # the whole first day shown in hours: 23, 24 or 25 of them, or 22.5 to 24.5 on Lord Howe
        assert (
            before.hours
            == (just_before - datetime.combine(start_date, at).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)) // HOUR
        )
        assert 22 <= before.hours <= 24


@pytest.mark.slow
@PROPERTY
@given(
    st.dates(date(2015, 1, 1), date(2038, 12, 31)),
    START_TIMES,
    st.sampled_from(DST + sorted(FIXED)),
    st.integers(-2 * 24 * 60, 3 * 365 * 24 * 60),
    st.integers(1, 400 * 24 * 60),
)
def test_a_count_never_goes_down_as_time_passes(start_date, start_time, zone, offset_minutes, later_minutes):
    at = start_time or time(0, 0)
    assume(exists(datetime.combine(start_date, at), zone))
    start = datetime.combine(start_date, at).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    first = start + timedelta(minutes=offset_minutes)
    second = first + timedelta(minutes=later_minutes)
    # In the hour a fall-back repeats, the wall clock goes back and today's count goes back with it
    # (a start at 01:30 in New York shows day n at the first 01:45 and n - 1 at the second 01:10 on
    # 1 November 2026): a known flaw, not held here, so both instants are taken outside that hour.
    assume(unambiguous(first, zone) and unambiguous(second, zone))
    one = days.count(start_date, start_time, zone, first, zone)
    two = days.count(start_date, start_time, zone, second, zone)
    assert (one.started, one.days) <= (two.started, two.days)
    if one.days == two.days == 0 and one.started:
        assert one.hours <= two.hours
    # Less than 23 hours after the start is never a day (no day in these zones is shorter than 23 hours).
    if timedelta(0) <= first - start < timedelta(hours=23) and start_time is not None:
        assert one.days == 0


@pytest.mark.slow
@PROPERTY
@given(
    st.dates(date(2015, 1, 1), date(2038, 12, 31)),
    MINUTE_TIMES,
    st.sampled_from(DST + sorted(FIXED)),
    st.sampled_from(DST + sorted(FIXED)),
    st.integers(0, 5 * 365 * 24 * 60),
)
def test_with_a_start_time_the_count_is_an_instant_s_and_travel_moves_it_by_at_most_a_day(
    start_date, start_time, start_zone, zone_now, minutes_later
):
    """Same instant, two places: a start time is one instant, so a person who flies keeps their count,
    give or take the one day the two wall clocks' DST can put between them."""
    assume(exists(datetime.combine(start_date, start_time), start_zone))
    start = datetime.combine(start_date, start_time).replace(tzinfo=ZoneInfo(start_zone)).astimezone(UTC)
    now = start + timedelta(minutes=minutes_later)
    assume(unambiguous(now, zone_now) and unambiguous(now, start_zone))
    home = days.count(start_date, start_time, start_zone, now, start_zone)
    away = days.count(start_date, start_time, start_zone, now, zone_now)
    assert away.started and home.started
    assert abs(home.days - away.days) <= 1
    # Elapsed real time brackets both: a wall-clock day is 23 to 25 hours long.
    elapsed_hours = (now - start) / HOUR
    for got in (home, away):
        assert elapsed_hours / 25 - 1 <= got.days <= elapsed_hours / 23


# --- counting: starts at the ends of the calendar ---------------------------------------------------

EDGE_DATES = st.one_of(
    st.dates(date(1, 1, 1), date(3, 12, 31)),
    st.dates(date(9997, 1, 1), date(9999, 12, 31)),
    st.sampled_from([date.min, date.max]),
)


@pytest.mark.slow
@PROPERTY
@given(EDGE_DATES, START_TIMES, st.sampled_from(DST + sorted(FIXED)), INSTANTS)
def test_a_start_at_either_end_of_the_calendar_counts_by_dates(start_date, start_time, zone, now):
    """Values stored before the form's window: an instant would leave the calendar, the count
    falls back to dates where the person is, and never raises."""
    got = days.count(start_date, start_time, zone, now, zone)
    local_today = now.astimezone(ZoneInfo(zone)).date()
    if start_date > local_today:
        assert (got.started, got.days) == (False, 0)
        return
    by_dates = (local_today - start_date).days  # e.g. 0001-01-01 to 2026-12-07: 739 956 days
    assert got.started
    assert got.days in (by_dates, by_dates - 1) if start_time is not None else got.days == by_dates
    assert (got.hours is None) == (got.days > 0)


def test_a_start_in_year_one_counts_the_days_since():
    # 1 January of year 1 to 1 January 2001: 2000 years of 365 days and 500 - 20 + 5 = 485 leap days.
    now = datetime(2001, 1, 1, 12, tzinfo=UTC)
    # Midnight in Tokyo (local mean time, +9:18:59) on 1 January of year 1 is in year 0 in UTC: by dates.
    assert days.count(date(1, 1, 1), None, "Asia/Tokyo", now, "UTC").days == 730485
    # A start at 13:00 UTC: at 12:00 on the last day, that day is not complete yet.
    assert days.count(date(1, 1, 1), time(13, 0), "UTC", now, "UTC").days == 730484
    assert days.count(date(1, 1, 1), time(11, 0), "UTC", now, "UTC").days == 730485


# --- the window a new clock may start in ------------------------------------------------------------

LATEST_INSTANTS = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=st.just(UTC))


@pytest.mark.slow
@PROPERTY
@given(LATEST_INSTANTS, st.sampled_from(sorted(FIXED)))
def test_latest_start_is_tomorrow_where_the_person_is(now, zone):
    local_today = (now.replace(tzinfo=None) + timedelta(minutes=FIXED[zone])).date()
    assert days.latest_start(zone, now) == local_today + DAY


@pytest.mark.slow
@PROPERTY
@given(LATEST_INSTANTS, st.sampled_from([None, "", "Mars/Olympus", "localtime", "EST5EDT ", "../etc"]))
def test_an_unknown_zone_allows_tomorrow_in_the_zone_furthest_ahead(now, zone):
    # UTC+14 (Kiritimati): 2026-12-07 11:00 UTC is 2026-12-08 01:00 there, so tomorrow is 9 December.
    assert days.latest_start(zone, now) == (now.replace(tzinfo=None) + timedelta(hours=14)).date() + DAY
    assert days.latest_start(zone, now) == days.latest_start("Pacific/Kiritimati", now)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 12, 7, 11, 0, tzinfo=UTC),
        datetime(2026, 6, 30, 23, 59, tzinfo=UTC),
        datetime(2027, 3, 14, 9, 30, tzinfo=UTC),
    ],
)
def test_no_known_zone_is_ahead_of_the_unknown_zone_s_bound_nor_behind_utc_minus_12(now):
    """Every zone a person can choose: its tomorrow lies between UTC-12's and UTC+14's."""
    earliest = (now - timedelta(hours=12)).date() + DAY
    latest = days.latest_start(None, now)
    for zone in sorted(schedule.valid_zone_names()):
        assert earliest <= days.latest_start(zone, now) <= latest, zone


def test_the_window_starts_in_1900():
    assert days.EARLIEST_START == date(1900, 1, 1)


# --- milestones: months and years --------------------------------------------------------------------


def last_day(year: int, month: int) -> int:
    for day in (31, 30, 29, 28):
        try:
            date(year, month, day)
        except ValueError:
            continue
        return day
    raise AssertionError("no month is shorter than 28 days")


def step_months(start: date, months: int) -> date | None:
    """Walk one month at a time, then clamp the day: the oracle for ``shift_months``."""
    year, month = start.year, start.month
    for _ in range(abs(months)):
        month += 1 if months > 0 else -1
        if month == 13:
            year, month = year + 1, 1
        elif month == 0:
            year, month = year - 1, 12
        if not 1 <= year <= 9999:
            return None
    return date(year, month, min(start.day, last_day(year, month)))


@PROPERTY
@given(st.dates(), st.integers(-240, 240))
def test_shift_months_steps_month_by_month_and_clamps_the_day(start, months):
    assert days.shift_months(start, months) == step_months(start, months)
    assert days.add_months(start, months) == (step_months(start, months) or (date.max if months > 0 else date.min))


@PROPERTY
@given(
    st.dates(date(1900, 1, 1), date(2100, 12, 28)).filter(lambda d: d.day <= 28),
    st.integers(0, 120),
    st.integers(0, 120),
)
def test_shifting_by_months_adds_up_when_no_day_is_clamped(start, a, b):
    assert days.shift_months(days.shift_months(start, a), b) == days.shift_months(start, a + b)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # a leap day's year-later: the last day of February
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 10, 31), -1, date(2026, 9, 30)),
        (date(9999, 12, 1), 1, None),  # past 31 December 9999
        (date(1, 1, 31), -1, None),
    ],
)
def test_shift_months_examples(start, months, expected):
    assert days.shift_months(start, months) == expected


# --- milestones: the conventions, from the file ------------------------------------------------------

FILE = tomllib.loads(days.MILESTONES_FILE.read_text(encoding="utf-8"))
CONVENTIONS = {c["code"]: c for c in FILE["convention"]}


def milestone_date(start: date, after: str) -> date | None:
    """A milestone's date from its ``after`` written as in the file: "30d", "6m", "1y"."""
    n, unit = int(after[:-1]), after[-1]
    if unit == "d":
        return start + timedelta(days=n) if (date.max - start).days >= n else None
    return step_months(start, n * 12 if unit == "y" else n)


def expected_schedule(code: str, start: date, until: date) -> list[tuple[date, str]]:
    raw = CONVENTIONS[code]
    out = [(milestone_date(start, m["after"]), m["after"]) for m in raw["milestones"]]
    listed = {m["after"] for m in raw["milestones"]}
    if raw.get("yearly_after"):
        years = int(raw["yearly_after"][:-1]) + 1
        while (day := milestone_date(start, f"{years}y")) is not None and day <= until:
            if f"{years}y" not in listed:
                out.append((day, f"{years}y"))
            years += 1
    return sorted((d, a) for d, a in out if d is not None and d <= until)


def expected_names(code: str, after: str) -> dict[str, str]:
    raw = CONVENTIONS[code]
    listed = {m["after"]: m["name"] for m in raw["milestones"]}
    if after in listed:
        return listed[after]
    return {lang: text.replace("{years}", after[:-1]) for lang, text in raw["yearly_name"].items()}


@pytest.mark.slow
@PROPERTY
@given(st.sampled_from(sorted(CONVENTIONS)), st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.integers(0, 12000))
def test_a_schedule_is_every_milestone_from_the_file_up_to_its_end(code, start, span):
    until = start + timedelta(days=span)
    got = days.conventions()[code].schedule(start, until)
    assert [d for d, _after, _names in got] == sorted(d for d, _after, _names in got)
    assert sorted((d, after) for d, after, _names in got) == expected_schedule(code, start, until)
    for _day, after, names in got:
        assert names == expected_names(code, after)
        assert "{years}" not in names["en"] and "{years}" not in names["es"]


def test_the_yearly_milestones_of_the_plain_counts_read_in_both_languages():
    got = days.conventions()["plain"].schedule(date(2020, 5, 17), date(2025, 5, 17))
    assert [(d, names["en"], names["es"]) for d, after, names in got if after in ("2y", "5y")] == [
        (date(2022, 5, 17), "2 years", "2 años"),
        (date(2025, 5, 17), "5 years", "5 años"),
    ]
    na = days.conventions()["na-keytags"].schedule(date(2020, 5, 17), date(2022, 5, 17))
    assert [after for _d, after, _n in na][-3:] == ["1y", "18m", "2y"]  # 18 months sits between the years


@pytest.mark.slow
@PROPERTY
@given(
    st.sampled_from(sorted(CONVENTIONS)),
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.integers(-400, 20000),
    st.booleans(),
)
def test_the_next_milestone_is_the_first_one_not_yet_reached_within_two_years(code, start, offset, reached_today):
    today = start + timedelta(days=offset)
    # All milestones up to five years on (the yearly ones make sure one is there), from the oracle.
    far = expected_schedule(code, start, today + timedelta(days=5 * 366))
    upcoming = [(d, a) for d, a in far if d > today or (d == today and not reached_today)]
    got = days.next_milestone(days.conventions()[code], start, today, reached_today)
    if upcoming and upcoming[0][0] <= step_months(today, 24):
        first_day, after = upcoming[0]
        assert got == (first_day, expected_names(code, after))
    else:
        assert got is None


@PROPERTY
@given(st.sampled_from(sorted(CONVENTIONS)), st.dates())
def test_a_schedule_from_any_stored_start_never_raises_and_stays_in_the_calendar(code, start):
    got = days.conventions()[code].schedule(start, days.add_months(start, 12 * 30))
    assert all(start <= d <= date.max for d, _after, _names in got)


def test_every_milestone_has_a_spanish_name_and_names_fall_back_to_english():
    for code, convention in days.conventions().items():
        for milestone in convention.milestones:
            assert milestone.names["es"] and milestone.names["es"] != milestone.names["en"], (code, milestone.after)
            assert milestone.name("fr") == milestone.names["en"] and milestone.name("es") == milestone.names["es"]
        assert "{years}" in convention.yearly_names["en"] and "{years}" in convention.yearly_names["es"], code
        assert convention.name("de") == convention.names["en"] and convention.note("de") == convention.notes["en"]


def test_a_milestone_written_in_weeks_is_refused_when_the_file_is_read(tmp_path, monkeypatch):
    bad = tmp_path / "milestones.toml"
    bad.write_text(
        '[[convention]]\ncode = "x"\nname = { en = "X" }\n'
        'milestones = [ { after = "2w", name = { en = "two weeks" } } ]\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(days, "MILESTONES_FILE", bad)
    days.conventions.cache_clear()
    try:
        with pytest.raises(ValueError, match="bad 'after' '2w'"):
            days.conventions()
    finally:
        monkeypatch.undo()
        days.conventions.cache_clear()
    assert "plain" in days.conventions()


# --- resets and the history --------------------------------------------------------------------------


def _clock(start: date, zone: str) -> dict:
    return {
        "name": "alcohol",
        "start_date": start.isoformat(),
        "start_time": None,
        "timezone": zone,
        "convention": "plain",
        "slips": [],
        "stretches": [],
    }


SLIP_GAPS = st.lists(st.integers(0, 200 * 24 * 60), min_size=1, max_size=6)


@pytest.mark.slow
@PROPERTY
@given(
    st.dates(date(2015, 1, 1), date(2030, 12, 31)),
    st.sampled_from(DST + sorted(FIXED)),
    SLIP_GAPS,
    st.integers(0, 150),
    st.text(max_size=600),
)
def test_resets_keep_every_stretch_and_the_history_counts_from_the_slip_dates(start, zone, gaps, after, note):
    clock = _clock(start, zone)
    instant = datetime.combine(start, time(0, 0)).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    slip_dates = []
    for gap in gaps:
        instant += timedelta(minutes=gap)
        before = clock
        clock = reset(clock, instant, zone, note)
        wall = instant.astimezone(ZoneInfo(zone))
        slip_dates.append(wall.date())
        # The new stretch starts at the slip, to the minute, in the zone it happened in.
        assert (clock["start_date"], clock["start_time"], clock["timezone"]) == (
            wall.date().isoformat(),
            f"{wall.hour:02d}:{wall.minute:02d}",
            zone,
        )
        assert clock["stretches"][:-1] == before["stretches"] and clock["slips"][:-1] == before["slips"]
        assert clock["stretches"][-1] == {"start_date": before["start_date"], "end_date": wall.date().isoformat()}
        assert clock["slips"][-1]["note"] == note[:500] and clock["slips"][-1]["date"] == wall.date().isoformat()
        # Read back, the new start is the slip's minute. (A slip in the repeated hour of a fall-back is
        # stored as its wall-clock time and read back as the first of the two: a known flaw, not held here.)
        if unambiguous(instant, zone):
            new_start = (date.fromisoformat(clock["start_date"]), days.parse_time(clock["start_time"]), zone)
            assert days.count(*new_start, instant, zone).started
            assert not days.count(*new_start, instant - MINUTE, zone).started
    assert clock["name"] == "alcohol" and clock["convention"] == "plain"
    # Stretches are back to back: each ends where the next starts, the last where the clock starts now.
    starts = [s["start_date"] for s in clock["stretches"]] + [clock["start_date"]]
    assert [s["end_date"] for s in clock["stretches"]] == starts[1:]

    today = slip_dates[-1] + timedelta(days=after)
    got = history(clock, today)
    marks = [start, *slip_dates, today]
    assert got.longest_days == max((b - a).days for a, b in zip(marks, marks[1:], strict=False))
    assert got.slips == len(set(slip_dates))
    for window, counted in ((30, got.sober_last_30), (90, got.sober_last_90)):
        window_days = {today - timedelta(days=n) for n in range(window)}
        sober = {d for d in window_days if d >= start} - set(slip_dates)
        assert counted == len(sober)


def test_a_history_without_slips_is_the_days_since_the_start_within_each_window():
    clock = _clock(date(2026, 11, 1), "UTC")
    # 1 to 20 November: 19 whole days; 20 days of it are in the window, the start day included.
    got = history(clock, date(2026, 11, 20))
    assert (got.longest_days, got.sober_last_30, got.sober_last_90, got.slips) == (19, 20, 20, 0)
    # A clock that has not started yet: nothing sober, nothing longest.
    got = history(_clock(date(2026, 12, 1), "UTC"), date(2026, 11, 20))
    assert (got.longest_days, got.sober_last_30, got.sober_last_90, got.slips) == (0, 0, 0, 0)


def test_two_slips_on_one_day_are_one_slip_day_and_a_stretch_of_none():
    clock = _clock(date(2026, 10, 1), "Europe/Madrid")
    clock = reset(clock, datetime(2026, 10, 10, 8, tzinfo=UTC), "Europe/Madrid")
    clock = reset(clock, datetime(2026, 10, 10, 20, tzinfo=UTC), "Europe/Madrid", "again")
    assert clock["stretches"][-1] == {"start_date": "2026-10-10", "end_date": "2026-10-10"}
    assert [s["time"] for s in clock["slips"]] == ["10:00", "22:00"]  # CEST, UTC+2
    got = history(clock, date(2026, 10, 20))
    # 1 Oct to 10 Oct is 9 days; 10 Oct to 20 Oct is 10; the window holds 1–20 Oct less the 10th.
    assert (got.longest_days, got.sober_last_30, got.slips) == (10, 19, 1)


def test_a_slip_is_dated_where_it_happened_not_where_the_clock_started():
    clock = _clock(date(2026, 5, 1), "America/Los_Angeles")
    # 05:30 UTC on 3 June is 22:30 on 2 June in Los Angeles and 14:30 on 3 June in Tokyo.
    slipped = reset(clock, datetime(2026, 6, 3, 5, 30, tzinfo=UTC), "Asia/Tokyo")
    assert (slipped["start_date"], slipped["start_time"], slipped["timezone"]) == ("2026-06-03", "14:30", "Asia/Tokyo")
    assert slipped["slips"][-1]["timezone"] == "Asia/Tokyo"
    assert clock["stretches"] == [] and clock["slips"] == []  # the clock given is not changed
