"""The results page tells the truth (issue 27, item 6): ties by distance, online cards without a
building's facts, "near you" instead of coordinates, a favicon, and gzip only for public pages."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime, time

import pytest
from search_oracle import oracle

from commonground.search import engine
from commonground.search.query import parse_query
from commonground.web.presenters import decorate

NOW = "2026-12-07T15:00:00Z"  # a Monday, 10:00 in New York
HERE = (40.7500, -73.9900)


@pytest.fixture
def same_minute(make_meeting):
    """Three meetings at Monday 19:00 in New York: the farthest made first (the lowest id)."""
    far = make_meeting(
        name="Far", weekday=1, start_time=time(19, 0), latitude=40.90, longitude=-73.99, address="1 Far St"
    )
    near = make_meeting(
        name="Near", weekday=1, start_time=time(19, 0), latitude=40.80, longitude=-73.99, address="1 Near St"
    )
    middle = make_meeting(
        name="Middle", weekday=1, start_time=time(19, 0), latitude=40.85, longitude=-73.99, address="1 Middle St"
    )
    engine.reset()
    yield far, near, middle
    engine.reset()


def test_meetings_at_the_same_minute_are_ordered_by_distance(same_minute):
    far, near, middle = same_minute
    query = parse_query(
        {"lat": str(HERE[0]), "lng": str(HERE[1]), "radius_km": "50", "starting_within": "720", "now": NOW}
    )
    assert query.sort == "soonest"
    page = engine.search(query)
    assert [r["id"] for r in page.results] == [near.pk, middle.pk, far.pk]
    _count, expected = oracle(query)
    assert [pk for pk, _s, _d in expected] == [near.pk, middle.pk, far.pk]


@pytest.mark.slow
def test_the_tie_break_holds_on_the_page_too(client, same_minute):
    html = client.get(
        "/meetings", {"lat": HERE[0], "lng": HERE[1], "radius_km": "50", "starting_within": "720", "now": NOW}
    ).content.decode()
    names = re.findall(r'<h3 dir="auto"><a href="[^"]+">(Far|Near|Middle)</a></h3>', html)
    assert names == ["Near", "Middle", "Far"]


def _online_result(**changes):
    result = {
        "starts_at": datetime(2026, 12, 8, 0, 0, tzinfo=UTC),
        "timezone": "America/New_York",
        "minutes_until_start": 540,
        "in_progress": False,
        "ongoing": False,
        "mode": "online",
        "program": {"name": "AA", "names": {}},
        "tags": ["open", "wheelchair", "childcare", "asl"],
        "distance_km": 17.2,
        "location": {"city": "Queens"},
    }
    result.update(changes)
    return result


def test_an_online_card_has_no_distance_and_no_building_features():
    view = decorate(_online_result(), "America/New_York")
    assert view["distance_km"] is None
    assert [str(label) for label in view["tag_labels"]] == ["Open to all", "Sign language (ASL)"]


def test_a_hybrid_card_keeps_them():
    view = decorate(_online_result(mode="hybrid"), "America/New_York")
    assert view["distance_km"] == 17.2
    assert "Wheelchair access" in view["tag_labels"]


@pytest.mark.slow
def test_an_online_card_on_the_page_says_no_km(client, make_meeting):
    make_meeting(
        name="Zoom Hope",
        weekday=1,
        start_time=time(19, 0),
        latitude=40.80,
        longitude=-73.99,
        conference_url="https://zoom.us/j/123456789",
        approximate=True,
        formatted_address="Queens, NY",
        types=["X"],
    )
    engine.reset()
    html = client.get("/meetings", {"lat": HERE[0], "lng": HERE[1], "radius_km": "50", "now": NOW}).content.decode()
    card = html[html.index("Zoom Hope") :]
    card = card[: card.index("</li>\n")]
    assert "Online" in card and "km away" not in card and "Wheelchair" not in card
    engine.reset()


@pytest.mark.slow
def test_near_me_says_near_you_not_coordinates(client, same_minute):
    html = client.get("/meetings", {"lat": "40.7500", "lng": "-73.9900", "now": NOW}).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)[1]
    title = re.search(r"<title>(.*?)</title>", html, re.S)[1]
    assert "Meetings near you" in heading and "Meetings near you" in title
    assert "40.75" not in heading and "40.75" not in title


@pytest.mark.slow
def test_a_named_place_is_still_named(client, same_minute):
    html = client.get("/meetings", {"near": "10001", "now": NOW}).content.decode()
    assert "near you" not in re.search(r"<h1>(.*?)</h1>", html, re.S)[1]


def test_near_you_has_its_spanish(client):
    # The page reads the compiled catalog, which the release compiles from this file.
    from pathlib import Path

    po = Path(__file__).resolve().parents[1] / "src/commonground/locale/es/LC_MESSAGES/django.po"
    assert 'msgid "Meetings near you"\nmsgstr "Reuniones cerca de usted"' in po.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.django_db
def test_every_page_links_a_favicon_that_exists(client):
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)"', html)[1]
    assert href.startswith("/static/") and finders.find(href.removeprefix("/static/"))


@pytest.mark.django_db
def test_the_browsers_own_favicon_request_is_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302  # to the static file's current (hashed, in production) name
    assert response["Location"].endswith("/static/web/favicon.svg")


def _gzipped(response) -> bool:
    return response.get("Content-Encoding") == "gzip"


@pytest.mark.slow
def test_public_results_html_is_gzipped(client, same_minute):
    response = client.get("/meetings", {"near": "10001", "now": NOW}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and _gzipped(response)
    assert "Accept-Encoding" in response["Vary"]
    assert "Near" in gzip.decompress(response.content).decode()
    assert _gzipped(client.get("/", HTTP_ACCEPT_ENCODING="gzip"))
    assert not _gzipped(client.get("/meetings", {"near": "10001"}))  # not asked for


def test_a_page_with_a_form_token_is_never_gzipped(client, same_minute):
    far, _near, _middle = same_minute
    report = "/report" + far.get_absolute_url().removeprefix("/meetings")
    response = client.get(report, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
    assert not _gzipped(response)


@pytest.mark.django_db
def test_private_and_personal_pages_are_never_gzipped(client):
    assert not _gzipped(client.get("/me/", HTTP_ACCEPT_ENCODING="gzip"))
    assert not _gzipped(client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip"))


def _page(request, body=b"<!doctype html><p>" + b"meetings " * 400):
    from django.http import HttpResponse

    return HttpResponse(body, content_type="text/html; charset=utf-8")


@pytest.mark.django_db
def test_the_gzip_rule_itself(rf, settings):
    from django.contrib.sessions.backends.db import SessionStore

    from commonground.web.middleware import PublicPageGzipMiddleware

    def run(request, view=_page):
        return PublicPageGzipMiddleware(view)(request)

    assert _gzipped(run(rf.get("/meetings", HTTP_ACCEPT_ENCODING="gzip")))
    # Built from a signed-in session (the cookie names it, and the page read it): never.
    request = rf.get("/meetings", HTTP_ACCEPT_ENCODING="gzip")
    request.session = SessionStore()
    request.session["x"] = 1
    request.session.save()
    request.COOKIES[settings.SESSION_COOKIE_NAME] = request.session.session_key
    assert not _gzipped(run(request))
    # A form token set up for the page, a cookie set, or a private or no-store answer: never.
    request = rf.get("/meetings", HTTP_ACCEPT_ENCODING="gzip")
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    assert not _gzipped(run(request))

    def with_cookie(request):
        response = _page(request)
        response.set_cookie("k", "v")
        return response

    def no_store(request):
        response = _page(request)
        response["Cache-Control"] = "no-store"
        return response

    assert not _gzipped(run(rf.get("/meetings", HTTP_ACCEPT_ENCODING="gzip"), with_cookie))
    assert not _gzipped(run(rf.get("/meetings", HTTP_ACCEPT_ENCODING="gzip"), no_store))
    assert not _gzipped(run(rf.get("/me/", HTTP_ACCEPT_ENCODING="gzip")))


@pytest.mark.slow
@pytest.mark.django_db
def test_the_home_pages_place_search_asks_for_today(client):
    html = client.get("/").content.decode()
    form = html[html.index('<form class="search"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="day" value="today">' in form


@pytest.mark.slow
def test_today_from_now_with_other_days_one_tap_away(client, make_meeting):
    # Sunday 6 December 2026, 21:00 in New York: a meeting at 21:30 tonight, one on Thursday.
    sunday_evening = "2026-12-07T02:00:00Z"
    tonight = make_meeting(
        name="Tonight", weekday=0, start_time=time(21, 30), latitude=40.75, longitude=-73.99, address="1 A St"
    )
    make_meeting(name="Thursday", weekday=4, start_time=time(19, 0), latitude=40.75, longitude=-73.99, address="1 A St")
    make_meeting(name="Earlier", weekday=0, start_time=time(12, 0), latitude=40.75, longitude=-73.99, address="1 A St")
    engine.reset()
    html = client.get("/meetings", {"near": "10001", "day": "today", "now": sunday_evening}).content.decode()
    names = re.findall(r'<h3 dir="auto"><a href="[^"]+">(\w+)</a></h3>', html)
    assert names == [tonight.name]
    other = re.search(r'<a href="([^"]+)"[^>]*>Other days</a>', html)[1].replace("&amp;", "&")
    assert "day=" not in other and "sort=soonest" in other and "near=10001" in other
    html = client.get(other).content.decode()
    assert re.findall(r'<h3 dir="auto"><a href="[^"]+">(\w+)</a></h3>', html) == ["Tonight", "Thursday", "Earlier"]
    engine.reset()
