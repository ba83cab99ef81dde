"""The finder's pages, server-side: status, content, escaping, the no-JS form, the calendar file."""

import re

import pytest
from icalendar import Calendar

from commonground.meetings.models import Meeting, Source
from commonground.search import engine
from commonground.web.calendar import first_occurrence, meeting_calendar
from tests.tiers import sweep


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(400, seed=2)


@sweep(
    "path",
    [
        "/",
        "/meetings",
        "/meetings?near=10001",
        "/meetings?near=10001&view=map",
        "/programs",
        "/programs/na",
        "/programs/mm",
        "/programs/sos",
        "/treatment",
    ],
)
def test_pages_load_and_show_crisis_help(client, demo, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "tel:988" in html and "1-800-662-4357" in html and "not a treatment service" in html
    assert "<script>" not in html  # no inline script: the CSP allows none


@pytest.mark.slow
def test_every_meeting_kind_renders(client, demo):
    for meeting in Meeting.objects.order_by("attendance_mode", "weekday")[:40]:
        assert client.get(meeting.get_absolute_url()).status_code == 200


@pytest.mark.slow
def test_an_invalid_search_is_shown_again_with_its_message(client, demo):
    response = client.get("/meetings", {"near": "Springfield", "mode": "online"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "could be several places" in html
    assert 'value="Springfield"' in html
    assert re.search(r'name="mode" value="online"[^>]*checked', html), "the chosen mode stays chosen"


@pytest.mark.slow
def test_empty_results_suggest_how_to_widen(client, demo):
    html = client.get("/meetings", {"near": "Kathmandu", "radius_km": "5", "program": "cr"}).content.decode()
    assert "No meetings match" in html and "Online meetings, anywhere" in html and "Search within 100 km" in html


def test_feed_text_is_escaped(client, db):
    source = Source.objects.create(name="escape", format="meeting-guide")
    meeting = Meeting.objects.create(
        program_id="aa",
        source=source,
        key="x",
        slug="x",
        timezone="UTC",
        weekday=1,
        name="<img src=x onerror=alert(1)>",
        notes="<script>alert(2)</script>",
        formatted_address="1 A St, Denver, CO 80202, USA",
        address="1 A St",
        latitude=39.7,
        longitude=-104.9,
    )
    engine.reset()
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(2)" not in html


@pytest.mark.slow
def test_calendar_file_has_a_weekly_rule_and_the_zone(client, demo):
    meeting = Meeting.objects.filter(weekday__isnull=False, timezone="America/New_York").first()
    response = client.get(meeting.get_absolute_url() + ".ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    zones = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    event = next(iter(cal.walk("VEVENT")))
    assert zones == ["America/New_York"] and event["dtstart"].params["TZID"] == "America/New_York"
    assert event["rrule"]["FREQ"] == ["WEEKLY"]


def test_calendar_start_matches_the_engine_across_dst(db):
    from datetime import UTC, datetime, time

    source = Source.objects.create(name="ics", format="meeting-guide")
    meeting = Meeting.objects.create(
        program_id="aa",
        source=source,
        key="g",
        slug="g",
        name="Gap",
        timezone="America/New_York",
        weekday=0,
        start_time=time(2, 30),
        formatted_address="1 A St, Albany, NY 12207, USA",
    )
    now = datetime(2026, 3, 7, 12, tzinfo=UTC)
    ics = meeting_calendar(meeting, "http://example.invalid/m", now=now)
    assert first_occurrence(ics) == meeting.next_start(now) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


@pytest.mark.slow
def test_an_ongoing_meeting_has_no_calendar_file(client, demo):
    ongoing = Meeting.objects.filter(weekday__isnull=True).first()
    assert client.get(ongoing.get_absolute_url() + ".ics").status_code == 404


@pytest.mark.slow
def test_spanish_from_accept_language(client, demo):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in html and "Encuentre una reunión" in html


@pytest.mark.slow
def test_results_page_weight(client, demo):
    response = client.get("/meetings", {"near": "10001", "radius_km": "250", "limit": "20"})
    assert len(response.content) <= 60 * 1024


@pytest.mark.django_db
def test_a_place_that_cannot_be_found_is_said_in_spanish_on_a_spanish_page(client):
    html = client.get("/meetings", {"near": "Nowhereville ZZ"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No encontramos un lugar llamado “Nowhereville ZZ”" in html
    assert "We could not find" not in html
    both = client.get(
        "/meetings", {"near": "10001", "starting_within": "60", "day": "2"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "no ambos" in both


@pytest.mark.slow
def test_a_results_start_is_marked_up_as_an_instant_in_utc(client, db):
    from datetime import time

    source = Source.objects.create(name="Times", format="meeting-guide")
    Meeting.objects.create(
        program_id="aa",
        source=source,
        key="t",
        slug="t",
        name="Noon in Kolkata",
        timezone="Asia/Kolkata",
        weekday=2,
        start_time=time(12, 0),
        conference_url="https://zoom.us/j/123456789",
    )
    engine.reset()
    page = client.get("/meetings?mode=online&now=2026-06-08T00:00:00Z&tz=Asia/Kolkata").content.decode()
    # Tuesday 12:00 in Kolkata (UTC+05:30) is 06:30 UTC: the page's machine-readable time says so.
    assert "Noon in Kolkata" in page
    assert '<time datetime="2026-06-09T06:30:00Z">' in page
