"""The trends page's numbers (``journal/charts.trends``): the last 30 days of craving and mood, meetings
in each of the last 12 weeks, and the check-in streak, each against a plain count written here.

test_companion.py checks one three-day streak and the charts through the page; this file checks the
rules over many histories: gaps, future dates, a meeting flagged on a check-in and recorded as "I
went" on the same day, week edges, and today not checked in yet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.journal.charts import bar_svg, line_svg, trends
from commonground.journal.records import AttendanceData, CheckInData

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)
TODAY = date(2026, 12, 7)  # a Monday


def check_in(day: date, craving: int = 3, mood: int = 3, meeting: bool = False) -> CheckInData:
    return CheckInData(date=day.isoformat(), craving=craving, mood=mood, meeting=meeting)


def streak_oracle(checked: set[date], today: date) -> int:
    """The longest run of checked-in days ending today, or ending yesterday if today is not checked in."""
    end = today if today in checked else today - timedelta(days=1)
    run = 0
    while all(end - timedelta(days=n) in checked for n in range(run + 1)):
        run += 1
    return run


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


HISTORY = st.lists(
    st.tuples(st.integers(-120, 5), st.integers(0, 10), st.integers(1, 5), st.booleans()),
    max_size=60,
    unique_by=lambda item: item[0],
)
ATTENDED = st.lists(st.integers(-120, 5), max_size=30)


@pytest.mark.slow
@PROPERTY
@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), HISTORY, ATTENDED)
def test_trends_match_a_plain_count(today, history, attended_offsets):
    check_ins = [check_in(today + timedelta(days=o), c, m, meet) for o, c, m, meet in history]
    attended = [
        AttendanceData(meeting="src/key", name="A meeting", date=(today + timedelta(days=o)).isoformat())
        for o in attended_offsets
    ]
    got = trends(check_ins, attended, today)

    # The last 30 local days, oldest first, ending today.
    assert len(got.days) == 30 and got.days[-1] == today and got.days[0] == today - timedelta(days=29)
    assert all(b - a == timedelta(days=1) for a, b in zip(got.days, got.days[1:], strict=False))
    by_offset = {o: (c, m) for o, c, m, _meet in history}
    for i, day in enumerate(got.days):
        offset = (day - today).days
        assert got.craving[i] == (by_offset[offset][0] if offset in by_offset else None)
        assert got.mood[i] == (by_offset[offset][1] if offset in by_offset else None)

    # Twelve Mondays, this week's last.
    assert len(got.weeks) == 12 and got.weeks[-1] == week_of(today)
    assert all(w.weekday() == 0 for w in got.weeks)
    assert all(b - a == timedelta(weeks=1) for a, b in zip(got.weeks, got.weeks[1:], strict=False))
    # A day with a meeting is a day with a check-in saying so or an "I went" record, counted once per day.
    meeting_days = {today + timedelta(days=o) for o, _c, _m, meet in history if meet} | {
        today + timedelta(days=o) for o in attended_offsets
    }
    for monday, count in zip(got.weeks, got.meetings_per_week, strict=True):
        assert count == sum(1 for d in meeting_days if week_of(d) == monday)
    assert sum(got.meetings_per_week) == sum(
        1 for d in meeting_days if got.weeks[0] <= d <= week_of(today) + timedelta(days=6)
    )

    checked = {today + timedelta(days=o) for o, *_ in history}
    assert got.streak == streak_oracle(checked, today)


def test_a_day_with_a_check_in_meeting_and_an_i_went_record_is_one_meeting_day():
    tuesday = TODAY - timedelta(days=6)  # 1 December, last week
    got = trends([check_in(tuesday, meeting=True)], [AttendanceData(date=tuesday.isoformat())], TODAY)
    assert got.meetings_per_week[-2:] == [1, 0]


def test_week_edges_sunday_is_the_end_of_a_week_and_monday_the_start_of_the_next():
    sunday, monday = TODAY - timedelta(days=1), TODAY
    got = trends(
        [],
        [
            AttendanceData(date=sunday.isoformat()),
            AttendanceData(date=monday.isoformat()),
            AttendanceData(date=(TODAY - timedelta(weeks=11)).isoformat()),  # the first week shown
            AttendanceData(date=(TODAY - timedelta(weeks=11, days=1)).isoformat()),
        ],
        TODAY,
    )  # the Sunday before it
    assert got.weeks[0] == date(2026, 9, 21) and got.weeks[-1] == TODAY
    assert got.meetings_per_week == [1] + [0] * 9 + [1, 1]


def test_the_streak_waits_for_today_and_breaks_at_a_gap():
    yesterday, before = TODAY - timedelta(days=1), TODAY - timedelta(days=2)
    # Not checked in yet today: the run up to yesterday still stands.
    assert trends([check_in(yesterday), check_in(before)], [], TODAY).streak == 2
    # Checked in today too.
    assert trends([check_in(TODAY), check_in(yesterday), check_in(before)], [], TODAY).streak == 3
    # Today and the day before yesterday, not yesterday: only today counts.
    assert trends([check_in(TODAY), check_in(before)], [], TODAY).streak == 1
    # Nothing for two days: no streak, whatever came before.
    assert trends([check_in(TODAY - timedelta(days=n)) for n in range(2, 20)], [], TODAY).streak == 0
    # A check-in dated tomorrow (a phone's clock ahead) neither starts nor extends a streak.
    assert trends([check_in(TODAY + timedelta(days=1))], [], TODAY).streak == 0


def test_the_series_keep_zero_cravings_apart_from_days_without_a_check_in():
    got = trends([check_in(TODAY, craving=0, mood=1)], [], TODAY)
    assert got.craving[-1] == 0 and got.mood[-1] == 1
    assert got.craving[:-1] == [None] * 29 and got.mood[:-1] == [None] * 29


def test_check_ins_outside_the_windows_are_left_out():
    old = TODAY - timedelta(days=30)  # 7 November: one day before the 30 shown
    got = trends(
        [check_in(old, craving=9, meeting=True), check_in(TODAY + timedelta(days=1), craving=9)],
        [AttendanceData(date=(TODAY - timedelta(weeks=12)).isoformat())],
        TODAY,
    )
    assert 9 not in got.craving
    # 7 November is in the week of 2 November, the 6th of the 12 shown (21 Sep, 28 Sep, 5 Oct, ...).
    assert got.meetings_per_week == [0] * 6 + [1] + [0] * 5


def test_a_chart_of_empty_days_still_draws():
    """A new person's trends page: 30 days without a check-in, 12 weeks without a meeting."""
    got = trends([], [], TODAY)
    labels = [d.strftime("%d %b") for d in got.days]
    for picture in (
        line_svg("Craving", labels, got.craving, low=0, high=10),
        bar_svg("Meetings per week", [w.isoformat() for w in got.weeks], got.meetings_per_week),
    ):
        assert b"<svg" in picture[:400]
        assert b"<script" not in picture.lower()


def test_a_chart_shows_its_values_and_its_title():
    got = trends([check_in(TODAY - timedelta(days=n), craving=n % 11) for n in range(30)], [], TODAY)
    picture = line_svg("Craving over 30 days", [d.isoformat() for d in got.days], got.craving, low=0, high=10)
    assert b"Craving over 30 days" in picture and b"<script" not in picture.lower()
