"""Named edge cases for search: DST weeks, midnight, other zones, boundaries, online without place."""

import math
from datetime import time, timedelta

import pytest
from search_oracle import haversine

from commonground.meetings.models import Meeting, Source
from commonground.search import engine
from commonground.search.query import QueryError, parse_query
from commonground.search.results import jsonable

NYC = {"latitude": 40.7506, "longitude": -73.9972}


@pytest.fixture(autouse=True)
def fresh_engine():
    engine.reset()
    yield
    engine.reset()


@pytest.fixture
def add(db):
    source = Source.objects.create(name="edges", format="meeting-guide")
    counter = iter(range(10**6))

    def make(name, weekday, hh, mm, tz, **extra):
        n = next(counter)
        fields = {"address": "1 Main St", **NYC, "duration_minutes": 60, **extra}
        return Meeting.objects.create(
            program_id=extra.pop("program", "aa"),
            source=source,
            key=f"e{n}",
            slug=f"e{n}",
            name=name,
            weekday=weekday,
            start_time=None if hh is None else time(hh, mm),
            timezone=tz,
            **{k: v for k, v in fields.items() if k != "program"},
        )

    return make


def names(params):
    """Names found, and the page with each result as the API writes it (times as ISO strings)."""
    page = engine.search(parse_query(params))
    typed = page.results
    assert all(r["starts_at"] is None or r["starts_at"].utcoffset() == timedelta(0) for r in typed)
    page.results = [jsonable(r) for r in typed]
    return [r["name"] for r in page.results], page


# --- DST weeks -------------------------------------------------------------------------------


def test_us_spring_forward_0230_becomes_0330_edt(add):
    add("Gap", 0, 2, 30, "America/New_York")
    found, page = names({"starting_within": "120", "now": "2026-03-08T06:00:00Z"})
    assert found == ["Gap"]
    result = page.results[0]
    assert result["starts_at"] == "2026-03-08T07:30:00Z"
    assert result["starts_at_meeting"] == "2026-03-08T03:30:00-04:00"


@pytest.mark.slow
def test_us_fall_back_repeated_hour_means_the_first(add):
    add("Twice", 0, 1, 30, "America/New_York")
    found, page = names({"starting_within": "60", "now": "2026-11-01T05:00:00Z"})
    assert page.results[0]["starts_at"] == "2026-11-01T05:30:00Z"
    # An hour later the clock shows 01:30 again, but the meeting has already started.
    found, _ = names({"starting_within": "30", "now": "2026-11-01T06:20:00Z"})
    assert found == []


@pytest.mark.slow
def test_eu_spring_forward(add):
    add("London gap", 0, 1, 30, "Europe/London")
    _, page = names({"starting_within": "60", "now": "2026-03-29T01:00:00Z"})
    assert page.results[0]["starts_at"] == "2026-03-29T01:30:00Z"


@pytest.mark.slow
def test_sydney_and_lord_howe_spring_forward(add):
    add("Sydney gap", 0, 2, 30, "Australia/Sydney")
    add("Lord Howe gap", 0, 2, 15, "Australia/Lord_Howe")
    _, page = names({"starting_within": "180", "now": "2026-10-03T15:00:00Z", "sort": "soonest"})
    starts = {r["name"]: r["starts_at"] for r in page.results}
    assert starts == {"Lord Howe gap": "2026-10-03T15:45:00Z", "Sydney gap": "2026-10-03T16:30:00Z"}


def test_kathmandu_quarter_hour(add):
    add("Thamel", 1, 18, 0, "Asia/Kathmandu")
    _, page = names({"starting_within": "30", "now": "2026-11-30T12:00:00Z"})
    assert page.results[0]["starts_at"] == "2026-11-30T12:15:00Z"


# --- windows ---------------------------------------------------------------------------------


def test_window_across_midnight_and_saturday_to_sunday(add):
    add("Sat 23:30", 6, 23, 30, "America/New_York")
    add("Sun 01:00", 0, 1, 0, "America/New_York")
    add("Sun 02:30", 0, 2, 30, "America/New_York")
    add("Sat 21:00", 6, 21, 0, "America/New_York")
    params = {
        "day": "6",
        "time_from": "22:00",
        "time_to": "02:00",
        "tz": "America/New_York",
        "now": "2026-06-10T12:00:00Z",
    }
    found, _ = names(params)
    assert found == ["Sat 23:30", "Sun 01:00"]


def test_searcher_in_another_zone(add):
    # Tuesday 19:00 in New York is Wednesday 04:45 in Kathmandu.
    add("NY Tuesday", 2, 19, 0, "America/New_York")
    found, page = names(
        {"day": "3", "time_from": "04:00", "time_to": "05:00", "tz": "Asia/Kathmandu", "now": "2026-06-08T00:00:00Z"}
    )
    assert found == ["NY Tuesday"]
    result = page.results[0]
    assert result["starts_at_local"] == "2026-06-10T04:45:00+05:45"
    assert result["starts_at_meeting"] == "2026-06-09T19:00:00-04:00"


def test_window_edges_are_inclusive_and_the_grace_is_ten_minutes(add):
    add("Exactly at the end", 1, 19, 30, "UTC")
    add("Ten minutes ago", 1, 18, 50, "UTC")
    add("Eleven minutes ago", 1, 18, 49, "UTC")
    add("One minute late", 1, 19, 31, "UTC")
    found, page = names({"starting_within": "30", "now": "2026-06-08T19:00:00Z", "sort": "soonest"})
    assert found == ["Ten minutes ago", "Exactly at the end"]
    assert page.results[0]["in_progress"] and not page.results[1]["in_progress"]


@pytest.mark.slow
def test_seconds_in_now_count(add):
    add("At 18:50", 1, 18, 50, "UTC")
    add("At 19:30", 1, 19, 30, "UTC")
    # From 19:00:30 the window is 18:50:30 to 19:30:30.
    assert names({"starting_within": "30", "now": "2026-06-08T19:00:30Z"})[0] == ["At 19:30"]
    # From 18:59:59 it is 18:49:59 to 19:29:59.
    assert names({"starting_within": "30", "now": "2026-06-08T18:59:59Z"})[0] == ["At 18:50"]


def test_today_window_already_over_means_next_week(add):
    add("Tuesday evening", 2, 19, 0, "UTC")
    _, page = names(
        {"day": "2", "time_from": "18:00", "time_to": "21:00", "tz": "UTC", "now": "2026-06-09T22:00:00Z"}
    )  # a Tuesday, after the window
    assert page.results[0]["starts_at"] == "2026-06-16T19:00:00Z"


# --- place and mode --------------------------------------------------------------------------


def test_radius_is_inclusive_and_sorted_nearest(add):
    add("Here", 1, 19, 0, "America/New_York")
    add("Four km", 1, 19, 0, "America/New_York", latitude=40.7506 + 4 / 111.2, longitude=-73.9972)
    add("Six km", 1, 19, 0, "America/New_York", latitude=40.7506 + 6 / 111.2, longitude=-73.9972)
    found, page = names({"lat": "40.7506", "lng": "-73.9972", "radius_km": "5"})
    assert found == ["Here", "Four km"]
    assert page.results[0]["distance_km"] == 0.0 and 3.9 < page.results[1]["distance_km"] < 4.1
    # A radius equal to the distance (to the micrometre above) still includes the meeting.
    exact = haversine(40.7506, -73.9972, 40.7506 + 4 / 111.2, -73.9972)
    radius = math.ceil(exact * 1e9) / 1e9
    assert names({"lat": "40.7506", "lng": "-73.9972", "radius_km": repr(radius)})[0] == ["Here", "Four km"]
    assert names({"lat": "40.7506", "lng": "-73.9972", "radius_km": repr(exact - 1e-6)})[0] == ["Here"]


@pytest.mark.slow
def test_an_online_meeting_with_no_location(add):
    add(
        "Everywhere",
        3,
        20,
        0,
        "UTC",
        latitude=None,
        longitude=None,
        address="",
        approximate=True,
        conference_url="https://zoom.us/j/123456789",
    )
    found, page = names({"mode": "online"})
    assert found == ["Everywhere"] and page.results[0]["location"]["latitude"] is None
    assert names({"mode": "online", "near": "10001"})[0] == []  # a place needs a position to compare


@pytest.mark.slow
def test_mode_online_includes_hybrid_and_in_person_includes_hybrid(add):
    add("Room", 1, 19, 0, "UTC")
    add("Zoom", 1, 19, 0, "UTC", address="", approximate=True, conference_url="https://zoom.us/j/1111111111")
    add("Both", 1, 19, 0, "UTC", conference_url="https://zoom.us/j/2222222222")
    assert names({"mode": "online"})[0] == ["Both", "Zoom"]
    assert names({"mode": "in_person"})[0] == ["Both", "Room"]
    assert names({"mode": "hybrid"})[0] == ["Both"]


def test_ongoing_meetings_match_any_time_and_sort_after_scheduled(add):
    add("Forum", None, None, 0, "UTC", address="", approximate=True, conference_url="https://zoom.us/j/3333333333")
    add("Soon", 1, 19, 10, "UTC")
    found, page = names({"starting_within": "60", "now": "2026-06-08T19:00:00Z"})
    assert found == ["Soon", "Forum"]
    assert page.results[1]["ongoing"] and page.results[1]["starts_at"] is None


@pytest.mark.slow
def test_types_combine_with_and(add):
    add("Women open", 1, 19, 0, "UTC", types=["W", "O"])
    add("Women closed", 1, 19, 0, "UTC", types=["W", "C"])
    assert names({"type": "women,open"})[0] == ["Women open"]
    assert names({"type": ["women"]})[0] == ["Women closed", "Women open"]


@pytest.mark.slow
def test_text_search_is_case_and_accent_sensitive_as_typed(add):
    add("Café Serenity", 1, 19, 0, "UTC", notes="Side door")
    assert names({"q": "café"})[0] == ["Café Serenity"]
    assert names({"q": "SIDE DOOR"})[0] == ["Café Serenity"]
    assert names({"q": "zzz"})[0] == []


def test_sort_defaults():
    assert parse_query({"near": "10001"}).sort == "nearest"
    assert parse_query({"starting_within": "30"}).sort == "soonest"
    assert parse_query({}).sort == "name"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field",
    [
        ({"radius_km": "501"}, "radius_km"),
        ({"tz": "Mars/Base"}, "tz"),
        ({"near": "Springfield"}, "near"),
        ({"near": "Xyzzyville"}, "near"),
        ({"lat": "40"}, "lng"),
        ({"day": "8"}, "day"),
        ({"time_from": "25:00"}, "time_from"),
        ({"starting_within": "30", "day": "1"}, "starting_within"),
        ({"limit": "201"}, "limit"),
        ({"sort": "nearest"}, "sort"),
        ({"program": "xx"}, "program"),
        ({"type": "fluffy"}, "type"),
        ({"now": "2026-06-01T10:00:00"}, "now"),
    ],
)
def test_bad_parameters_name_their_field(params, field):
    with pytest.raises(QueryError) as info:
        parse_query(params)
    assert info.value.field == field and info.value.message
