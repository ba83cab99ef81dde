"""Issue 29, a finder for everywhere: searching near Dublin, Stockholm, Sydney, São Paulo and Tehran.

Each city's meetings are in its own IANA zone. The checks: the place resolves; results come nearest
first; "starting soon" and a day's window are read in the local zone, across the DST changes where
the city has them (Dublin and Stockholm in March and October, Sydney in April and October; São
Paulo has had none since 2019, Tehran none since 2022, at +03:30 all year); distances are shown in
kilometres there and in miles for a search in London or the United States; a meeting named in
Persian is found by its words and sets its own direction; and a meeting's page shows the help lines
of the meeting's own country, never the United States' for a meeting in Tehran.
"""

from __future__ import annotations

import re
from datetime import time

import pytest
import time_machine

from commonground.meetings.models import Meeting, Source
from commonground.places.gazetteer import gazetteer
from commonground.places.units import distance_unit
from commonground.search import engine
from commonground.search.query import parse_query
from commonground.search.results import jsonable

# Each city as the gazetteer names it (its centre is where a search for it starts), its zone and country.
CITIES = {
    "Dublin": ("Dublin, Ireland", "Europe/Dublin", "Ireland"),
    "Stockholm": ("Stockholm, Sweden", "Europe/Stockholm", "Sweden"),
    "Sydney": ("Sydney, Australia", "Australia/Sydney", "Australia"),
    "São Paulo": ("São Paulo, Brazil", "America/Sao_Paulo", "Brazil"),
    "Tehran": ("Tehran, Iran", "Asia/Tehran", "Iran"),
    "London": ("London, UK", "Europe/London", "United Kingdom"),
    "Albany": ("Albany, NY", "America/New_York", "USA"),
}
PERSIAN = "جلسه گمنامان الکلی"  # "Alcoholics Anonymous meeting"
# 0.01° of latitude is about 1.11 km anywhere.
STEPS = {"far": 0.09, "near": 0.01, "middle": 0.045}


@pytest.fixture(autouse=True)
def fresh_engine():
    engine.reset()
    yield
    engine.reset()


@pytest.fixture
def add(db):
    source = Source.objects.create(name="World intergroup", format="meeting-guide")
    counter = iter(range(10**6))

    def make(city: str, name: str, weekday: int | None, at: time | None, *, north: float = 0.0, **extra):
        place, zone, country = CITIES[city]
        centre = gazetteer().resolve(place)
        lat, lng = centre.latitude, centre.longitude
        n = next(counter)
        fields = {
            "latitude": lat + north,
            "longitude": lng,
            "formatted_address": f"{n} Main Street, {city}, {country}",
            "city": city,
            "country": country,
            "duration_minutes": 60,
            "coordinates_source": "feed",
            **extra,
        }
        return Meeting.objects.create(
            program_id="aa",
            source=source,
            key=f"w{n}",
            slug=f"w{n}",
            name=name,
            weekday=weekday,
            start_time=at,
            timezone=zone,
            **fields,
        )

    return make


def search(params):
    """(names, results as the API writes them)."""
    page = engine.search(parse_query(params))
    results = [jsonable(r) for r in page.results]
    return [r["name"] for r in results], results


# --- the places -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone", "country"),
    [
        ("Dublin, Ireland", "Europe/Dublin", "IE"),
        ("Stockholm", "Europe/Stockholm", "SE"),
        ("Sydney, Australia", "Australia/Sydney", "AU"),
        ("São Paulo", "America/Sao_Paulo", "BR"),
        ("Sao Paulo, Brazil", "America/Sao_Paulo", "BR"),
        ("Tehran", "Asia/Tehran", "IR"),
        ("تهران", "Asia/Tehran", "IR"),
    ],
)
def test_the_city_resolves(text, zone, country):
    place = gazetteer().resolve(text)
    assert (place.timezone, place.country) == (zone, country)
    query = parse_query({"near": text})
    assert (query.tz, query.country) == (zone, country)


# --- nearest first ----------------------------------------------------------------------------------


@pytest.mark.parametrize("city", ["Dublin", "Stockholm", "Sydney", "São Paulo", "Tehran"])
def test_results_come_nearest_first(add, city):
    for label, step in STEPS.items():
        add(city, f"{city} {label}", 3, time(19, 0), north=step)
    near = {"São Paulo": "São Paulo, Brazil", "Tehran": "Tehran, Iran"}.get(city, city)
    found, results = search({"near": near, "radius_km": "25"})
    assert found == [f"{city} near", f"{city} middle", f"{city} far"]
    distances = [r["distance_km"] for r in results]
    assert distances == sorted(distances) and 1.0 < distances[0] < 1.2 and 9.9 < distances[-1] < 10.1


# --- starting soon and a day's window, in the local zone, across DST --------------------------------


def test_dublin_starting_soon_across_the_october_change(add):
    add("Dublin", "Sunday evening", 0, time(19, 0))
    # 18 October 2026: Irish Standard Time, UTC+1. 17:30 UTC is 18:30 in Dublin.
    with time_machine.travel("2026-10-18T17:30:00Z", tick=False):
        found, results = search({"near": "Dublin, Ireland", "starting_within": "60"})
        assert found == ["Sunday evening"]
        assert results[0]["starts_at"] == "2026-10-18T18:00:00Z"
        assert results[0]["starts_at_local"] == "2026-10-18T19:00:00+01:00"
    # 25 October 2026: clocks went back at 02:00. 17:30 UTC is 17:30 in Dublin: 90 minutes to go.
    with time_machine.travel("2026-10-25T17:30:00Z", tick=False):
        assert search({"near": "Dublin, Ireland", "starting_within": "60"})[0] == []
        found, results = search({"near": "Dublin, Ireland", "starting_within": "120"})
        assert results[0]["starts_at"] == "2026-10-25T19:00:00Z"


def test_stockholm_a_days_window_across_the_march_change(add):
    add("Stockholm", "Söndagsmöte", 0, time(10, 0))
    add("Stockholm", "Lördagsmöte", 6, time(10, 0))
    window = {"near": "Stockholm", "day": "0", "time_from": "09:00", "time_to": "11:00"}
    # Saturday 21 March 2026, CET (UTC+1): Sunday's 10:00 is 09:00 UTC.
    with time_machine.travel("2026-03-21T12:00:00Z", tick=False):
        found, results = search(window)
        assert found == ["Söndagsmöte"] and results[0]["starts_at"] == "2026-03-22T09:00:00Z"
    # Saturday 28 March 2026: clocks go forward on Sunday at 02:00, so Sunday's 10:00 is 08:00 UTC.
    with time_machine.travel("2026-03-28T12:00:00Z", tick=False):
        found, results = search(window)
        assert found == ["Söndagsmöte"] and results[0]["starts_at"] == "2026-03-29T08:00:00Z"
        assert results[0]["starts_at_local"] == "2026-03-29T10:00:00+02:00"


def test_sydney_today_on_the_day_daylight_saving_ends(add):
    add("Sydney", "Sunday arvo", 0, time(18, 0))
    add("Sydney", "Saturday night", 6, time(18, 0))
    # Sunday 5 April 2026: at 03:00 AEDT clocks went back to 02:00 AEST (UTC+10). 05:00 UTC is 15:00.
    with time_machine.travel("2026-04-05T05:00:00Z", tick=False):
        found, results = search({"near": "Sydney, Australia", "day": "today"})
        assert found == ["Sunday arvo"]
        assert results[0]["starts_at"] == "2026-04-05T08:00:00Z"
        assert results[0]["starts_at_local"] == "2026-04-05T18:00:00+10:00"
    # A week before, still AEDT (UTC+11): the same meeting is at 07:00 UTC.
    with time_machine.travel("2026-03-29T05:00:00Z", tick=False):
        found, results = search({"near": "Sydney, Australia", "day": "today"})
        assert found == ["Sunday arvo"] and results[0]["starts_at"] == "2026-03-29T07:00:00Z"
    # October's change goes the other way: Sunday 4 October 2026 starts at UTC+10, ends at UTC+11.
    with time_machine.travel("2026-10-04T05:00:00Z", tick=False):
        found, results = search({"near": "Sydney, Australia", "day": "today"})
        assert results[0]["starts_at"] == "2026-10-04T07:00:00Z"


@pytest.mark.parametrize("now", ["2026-01-14T22:30:00Z", "2026-07-15T22:30:00Z"])
def test_sao_paulo_has_no_daylight_saving(add, now):
    add("São Paulo", "Quarta à noite", 3, time(20, 0))
    # Wednesday 19:30 in São Paulo (UTC-3) in summer and in winter alike.
    with time_machine.travel(now, tick=False):
        found, results = search({"near": "São Paulo", "starting_within": "60"})
        assert found == ["Quarta à noite"]
        assert results[0]["starts_at"].endswith("T23:00:00Z")
        assert results[0]["starts_at_local"].endswith("T20:00:00-03:00")


@pytest.mark.parametrize("now", ["2026-03-20T13:00:00Z", "2026-03-27T13:00:00Z", "2026-06-19T13:00:00Z"])
def test_tehran_is_three_and_a_half_hours_ahead_all_year(add, now):
    # Iran kept +03:30 all year from 2023: the week its clocks used to go forward (22 March) is no change.
    add("Tehran", "Friday afternoon", 5, time(17, 0))
    with time_machine.travel(now, tick=False):
        found, results = search({"near": "Tehran", "starting_within": "60"})
        assert found == ["Friday afternoon"]
        assert results[0]["starts_at"].endswith("T13:30:00Z")
        assert results[0]["starts_at_local"].endswith("T17:00:00+03:30")


def test_the_tehran_card_says_its_offset(client, add):
    add("Tehran", "Friday afternoon", 5, time(17, 0))
    with time_machine.travel("2026-06-19T13:00:00Z", tick=False):
        html = client.get("/meetings", {"near": "Tehran", "starting_within": "60"}).content.decode()
    assert "Friday 5 p.m. UTC+03:30</time>" in html and "starts in 30 min" in html


# --- units ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "unit"),
    [("US", "mi"), ("GB", "mi"), ("IM", "mi"), ("JE", "mi"), ("GU", "mi"), ("IE", "km"), ("SE", "km")]
    + [("AU", "km"), ("BR", "km"), ("IR", "km"), ("PR", "km"), ("GI", "km"), ("", "km"), ("XX", "km")],
)
def test_the_unit_by_country(country, unit):
    assert distance_unit(country) == unit


def _card_distances(html: str) -> list[str]:
    return re.findall(r"· ([\d.,]+ (?:km|mi)) away</p>", html)


@pytest.mark.parametrize(
    ("city", "near", "unit"),
    [
        ("Dublin", "Dublin, Ireland", "km"),
        ("Stockholm", "Stockholm", "km"),
        ("Sydney", "Sydney NSW", "km"),
        ("São Paulo", "São Paulo", "km"),
        ("Tehran", "تهران", "km"),
        ("London", "London, UK", "mi"),
        ("Albany", "Albany, NY", "mi"),
    ],
)
def test_distances_in_the_units_of_the_place_searched(client, add, city, near, unit):
    add(city, "Ten km north", 2, time(19, 0), north=0.09)
    html = client.get("/meetings", {"near": near}).content.decode()
    (shown,) = _card_distances(html)
    assert shown == ("10.0 km" if unit == "km" else "6.2 mi"), shown
    # The distance chooser is in the same unit, with the default radius chosen.
    if unit == "km":
        assert '<select name="radius_km" id="id_radius_km">' in html and "radius_mi" not in html
        assert '<option value="25" selected>25 km</option>' in html
    else:
        assert '<select name="radius_mi" id="id_radius_mi">' in html and 'name="radius_km"' not in html
        assert '<option value="15" selected>15 mi</option>' in html


def test_a_radius_in_miles_searches_that_far(client, add):
    add("London", "Ten km north", 2, time(19, 0), north=0.09)
    assert _card_distances(client.get("/meetings", {"near": "London, UK", "radius_mi": "5"}).content.decode()) == []
    html = client.get("/meetings", {"near": "London, UK", "radius_mi": "10"}).content.decode()
    assert _card_distances(html) == ["6.2 mi"] and '<option value="10" selected>10 mi</option>' in html
    # A radius given in the other unit shows as the nearest choice in this one.
    html = client.get("/meetings", {"near": "Dublin, Ireland", "radius_mi": "30"}).content.decode()
    assert '<option value="50" selected>50 km</option>' in html


def test_the_api_keeps_kilometres(client, add):
    add("London", "Ten km north", 2, time(19, 0), north=0.09)
    body = client.get("/api/v1/meetings", {"near": "London, UK"}).json()
    assert 9.9 < body["results"][0]["distance_km"] < 10.1 and "distance_mi" not in body["results"][0]


def test_spanish_cards_say_the_distance_in_spanish(client, add):
    add("Sydney", "Ten km north", 2, time(19, 0), north=0.09)
    html = client.get("/meetings", {"near": "Sydney NSW"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "a 10,0 km</p>" in html and "km away" not in html


# --- a name in Persian ------------------------------------------------------------------------------


def test_a_persian_name_is_found_by_its_words_and_sets_its_direction(client, add):
    m = add("Tehran", PERSIAN, 5, time(17, 0))
    add("Tehran", "English speaking group", 5, time(18, 0))
    for words in ("گمنامان", "الکلی", PERSIAN):
        assert search({"near": "Tehran", "q": words})[0] == [PERSIAN]
    html = client.get("/meetings", {"near": "تهران", "q": "گمنامان"}).content.decode()
    assert f'<h3 dir="auto"><a href="{m.get_absolute_url()}?tz=Asia/Tehran">{PERSIAN}</a></h3>' in html
    page = client.get(m.get_absolute_url()).content.decode()
    assert f'<h1 dir="auto">{PERSIAN}</h1>' in page


# --- help by the meeting's country ------------------------------------------------------------------


US_LINES = ("988", "911", "SAMHSA", "1-800")


def _footer(html: str) -> str:
    return html[html.index('<footer class="crisis">') :]


@pytest.mark.parametrize("query", ["", "?tz=America/New_York", "?tz=America/Los_Angeles&now=2026-06-19T13:00:00Z"])
def test_the_tehran_meetings_page_shows_no_us_lines(client, add, query):
    m = add("Tehran", PERSIAN, 5, time(17, 0))
    html = client.get(m.get_absolute_url() + query).content.decode()
    footer = _footer(html)
    assert not [line for line in US_LINES if line in footer], footer
    assert "These lines serve" not in footer
    # Iran's own lines from the safety layer's table: 115 for an emergency, Behzisti's 123 first.
    assert 'href="tel:115"' in footer and 'href="tel:123"' in footer
    assert "In an emergency, call your local emergency number." not in footer  # not the fallback
    assert "?country=IR" in html  # "Help now" and the footer's link open /help for Iran


def test_a_meetings_page_shows_its_own_countrys_lines(client, add):
    dublin = add("Dublin", "Dublin group", 0, time(19, 0))
    footer = _footer(client.get(dublin.get_absolute_url() + "?tz=America/New_York").content.decode())
    assert "116 123" in footer and "112" in footer and "988" not in footer
    sydney = add("Sydney", "Sydney group", 0, time(19, 0))
    footer = _footer(client.get(sydney.get_absolute_url()).content.decode())
    assert "000" in footer and "988" not in footer
    albany = add("Albany", "Albany group", 0, time(19, 0))
    assert "988" in _footer(client.get(albany.get_absolute_url() + "?tz=Europe/Dublin").content.decode())


def test_an_online_meetings_page_shows_the_readers_lines(client, add):
    # Joined from anywhere: the country the reader's zone names, and the meeting's own when none does.
    online = add(
        "Dublin",
        "Online from Dublin",
        0,
        time(19, 0),
        approximate=True,  # an area, not a building: online only (TSML's rule)
        conference_url="https://zoom.us/j/123456789",
    )
    assert online.attendance_mode == "online"
    assert "988" in _footer(client.get(online.get_absolute_url() + "?tz=America/New_York").content.decode())
    assert "116 123" in _footer(client.get(online.get_absolute_url()).content.decode())


# --- Spanish ----------------------------------------------------------------------------------------


def test_times_and_days_in_spanish(client, add):
    m = add("Stockholm", "Söndagsmöte", 0, time(10, 0))
    with time_machine.travel("2026-03-28T12:00:00Z", tick=False):
        page = client.get(m.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
        results = client.get(
            "/meetings", {"near": "Stockholm", "tz": "America/New_York"}, HTTP_ACCEPT_LANGUAGE="es"
        ).content.decode()
    assert "Cada domingo a las 10:00 CEST" in page and "29 de marzo de 2026" in page
    assert "domingo 04:00 EDT" in results
    assert "domingo 10:00 CEST, hora local de la reunión" in results
    assert "where the meeting is" not in results and "Sunday" not in results
