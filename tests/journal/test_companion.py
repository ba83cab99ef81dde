"""The companion's features, through its pages: meetings and the calendar, groups tried and what to
try next, check-ins and charts, the plan, "I'm struggling", export and delete."""

import base64
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from icalendar import Calendar

from commonground.journal.models import Clock, Favourite
from commonground.meetings import schedule
from commonground.meetings.models import Meeting
from commonground.private.ids import encode as oid
from commonground.search import engine


@pytest.fixture
def meetings(demo_meetings):
    demo_meetings(400, seed=11)
    return list(
        Meeting.objects.filter(weekday__isnull=False, attendance_mode="in_person")
        .select_related("source", "program")
        .order_by("id")[:2]
    )


def ref(m):
    return f"{m.source.slug}/{m.key}"


@pytest.mark.slow
@pytest.mark.django_db
def test_favourites_go_to_a_calendar_whose_times_match_search(person, meetings):
    client = person()
    for m in meetings:
        page = client.get(m.get_absolute_url()).content.decode()
        assert "Save to my meetings" in page
        client.post("/me/favourite", {"meeting": ref(m)})
    assert 'aria-pressed="true"' in client.get(meetings[0].get_absolute_url()).content.decode()
    client.post("/me/calendar/new-link")
    link = client.get("/me/calendar").content.decode().split('id="cal-url" type="text" readonly value="')[1]
    ics = Client().get(link.split('"')[0].split("testserver")[1])
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    events = {str(e["uid"]): e for e in Calendar.from_ical(ics.content).walk("VEVENT")}
    assert set(events) == {f"{ref(m)}@commonground" for m in meetings}
    now = datetime.now(UTC)
    for m in meetings:
        event = events[f"{ref(m)}@commonground"]
        start = event.decoded("dtstart")
        first = schedule.occurrence(start.date(), start.time(), start.tzinfo)
        api = client.get(f"/api/v1/meetings/{m.pk}").json()
        engine_start = datetime.fromisoformat(api["starts_at"].replace("Z", "+00:00"))
        assert first == engine_start or engine_start - first == timedelta(days=7)
        assert str(event["rrule"].to_ical().decode()).startswith("FREQ=WEEKLY")
        assert first >= now - timedelta(days=7)
    client.post("/me/favourite", {"meeting": ref(meetings[0])})  # pressed again: removed
    assert Favourite.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db
def test_i_went_then_rate_then_see_what_to_try_next(person, meetings):
    client = person()
    results = client.get("/fit/results?help_with=alcohol&goal=abstinence&spirituality=none").content.decode()
    assert "Save these results to my space" in results
    answers = results.split('name="answers" value="')[1].split('"')[0].replace("&amp;", "&")
    client.post("/me/fit/save", {"answers": answers})
    first = client.get("/me/tried").content.decode().split("Next in your saved results: <strong>")[1].split("<")[0]
    from commonground.catalog.models import Program

    top = next(p for p in Program.objects.all() if (p.text("name", "en") or p.name) == first)
    m = Meeting.objects.filter(program=top).select_related("source").first() or meetings[0]
    went = client.post("/me/went", {"meeting": ref(m)})
    assert went["Location"].startswith("/me/tried/new?meeting=")
    client.post(
        "/me/tried/new",
        {"meeting": ref(m), "program": m.program_id, "rating": "2", "would_return": "no", "note": "not for me"},
    )
    page = client.get("/me/tried").content.decode()
    assert "2 of 5" in page and "would not go back" in page
    if m.program_id == top.code:
        assert f"Next in your saved results: <strong>{first}</strong>" not in page
        assert "did not rate highly" in page


@pytest.mark.slow
@pytest.mark.django_db
def test_three_days_of_check_ins_make_a_streak_and_a_chart(person):
    """A day apart, each check-in follows a fresh sign-in (sessions end after an idle hour)."""
    with time_machine.travel(datetime(2030, 3, 4, 19, 0, tzinfo=UTC), tick=False):
        client = person(timezone="America/Chicago")
    for day, craving in ((4, 6), (5, 4), (6, 2)):
        with time_machine.travel(datetime(2030, 3, day, 20, 0, tzinfo=UTC), tick=False):
            client.post("/me/signin", {"username": client.username, "passphrase": client.passphrase})
            assert (
                client.post("/me/checkin", {"mood": "3", "craving": str(craving), "meeting": "on"}).status_code == 302
            )
    with time_machine.travel(datetime(2030, 3, 6, 20, 30, tzinfo=UTC), tick=False):
        page = client.get("/me/trends").content.decode()
    assert "3 days in a row" in page
    for craving in (">6<", ">4<", ">2<"):
        assert craving in page.split("Check-ins, last 30 days")[1]
    # The charts come with the page as images (one reading of the check-ins), with no script in them.
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', page)
    assert [alt.split(" over")[0] for _, alt in images] == [
        "Chart of craving",
        "Chart of mood",
        "Chart of meetings per week",
    ]
    for encoded, _alt in images:
        svg = base64.b64decode(encoded)
        assert b"<svg" in svg and b"<script" not in svg.lower()


@pytest.mark.django_db
def test_a_clock_shows_the_next_milestone_and_offers_them_as_calendar_events(person):
    with time_machine.travel(datetime(2026, 11, 27, 18, 0, tzinfo=UTC), tick=False):
        client = person(timezone="America/Chicago")
        created = client.post(
            "/me/clocks/new",
            {
                "name": "alcohol",
                "start_date": "2026-10-01",
                "start_time": "",
                "timezone": "America/Chicago",
                "convention": "na-keytags",
            },
        )
        page = client.get(created["Location"]).content.decode()
        ics = client.get(created["Location"] + "/milestones.ics")
        clock = Clock.objects.get()
        client.post(f"/me/clocks/{oid('clock', clock.pk)}/reset", {"note": "rough night"})
    assert "57 days" in page
    assert "Next milestone: <strong>Green keytag: 60 days</strong>, on Nov. 30, 2026." in page
    assert "Not confirmed by the program" in page, page[page.find("<main") :][:3000]
    assert "vary" in page
    summaries = [str(e["summary"]) for e in Calendar.from_ical(ics.content).walk("VEVENT")]
    assert summaries[0] == "Green keytag: 60 days (alcohol)"
    clock.refresh_from_db()
    assert len(clock.data.stretches) == 1 and clock.data.slips[0].note == "rough night"


@pytest.mark.slow
@pytest.mark.django_db
def test_im_struggling_has_my_people_the_lines_and_meetings_now(person, demo_meetings):
    demo_meetings(600, seed=5)
    client = person()
    client.post(
        "/me/plan",
        {"what_helps": "Walk the dog; call Ana", "person_1_name": "Ana", "person_1_phone": "+1 (555) 010-2030"},
    )
    html = client.get("/me/help").content.decode()
    assert 'href="tel:+1(555)010-2030"' in html or 'href="tel:+1 (555) 010-2030"'.replace(" ", "") in html
    assert 'href="tel:988"' in html and "1-800-662-4357" in html
    assert "Walk the dog" in html and "Online meetings starting in the next hour" in html
    # The header offers it on the finder's pages too, once signed in.
    assert 'href="/me/help"' in client.get("/meetings").content.decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_export_holds_everything_and_delete_leaves_nothing(person, meetings):
    client = person(username="leaving-soon")
    client.post("/me/favourite", {"meeting": ref(meetings[0])})
    client.post("/me/checkin", {"mood": "4", "craving": "3", "note": "export me"})
    client.post("/me/plan", {"reasons": "my garden"})
    client.post(
        "/me/clocks/new", {"name": "gambling", "start_date": "2026-09-01", "timezone": "UTC", "convention": "plain"}
    )
    Client().post("/me/signin", {"username": "leaving-soon", "passphrase": "wrong passphrase"})  # an axes record
    archive = zipfile.ZipFile(io.BytesIO(client.post("/me/export").content))
    assert sorted(archive.namelist()) == sorted(
        [
            "common-ground.json",
            "clocks.csv",
            "favourites.csv",
            "meetings_attended.csv",
            "groups_tried.csv",
            "check_ins.csv",
            "plan.csv",
            "sharing.csv",
        ]
    )
    data = json.loads(archive.read("common-ground.json"))
    assert data["check_ins"][0]["note"] == "export me" and data["plan"][0]["reasons"] == "my garden"
    assert data["clocks"][0]["name"] == "gambling" and data["favourites"][0]["meeting"] == ref(meetings[0])
    assert "export me" in archive.read("check_ins.csv").decode()

    other = Client()
    other.post("/me/signin", {"username": "leaving-soon", "passphrase": "lantern harbour pebble"})
    wrong = client.post("/me/delete", {"confirm": "someone-else"})
    assert wrong.status_code == 400 and "nothing was deleted" in wrong.content.decode()
    assert client.post("/me/delete", {"confirm": "leaving-soon"}).status_code == 200
    for model in apps.get_app_config("journal").get_models():
        assert not model.objects.exists(), model.__name__
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    assert not get_user_model().objects.filter(username="leaving-soon").exists()
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    assert other.get("/me/").status_code == 302


@pytest.mark.slow
@pytest.mark.django_db
def test_signed_out_finder_pages_cost_no_extra_queries(client, meetings, django_assert_num_queries, monkeypatch):
    """The companion's panels and links add nothing for a visitor who is not signed in."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commonground.web import extensions

    engine.reset()
    pages = [
        "/",
        "/meetings?near=Denver%2C+CO",
        meetings[0].get_absolute_url(),
        "/fit/results?help_with=alcohol",
        "/programs",
    ]
    for url in pages:
        client.get(url)  # warm caches
    counts = {}
    for url in pages:
        with CaptureQueriesContext(connection) as with_companion:
            client.get(url)
        counts[url] = len(with_companion)
    for name in ("MEETING_PANELS", "FIT_RESULTS_PANELS", "HEADER_LINKS"):
        monkeypatch.setattr(extensions, name, [])
    for url in pages:
        with CaptureQueriesContext(connection) as without:
            client.get(url)
        assert counts[url] == len(without), url
    assert "sessionid" not in client.cookies and "csrftoken" not in client.cookies


@pytest.mark.django_db
def test_date_inputs_carry_iso_dates_in_every_language(person):
    """<input type=date> only reads YYYY-MM-DD: a Spanish page must not fill it with 27/11/2026."""
    client = person()
    page = client.get("/me/clocks/new", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    value = page.split('name="start_date"')[1].split('value="')[1].split('"')[0]
    assert len(value) == 10 and value[4] == "-" and value[7] == "-", value
