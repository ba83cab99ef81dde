"""Issue 27, "Wrong place": coordinates that are only a ZIP or city centre are never used as if exact.

"Open in my maps app" routes by the address when the coordinates are approximate; the results map
marks approximate points as such, and an online-only meeting gets no pin at all.
"""

from __future__ import annotations

import re
from html import unescape
from types import SimpleNamespace
from urllib.parse import unquote

import pytest

from commonground.web.presenters import directions, map_points

SJ_ADDRESS = "2634 Union Ave, San Jose, CA 95124, USA"
ZIP_CENTRE = (37.2515, -121.9322)  # roughly 95124's centre, not the building


def _maps_link(html: str) -> str:
    found = re.search(r'<a href="([^"]+)">Open in my maps app</a>', html)
    assert found, "the meeting page has no maps link"
    return unescape(found[1])


@pytest.mark.django_db
@pytest.mark.parametrize("precision", ["postal_code", "city"])
def test_maps_app_uses_the_address_when_coordinates_are_a_centre(client, make_meeting, precision):
    m = make_meeting(
        formatted_address=SJ_ADDRESS,
        latitude=ZIP_CENTRE[0],
        longitude=ZIP_CENTRE[1],
        coordinates_source=precision,
        timezone="America/Los_Angeles",
    )
    link = _maps_link(client.get(m.get_absolute_url()).content.decode())
    assert link.startswith("geo:0,0?q=")
    assert unquote(link.removeprefix("geo:0,0?q=")) == SJ_ADDRESS
    assert "37.25" not in link
    osm = directions(m)["osm"]
    assert "search?" in osm and "mlat" not in osm and "37.25" not in osm


@pytest.mark.django_db
def test_maps_app_uses_exact_coordinates_from_the_feed(client, make_meeting):
    m = make_meeting(
        formatted_address=SJ_ADDRESS,
        latitude=37.25155,
        longitude=-121.93221,
        coordinates_source="feed",
        timezone="America/Los_Angeles",
    )
    link = _maps_link(client.get(m.get_absolute_url()).content.decode())
    assert link == "geo:37.25155,-121.93221?q=37.25155,-121.93221"


@pytest.mark.django_db
def test_a_neighbourhood_only_address_gets_no_route(make_meeting):
    m = make_meeting(
        formatted_address="Upper West Side, New York",
        latitude=40.78,
        longitude=-73.97,
        coordinates_source="city",
        approximate=True,
    )
    assert directions(m) is None


@pytest.mark.django_db
def test_approximate_coordinates_without_an_address_get_no_route(make_meeting):
    m = make_meeting(formatted_address="", latitude=40.78, longitude=-73.97, coordinates_source="postal_code")
    assert directions(m) is None


@pytest.mark.django_db
def test_an_online_only_meeting_gets_no_route(make_meeting):
    # An online meeting's listed place is only an area (TSML's rule makes it online, not hybrid).
    m = make_meeting(
        conference_url="https://zoom.us/j/123456789",
        formatted_address="New York, NY",
        latitude=40.78,
        longitude=-73.97,
        coordinates_source="feed",
        approximate=True,
    )
    assert m.attendance_mode == "online"
    assert directions(m) is None
    # And even if a row said "online" beside exact coordinates, there is no building to go to.
    row = SimpleNamespace(
        attendance_mode="online",
        approximate=False,
        latitude=40.78,
        longitude=-73.97,
        coordinates_source="feed",
        formatted_address="1 Main St, New York, NY 10001",
    )
    assert directions(row) is None


@pytest.mark.django_db
def test_imported_san_jose_meetings_route_by_their_address(client, samples):
    """The sample's meetings have ZIP-centre coordinates: every maps link names the street instead."""
    from commonground.feeds.importing import import_location
    from commonground.meetings.models import Meeting

    import_location(str(samples / "tsml-template-san-jose.csv"))
    in_person = Meeting.objects.exclude(attendance_mode="online")
    assert in_person.exists()
    for m in in_person:
        assert m.coordinates_source == "postal_code", m  # the premise: the sample has no coordinates
        d = directions(m)
        assert d["geo"].startswith("geo:0,0?q=") and unquote(d["geo"][10:]) == m.formatted_address


def _result(mode="in_person", lat=40.0, lng=-74.0, source="feed", approximate=False, name="M"):
    return {
        "id": 1,
        "name": name,
        "url": "/meetings/s/m1",
        "mode": mode,
        "location": {"latitude": lat, "longitude": lng, "coordinates_source": source, "approximate": approximate},
    }


def test_map_points_mark_centres_as_approximate_and_leave_online_meetings_off():
    points = map_points(
        [
            _result(name="exact"),
            _result(name="zip", source="postal_code"),
            _result(name="city", source="city"),
            _result(name="area", approximate=True),
            _result(name="online", mode="online"),
            _result(name="hybrid", mode="hybrid"),
            _result(name="nowhere", lat=None, lng=None, source=None),
        ]
    )
    by_name = {p["name"]: p for p in points}
    assert set(by_name) == {"exact", "zip", "city", "area", "hybrid"}
    assert [n for n, p in by_name.items() if p["approximate"]] == ["zip", "city", "area"]
    assert all(p["note"] for p in points if p["approximate"])
    assert by_name["exact"] == {
        "id": 1,
        "name": "exact",
        "lat": 40.0,
        "lng": -74.0,
        "url": "/meetings/s/m1",
        "approximate": False,
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_results_map_marks_zip_centres(client, samples):
    """The results page's map data, from the San Jose sample (all ZIP centres)."""
    import json

    from commonground.feeds.importing import import_location
    from commonground.search import engine

    import_location(str(samples / "tsml-template-san-jose.csv"))
    engine.reset()
    try:
        html = client.get("/meetings", {"near": "95112", "view": "map", "radius_km": "80"}).content.decode()
    finally:
        engine.reset()
    data = re.search(r'<script id="map-points" type="application/json">(.*?)</script>', html, re.S)
    assert data, "no map data on the page"
    points = json.loads(data[1])
    assert points and all(p.get("approximate") is True for p in points)


def test_finder_draws_approximate_points_differently():
    """finder.js reads the flag (checked in the browser in tests/browser when Chromium is there)."""
    from pathlib import Path

    import commonground.web

    js = (Path(commonground.web.__file__).parent / "static/web/finder.js").read_text(encoding="utf-8")
    assert "p.approximate" in js and "circle" in js
