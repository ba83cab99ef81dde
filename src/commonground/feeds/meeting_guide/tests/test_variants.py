"""The 20 rows of meeting-guide-variants.json: what each becomes, or why it is skipped.

The same decisions are tabled, with reasons, in docs/feeds.md.
"""

import json
from datetime import time

import pytest

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting

# key -> (mode, zone, weekday, start, duration, tags, languages)
IMPORTED = {
    "sunday-serenity": ("in_person", "America/Los_Angeles", 0, time(18, 0), 90, ["open", "lgbtq"], []),
    "1047-1": ("in_person", "America/Chicago", 1, time(6, 30), 60, ["closed", "newcomer", "discussion"], []),
    "1047-5": ("in_person", "America/Chicago", 5, time(6, 30), 60, ["closed", "newcomer", "discussion"], []),
    "lunch-bunch": ("in_person", "America/Halifax", 3, time(12, 15), 60, ["open", "speaker", "wheelchair"], []),
    "hybrid-big-book": ("hybrid", "America/Toronto", 4, time(19, 0), 60, ["closed", "study"], []),
    "online-womens-step": ("online", "Australia/Melbourne", 6, time(10, 0), 60, ["closed", "women", "study"], []),
    "closed-renovation": ("inactive", "America/New_York", 2, time(20, 0), None, ["open"], []),
    "temp-online": ("online", "America/Denver", 5, time(19, 30), None, ["open"], []),
    "reunion-espanol": ("in_person", "America/New_York", 3, time(20, 0), 90, ["open", "discussion"], ["es"]),
    "ktm-evening": ("in_person", "Asia/Kathmandu", 1, time(18, 0), None, ["open"], ["en"]),
    "lord-howe": ("in_person", "Australia/Lord_Howe", 0, time(9, 0), None, ["open"], []),
    "no-zone-zip": ("in_person", "America/Denver", 2, time(19, 0), None, ["open"], []),
    "phone-only": ("online", "America/Chicago", 0, time(21, 0), None, ["closed"], []),
    "html-in-name": ("in_person", "America/New_York", 1, time(12, 0), None, ["open"], []),
    "unknown-provider": ("inactive", "America/Chicago", 3, time(7, 0), None, ["open"], []),
    "email-group": ("inactive", "UTC", None, None, None, ["open"], []),
    "dup": ("in_person", "America/Los_Angeles", 1, time(19, 0), None, [], []),
}
SKIPPED = {
    16: ("bad-time", "time", "'25:99' is not a valid time of day"),
    17: ("bad-zone", "timezone", "'Pacific/Nowhere' is not an IANA time zone"),
    19: ("dup", "slug", "duplicate slug 'dup' (first used on row 18)"),
    20: ("no-name", "name", "the row has no name"),
}


@pytest.fixture
def report(db, samples):
    return import_location(str(samples / "meeting-guide-variants.json"))


def test_counts(report):
    # 16 good rows, one of which (Early Risers) meets on five weekdays: 20 meetings.
    assert (report.added, report.skipped, report.updated, report.removed) == (20, 4, 0, 0)
    assert not report.errors


@pytest.mark.parametrize("key", sorted(IMPORTED))
def test_each_imported_row(report, key):
    mode, zone, weekday, start, duration, tags, languages = IMPORTED[key]
    m = Meeting.objects.get(key=key)
    assert (m.attendance_mode, m.timezone, m.weekday, m.start_time, m.duration_minutes) == (
        mode,
        zone,
        weekday,
        start,
        duration,
    )
    assert m.tags == tags
    assert m.languages == languages


@pytest.mark.parametrize("row", sorted(SKIPPED))
def test_each_skipped_row(report, row):
    key, field, message = SKIPPED[row]
    problem = next(p for p in report.warnings if p.row == row and p.skipped)
    assert (problem.key, problem.field) == (key, field)
    assert message in problem.message


def test_day_array_becomes_one_row_per_weekday(report):
    assert sorted(Meeting.objects.filter(name="Early Risers").values_list("weekday", flat=True)) == [1, 2, 3, 4, 5]


def test_numeric_slug_and_entity_url_variants(report):
    assert Meeting.objects.filter(key__startswith="1047-").count() == 5
    assert Meeting.objects.get(key="lunch-bunch").entity_url == "https://central.example.org/"
    assert Meeting.objects.get(key="hybrid-big-book").entity_url == "https://toronto.example.org/"


def test_html_is_stripped_and_script_content_dropped(report):
    m = Meeting.objects.get(key="html-in-name")
    assert m.name == "Serenity at Noon"
    assert m.notes == "Use the side door.\nCoffee provided."
    assert any(p.key == "html-in-name" and p.field == "name" and not p.skipped for p in report.warnings)


def test_unknown_provider_link_is_dropped_with_a_warning(report):
    m = Meeting.objects.get(key="unknown-provider")
    assert m.conference_url == ""
    assert any(
        p.field == "conference_url" and "not a link to a known meeting provider" in p.message for p in report.warnings
    )


def test_online_rules(report):
    hybrid = Meeting.objects.get(key="hybrid-big-book")
    assert hybrid.conference_url.startswith("https://us02web.zoom.us/")
    assert "ONL" not in hybrid.types  # recomputed from the link, never stored
    assert Meeting.objects.get(key="temp-online").temporarily_closed
    assert Meeting.objects.get(key="phone-only").conference_phone == "+19182225555"


def test_missing_zones_are_inferred(report):
    assert Meeting.objects.get(key="lord-howe").coordinates_source == "feed"
    zip_meeting = Meeting.objects.get(key="no-zone-zip")
    assert zip_meeting.coordinates_source == "postal_code" and zip_meeting.latitude is not None


def test_a_source_default_zone_rescues_a_row_with_no_place(db, samples):
    report = import_location(str(samples / "meeting-guide-variants.json"), timezone="America/Phoenix")
    assert Meeting.objects.get(key="email-group").timezone == "America/Phoenix"
    assert report.skipped == 4


def test_a_url_imports_exactly_like_the_file(db, samples, http_server):
    http_server.add("/meetings.json", (samples / "meeting-guide-variants.json").read_bytes())
    over_http = import_location(f"{http_server.url}/meetings.json")
    rows = {
        m.key: (m.attendance_mode, m.timezone, m.weekday, m.start_time, m.name, m.content_hash)
        for m in Meeting.objects.all()
    }
    Meeting.objects.all().delete()
    from_file = import_location(str(samples / "meeting-guide-variants.json"))
    assert (over_http.added, over_http.skipped) == (from_file.added, from_file.skipped) == (20, 4)
    assert [w.as_dict() for w in over_http.warnings] == [w.as_dict() for w in from_file.warnings]
    assert rows == {
        m.key: (m.attendance_mode, m.timezone, m.weekday, m.start_time, m.name, m.content_hash)
        for m in Meeting.objects.all()
    }


@pytest.mark.django_db
def test_day_7_is_read_as_sunday_with_a_warning(tmp_path):
    # The OIAA online list numbers days the ISO way: Monday = 1 ... Sunday = 7.
    rows = [
        {
            "name": "Sunday night online",
            "slug": "s7",
            "day": 7,
            "time": "20:00",
            "timezone": "America/Chicago",
            "conference_url": "https://zoom.us/j/123456789",
            "approximate": "yes",
            "formatted_address": "Chicago, IL",
        },
        {
            "name": "Weekend",
            "slug": "we",
            "day": [6, "7"],
            "time": "09:00",
            "timezone": "America/Chicago",
            "conference_url": "https://zoom.us/j/987654321",
            "approximate": "yes",
            "formatted_address": "Chicago, IL",
        },
    ]
    feed = tmp_path / "oiaa.json"
    feed.write_text(json.dumps(rows))
    report = import_location(str(feed))
    assert report.skipped == 0 and report.added == 3
    assert Meeting.objects.get(key="s7").weekday == 0
    assert set(Meeting.objects.filter(key__startswith="we-").values_list("weekday", flat=True)) == {6, 0}
    assert [w.field for w in report.warnings].count("day") == 2
