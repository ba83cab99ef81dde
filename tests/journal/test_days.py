"""Counting days as a person lives them: DST nights, odd offsets, late starts, travel, milestones."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from commonground.journal import days
from commonground.journal.records import ClockData
from commonground.meetings import schedule


def reset(clock: dict, *args) -> dict:
    """``days.reset`` on a clock written as its stored JSON, answered the same way."""
    return days.reset(ClockData.load(clock), *args).dump()


def history(clock: dict, today: date) -> days.History:
    return days.history(ClockData.load(clock), today)


def at(local: str, zone: str) -> datetime:
    """An instant given as local wall-clock time in ``zone``."""
    naive = datetime.fromisoformat(local)
    return schedule.occurrence(naive.date(), naive.time(), schedule.zone(zone))


def n(start_date, start_time, start_zone, now_local, now_zone):
    return days.count(
        date.fromisoformat(start_date),
        time.fromisoformat(start_time) if start_time else None,
        start_zone,
        at(now_local, now_zone),
        now_zone,
    )


def test_less_than_24_hours_is_hours_not_a_day():
    c = n("2026-05-01", "23:30", "America/Chicago", "2026-05-02 00:10", "America/Chicago")
    assert (c.days, c.hours) == (0, 0)
    c = n("2026-05-01", "23:30", "America/Chicago", "2026-05-02 22:45", "America/Chicago")
    assert (c.days, c.hours) == (0, 23)


def test_a_start_at_23_30_counts_a_day_only_when_23_30_comes_round_again():
    assert n("2026-05-01", "23:30", "America/Chicago", "2026-05-02 23:29", "America/Chicago").days == 0
    assert n("2026-05-01", "23:30", "America/Chicago", "2026-05-02 23:30", "America/Chicago").days == 1
    assert n("2026-05-01", "23:30", "America/Chicago", "2026-05-03 23:29", "America/Chicago").days == 1
    assert n("2026-05-01", "23:30", "America/Chicago", "2026-05-03 23:31", "America/Chicago").days == 2


def test_a_date_without_a_time_counts_at_each_local_midnight():
    assert n("2026-05-01", None, "America/Chicago", "2026-05-01 21:00", "America/Chicago").days == 0
    assert n("2026-05-01", None, "America/Chicago", "2026-05-02 00:00", "America/Chicago").days == 1
    assert n("2026-05-01", None, "America/Chicago", "2026-05-31 08:00", "America/Chicago").days == 30


@pytest.mark.parametrize(
    "zone, spring, autumn",
    [
        ("America/New_York", "2026-03-08", "2026-11-01"),
        ("Europe/London", "2026-03-29", "2026-10-25"),
        ("Australia/Sydney", "2026-10-04", "2026-04-05"),
    ],
)
def test_dst_nights_are_one_day_each(zone, spring, autumn):
    for night in (spring, autumn):
        before = (date.fromisoformat(night) - timedelta(days=1)).isoformat()
        # Started at 21:00 the evening before the change; the next evening at 21:00 is one day,
        # though 23 or 25 hours have passed.
        assert n(before, "21:00", zone, f"{night} 20:59", zone).days == 0
        assert n(before, "21:00", zone, f"{night} 21:00", zone).days == 1
        # Four weeks across the change are 28 days by the calendar, with or without a time.
        later = (date.fromisoformat(before) + timedelta(days=28)).isoformat()
        assert n(before, None, zone, f"{later} 00:00", zone).days == 28
        assert n(before, "21:00", zone, f"{later} 21:00", zone).days == 28


def test_a_start_inside_the_spring_gap_is_read_as_rfc_5545_says():
    # 02:30 does not exist in New York on 8 March 2026; the pre-gap offset makes it 03:30 EDT.
    c = n("2026-03-08", "02:30", "America/New_York", "2026-03-09 03:29", "America/New_York")
    assert c.days == 0
    assert n("2026-03-08", "02:30", "America/New_York", "2026-03-09 03:31", "America/New_York").days == 1


def test_kiritimati_plus_14_and_st_johns_minus_3_30():
    # Kiritimati is UTC+14: its 00:30 on 2 May is 10:30 UTC on 1 May.
    assert n("2026-05-01", "00:30", "Pacific/Kiritimati", "2026-05-02 00:29", "Pacific/Kiritimati").days == 0
    assert n("2026-05-01", "00:30", "Pacific/Kiritimati", "2026-05-02 00:30", "Pacific/Kiritimati").days == 1
    assert n("2026-05-01", None, "Pacific/Kiritimati", "2026-05-11 00:00", "Pacific/Kiritimati").days == 10
    # St. John's is UTC−3:30 (−2:30 in summer): a half-hour offset changes nothing.
    assert n("2026-05-01", "19:45", "America/St_Johns", "2026-05-08 19:44", "America/St_Johns").days == 6
    assert n("2026-05-01", "19:45", "America/St_Johns", "2026-05-08 19:45", "America/St_Johns").days == 7
    # Across St. John's autumn change (1 November 2026).
    assert n("2026-10-31", "23:30", "America/St_Johns", "2026-11-01 23:30", "America/St_Johns").days == 1


def test_a_person_who_travels_keeps_their_days():
    # Started in New York at 20:00; now in Tokyo (13 or 14 hours ahead).
    start = ("2026-05-01", "20:00", "America/New_York")
    ny_later = at("2026-05-11 20:00", "America/New_York")  # exactly 10 days later, in New York
    in_tokyo = days.count(date.fromisoformat(start[0]), time(20, 0), start[2], ny_later, "Asia/Tokyo")
    assert in_tokyo.days == 10  # the same instant is the same count, wherever the person is
    # With only a date, the count follows the calendar where the person is now: flying east,
    # the new date comes sooner.
    arrive = at("2026-05-10 23:00", "America/New_York")  # already 11 May in Tokyo
    assert days.count(date(2026, 5, 1), None, "America/New_York", arrive, "America/New_York").days == 9
    assert days.count(date(2026, 5, 1), None, "America/New_York", arrive, "Asia/Tokyo").days == 10


def test_a_start_in_the_future_has_not_started():
    c = n("2026-06-01", None, "UTC", "2026-05-01 12:00", "UTC")
    assert not c.started and c.days == 0


def test_milestones_fall_on_calendar_dates():
    plain = days.conventions()["plain"]
    dates = dict((after, d) for d, after, _names in plain.schedule(date(2026, 1, 31), date(2029, 12, 31)))
    assert dates["30d"] == date(2026, 3, 2)
    assert dates["6m"] == date(2026, 7, 31)
    assert dates["1y"] == date(2027, 1, 31)
    assert dates["3y"] == date(2029, 1, 31)  # yearly after the listed ones
    assert days.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert days.add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    upcoming = days.next_milestone(plain, date(2026, 1, 31), date(2026, 3, 2), reached_today=False)
    assert upcoming[0] == date(2026, 3, 2)
    upcoming = days.next_milestone(plain, date(2026, 1, 31), date(2026, 3, 2), reached_today=True)
    assert upcoming[0] == date(2026, 4, 1)


def test_every_convention_is_well_formed_and_says_customs_vary():
    for code, c in days.conventions().items():
        assert c.names["en"] and c.names["es"], code
        afters = [m.on(date(2026, 1, 1)) for m in c.milestones]
        assert afters == sorted(afters), code
        if code != "plain":
            assert not c.confirmed or c.sources, code
            assert "vary" in c.notes["en"] or "varies" in c.notes["en"] or "decides" in c.notes["en"], code
            assert all(s["url"].startswith("https://") or s["url"].startswith("http://") for s in c.sources), code


def test_a_reset_keeps_the_history_and_credits_the_part_of_the_day_before():
    clock = {
        "name": "alcohol",
        "start_date": "2026-01-01",
        "start_time": None,
        "timezone": "America/Chicago",
        "convention": "plain",
        "slips": [],
        "stretches": [],
    }
    slipped = reset(clock, at("2026-03-01 18:00", "America/Chicago"), "America/Chicago", "hard day")
    assert slipped["start_date"] == "2026-03-01" and slipped["start_time"] == "18:00"
    assert slipped["stretches"] == [{"start_date": "2026-01-01", "end_date": "2026-03-01"}]
    assert slipped["slips"][0]["note"] == "hard day"
    past = history(slipped, date(2026, 3, 20))
    assert past.longest_days == 59  # 1 Jan – 28 Feb
    assert past.sober_last_30 == 29  # the slip day is the one not counted
    assert past.sober_last_90 == 78  # 1 Jan to 20 Mar is 79 days, less the slip day
    assert past.slips == 1
    # After the slip, counting starts at 18:00 that day.
    c = days.count(
        date(2026, 3, 1), time(18, 0), "America/Chicago", at("2026-03-02 17:00", "America/Chicago"), "America/Chicago"
    )
    assert (c.days, c.hours) == (0, 23)


def test_utcnow_is_aware():
    assert days.utcnow().tzinfo is UTC
