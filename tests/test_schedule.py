"""Weekly occurrences across DST changes, checked against hand-worked instants (RFC 5545 rules)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.meetings import schedule
from commonground.meetings.models import Meeting


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def next_start(weekday, hh, mm, tz, after):
    meeting = Meeting(weekday=weekday, start_time=time(hh, mm), timezone=tz)
    return meeting.next_start(after)


SUNDAY, MONDAY = 0, 1


class TestNewYork:
    def test_a_time_in_the_spring_gap_takes_the_offset_from_before_the_gap(self):
        # 2026-03-08 02:30 does not exist in New York; read with EST (-5) it is 07:30 UTC = 03:30 EDT.
        assert next_start(SUNDAY, 2, 30, "America/New_York", utc(2026, 3, 7, 12)) == utc(2026, 3, 8, 7, 30)

    def test_a_repeated_time_in_the_fall_means_its_first_occurrence(self):
        # 2026-11-01 01:30 happens twice; the first is EDT (-4), 05:30 UTC.
        assert next_start(SUNDAY, 1, 30, "America/New_York", utc(2026, 10, 31, 12)) == utc(2026, 11, 1, 5, 30)

    def test_the_same_wall_time_moves_in_utc_across_the_change(self):
        before = next_start(MONDAY, 19, 0, "America/New_York", utc(2026, 3, 1))
        after = next_start(MONDAY, 19, 0, "America/New_York", before + timedelta(minutes=1))
        assert before == utc(2026, 3, 3, 0, 0)  # Monday 2 March 19:00 EST
        assert after == utc(2026, 3, 9, 23, 0)  # Monday 9 March 19:00 EDT
        assert after - before == timedelta(days=7) - timedelta(hours=1)

    def test_a_meeting_starting_exactly_now_is_the_next_one(self):
        now = utc(2026, 6, 1, 23, 0)  # Monday 19:00 EDT
        assert next_start(MONDAY, 19, 0, "America/New_York", now) == now

    def test_one_minute_late_means_next_week(self):
        now = utc(2026, 6, 1, 23, 1)
        assert next_start(MONDAY, 19, 0, "America/New_York", now) == utc(2026, 6, 8, 23, 0)


class TestLondon:
    def test_spring_gap(self):
        # 2026-03-29 01:00 GMT -> 02:00 BST. 01:30 is read with GMT: 01:30 UTC (02:30 BST).
        assert next_start(SUNDAY, 1, 30, "Europe/London", utc(2026, 3, 28)) == utc(2026, 3, 29, 1, 30)

    def test_autumn_overlap(self):
        # 2026-10-25 02:00 BST -> 01:00 GMT. 01:30 first occurs in BST: 00:30 UTC.
        assert next_start(SUNDAY, 1, 30, "Europe/London", utc(2026, 10, 24)) == utc(2026, 10, 25, 0, 30)


class TestSydney:
    def test_southern_autumn_overlap(self):
        # 2026-04-05 03:00 AEDT -> 02:00 AEST. 02:30 first occurs in AEDT (+11): 15:30 UTC the day before.
        assert next_start(SUNDAY, 2, 30, "Australia/Sydney", utc(2026, 4, 4)) == utc(2026, 4, 4, 15, 30)

    def test_southern_spring_gap(self):
        # 2026-10-04 02:00 AEST -> 03:00 AEDT. 02:30 read with AEST (+10): 16:30 UTC on 3 October.
        assert next_start(SUNDAY, 2, 30, "Australia/Sydney", utc(2026, 10, 3)) == utc(2026, 10, 3, 16, 30)


class TestOddZones:
    def test_kathmandu_quarter_hour_offset(self):
        # Nepal is UTC+5:45 all year.
        assert next_start(MONDAY, 18, 0, "Asia/Kathmandu", utc(2026, 11, 29)) == utc(2026, 11, 30, 12, 15)

    def test_lord_howe_half_hour_spring_gap(self):
        # 2026-10-04 02:00 -> 02:30 (+10:30 -> +11). 02:15 read with +10:30: 15:45 UTC on 3 October.
        assert next_start(SUNDAY, 2, 15, "Australia/Lord_Howe", utc(2026, 10, 3)) == utc(2026, 10, 3, 15, 45)

    def test_lord_howe_half_hour_autumn_overlap(self):
        # 2026-04-05 02:00 -> 01:30 (+11 -> +10:30). 01:45 first occurs at +11: 14:45 UTC on 4 April.
        assert next_start(SUNDAY, 1, 45, "Australia/Lord_Howe", utc(2026, 4, 4)) == utc(2026, 4, 4, 14, 45)

    def test_midnight_gap_in_santiago_can_push_the_previous_day_forward(self):
        # Chile springs forward at 24:00 on Saturday 2026-09-05: 00:00-01:00 Sunday does not exist.
        # A Sunday 00:30 meeting is read with the old offset (-4): 04:30 UTC, shown as 01:30 -03.
        assert next_start(SUNDAY, 0, 30, "America/Santiago", utc(2026, 9, 5)) == utc(2026, 9, 6, 4, 30)


def test_ongoing_meetings_have_no_next_start():
    meeting = Meeting(weekday=None, start_time=None, timezone="UTC")
    assert meeting.is_ongoing
    assert meeting.next_start(utc(2026, 1, 1)) is None
    assert meeting.is_in_progress(utc(2026, 1, 1))


def test_in_progress_past_midnight():
    # Saturday 23:30-00:30 in New York; at Sunday 00:10 local it is still going.
    meeting = Meeting(weekday=6, start_time=time(23, 30), duration_minutes=60, timezone="America/New_York")
    assert meeting.end_time == time(0, 30)
    assert meeting.is_in_progress(utc(2026, 6, 7, 4, 10))
    assert not meeting.is_in_progress(utc(2026, 6, 7, 4, 31))


def test_naive_after_is_refused():
    with pytest.raises(ValueError):
        next_start(MONDAY, 19, 0, "UTC", datetime(2026, 1, 1))


def test_unknown_zone_is_a_readable_error():
    with pytest.raises(ValueError, match="not an IANA time zone"):
        schedule.zone("Pacific/Nowhere")


ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kolkata",
    "UTC",
    "Africa/Casablanca",
]


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(
    weekday=st.integers(0, 6),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0, fold=0)),
    tz=st.sampled_from(ZONES),
    after=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)),
)
def test_next_start_is_the_first_weekly_occurrence(weekday, at, tz, after):
    """Brute force: walk local days from a week back and keep the first occurrence >= after."""
    zone = schedule.zone(tz)
    found = schedule.next_occurrence(weekday, at, zone, after)
    assert found.tzinfo is UTC and found >= after
    day = after.astimezone(zone).date() - timedelta(days=8)
    oracle = None
    for offset in range(0, 20):
        d = day + timedelta(days=offset)
        if schedule.spec_weekday(d) != weekday:
            continue
        instant = datetime.combine(d, at, tzinfo=zone).astimezone(UTC)
        if instant >= after:
            oracle = instant
            break
    assert found == oracle
    assert found - after < timedelta(days=7, hours=2)
