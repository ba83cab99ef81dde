"""Bugs the issue-28 test growth found, each fixed with its test (seen failing first):

- a plan "phone number" with no digit made a tel: link (`---`);
- the workspace's view of a shared companion carried each check-in's private note;
- "Smith, Dr." and "Smith," kept the surname whole (no last names from feeds);
- an end time of "24:00", which the feed docs accept, skipped the meeting;
- ZIP 99634 gave a meeting the zone "Napakiak", which no clock can use;
- military APO/DPO ZIP codes placed meetings at (0, 0), off the coast of Africa;
- a peer report "to 1970-01" reached back into 1969, before the months reports cover.
"""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from commonground.feeds.anonymity import anonymize_person
from commonground.feeds.fields import parse_time
from commonground.feeds.normalize import Context, to_meetings
from commonground.journal import forms, sharing
from commonground.journal.models import CheckIn
from commonground.peer import reports


@pytest.mark.parametrize("phone", ["---", "( )", "...", "+()", "-- --"])
def test_a_plan_phone_needs_a_digit(phone):
    assert not forms.PlanForm({"person_1_name": "Ana", "person_1_phone": phone}).is_valid()


@pytest.mark.parametrize("phone", ["911", "+44 (0)20 7946 0018", "555-010-2030"])
def test_a_plan_phone_with_digits_is_kept(phone):
    assert forms.PlanForm({"person_1_name": "Ana", "person_1_phone": phone}).is_valid()


@pytest.mark.django_db
def test_the_workspace_never_sees_a_check_in_note(django_user_model):
    person = django_user_model.objects.create(username="sharing-person")
    grant = sharing.claim(sharing.new_code(person, date(2026, 12, 1)), "Harbor Recovery")
    CheckIn.objects.create(
        user=person,
        data={
            "date": "2026-12-01",
            "mood": 2,
            "craving": 8,
            "meeting": False,
            "note": "a private note about my cousin",
        },
    )
    shown = sharing.shared([grant])
    assert shown.check_ins == [{"date": "2026-12-01", "mood": 2, "craving": 8, "meeting": False}]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Smith, Dr.", "S."),
        ("Smith,", "S."),
        ("Smith, Jr.", "S."),
        ("van der Berg, Dr.", "B."),
        ("Smith, Robert", "Robert S."),
    ],
)
def test_a_surname_before_a_comma_keeps_only_its_initial(name, shown):
    assert anonymize_person(name) == shown


def test_twenty_four_hundred_is_the_end_of_the_day_in_both_forms():
    assert parse_time("24:00") == parse_time("24:00:00") == time(0, 0)
    row = {
        "slug": "s",
        "name": "N",
        "day": 1,
        "time": "19:00",
        "end_time": "24:00",
        "timezone": "UTC",
        "latitude": 1,
        "longitude": 1,
    }
    (meeting,) = to_meetings(row, Context("aa", "spec"))
    assert meeting["duration_minutes"] == 300


def _placed(postal_code: str, city: str, state: str) -> dict:
    row = {
        "name": "T",
        "slug": "t",
        "day": 1,
        "time": "19:00",
        "address": "1 Main St",
        "city": city,
        "state": state,
        "postal_code": postal_code,
        "country": "USA",
    }
    return to_meetings(row, Context("aa", "spec", default_timezone="America/New_York"))[0]


def test_a_zip_whose_zone_is_not_a_zone_name_takes_the_zone_at_its_place():
    meeting = _placed("99634", "Napakiak", "AK")
    ZoneInfo(meeting["timezone"])  # a zone a clock can use
    assert meeting["timezone"].startswith("America/")


def test_a_military_zip_places_nothing_at_zero_zero():
    meeting = _placed("09905", "APO", "AE")
    assert (meeting["latitude"], meeting["longitude"]) != (0.0, 0.0)


def test_a_report_to_the_first_month_starts_there():
    assert reports.parse_range(None, "1970-01", date(2026, 12, 7)) == (date(1970, 1, 1), date(1970, 1, 1))
    assert reports.parse_range(None, "1970-06", date(2026, 12, 7)) == (date(1970, 1, 1), date(1970, 6, 1))
    assert reports.parse_range(None, "1971-03", date(2026, 12, 7)) == (date(1970, 4, 1), date(1971, 3, 1))
