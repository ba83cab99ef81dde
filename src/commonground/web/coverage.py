"""The figures of the /coverage page: public meetings by country, region and program, online ones
apart, and how many in-person meetings lie near each of the world's large cities.

They change only with the meetings, so they are computed once per data version (``DataVersion``'s
label) and kept in the process; a request then costs one read of the version. Nothing here depends
on the visitor's language: names are given by the view (``coverage_views.py``).

Which cities are checked (``checked_cities``): the ``BIGGEST`` most populous of the gazetteer's
(GeoNames' cities of 15,000 people or more; one whose centre is within ``SAME_CITY_KM`` of a larger
one's is part of it), and every US state capital with Washington, DC, so each
state is looked at once however small its capital. A city is *thin* with fewer than ``THIN_BELOW``
in-person or hybrid meetings within ``NEAR_KM``.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any

import numpy as np
from django.db.models import Count

from commonground.feeds.coverage import meeting_counts
from commonground.meetings import geo
from commonground.meetings.models import DataVersion, Meeting, Source
from commonground.meetings.modes import AttendanceMode
from commonground.places.gazetteer import US_STATES, fold, gazetteer
from commonground.safety.countries import country_for_zone, iso_codes

NEAR_KM = 50
THIN_BELOW = 5
BIGGEST = 200
SAME_CITY_KM = 25  # a city whose centre is this near a larger one's is taken as part of it
# TextChoices is untyped here, so mypy takes a member for its (value, label) tuple.
ONLINE = AttendanceMode.ONLINE.value  # type: ignore[attr-defined]
WITH_A_ROOM = (AttendanceMode.IN_PERSON.value, AttendanceMode.HYBRID.value)  # type: ignore[attr-defined]
# Degrees of latitude that hold every point within NEAR_KM (a degree is at least 110.5 km).
_BAND = NEAR_KM / 110.5

US_CAPITALS = (
    ("Montgomery", "AL"),
    ("Juneau", "AK"),
    ("Phoenix", "AZ"),
    ("Little Rock", "AR"),
    ("Sacramento", "CA"),
    ("Denver", "CO"),
    ("Hartford", "CT"),
    ("Dover", "DE"),
    ("Washington", "DC"),
    ("Tallahassee", "FL"),
    ("Atlanta", "GA"),
    ("Honolulu", "HI"),
    ("Boise", "ID"),
    ("Springfield", "IL"),
    ("Indianapolis", "IN"),
    ("Des Moines", "IA"),
    ("Topeka", "KS"),
    ("Frankfort", "KY"),
    ("Baton Rouge", "LA"),
    ("Augusta", "ME"),
    ("Annapolis", "MD"),
    ("Boston", "MA"),
    ("Lansing", "MI"),
    ("Saint Paul", "MN"),
    ("Jackson", "MS"),
    ("Jefferson City", "MO"),
    ("Helena", "MT"),
    ("Lincoln", "NE"),
    ("Carson City", "NV"),
    ("Concord", "NH"),
    ("Trenton", "NJ"),
    ("Santa Fe", "NM"),
    ("Albany", "NY"),
    ("Raleigh", "NC"),
    ("Bismarck", "ND"),
    ("Columbus", "OH"),
    ("Oklahoma City", "OK"),
    ("Salem", "OR"),
    ("Harrisburg", "PA"),
    ("Providence", "RI"),
    ("Columbia", "SC"),
    ("Pierre", "SD"),
    ("Nashville", "TN"),
    ("Austin", "TX"),
    ("Salt Lake City", "UT"),
    ("Montpelier", "VT"),
    ("Richmond", "VA"),
    ("Olympia", "WA"),
    ("Charleston", "WV"),
    ("Madison", "WI"),
    ("Cheyenne", "WY"),
)


@lru_cache(maxsize=1)
def checked_cities() -> tuple[dict[str, Any], ...]:
    """The cities the page checks, most populous first: name (with the state in the US), country,
    position, population, and whether it is a state capital."""
    g = gazetteer()
    seen = set()
    places = []
    for found in g.cities.values():
        for place in found:
            if place.kind == "city" and place.population and place not in seen:
                seen.add(place)
                places.append(place)
    places.sort(key=lambda p: (-p.population, p.label))
    chosen: dict[Any, bool] = {}
    for place in places:
        if len(chosen) == BIGGEST:
            break
        # A borough or suburb of a larger city (Brooklyn, Queens) is checked as part of it.
        if not any(geo.km(place.latitude, place.longitude, p.latitude, p.longitude) < SAME_CITY_KM for p in chosen):
            chosen[place] = False
    for name, state in US_CAPITALS:
        found = g.cities_named(name, region=state, country="US")
        if found:
            chosen[found[0]] = True
    return tuple(
        {
            # A label ends with the country's name: "Albany, NY, United States", "Lagos, Nigeria".
            "name": place.label.rsplit(", ", 1)[0],
            "country": place.country,
            "lat": place.latitude,
            "lng": place.longitude,
            "population": place.population,
            "capital": capital,
        }
        for place, capital in sorted(chosen.items(), key=lambda item: (-item[0].population, item[0].label))
    )


def country_code(text: str) -> str:
    """The ISO code of a meeting's country as feeds write it ("USA", "Ireland", "MX"); "" when unknown."""
    text = (text or "").strip()
    if len(text) == 2 and text.upper() in iso_codes():
        return text.upper()
    return gazetteer().countries.get(fold(text), "") if text else ""


def region_name(country: str, region: str) -> str:
    """A US state by its name whichever way it is written ("NY", "New York"); other regions as given."""
    region = " ".join((region or "").split())
    if country == "US":
        code = gazetteer().us_states.get(fold(region))
        if code:
            return US_STATES[code]
    return region


def _by_country() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Public meetings by country (in person and hybrid: where their room is), with each country's
    programs and regions; and the online-only ones, by program."""
    source_countries = {
        pk: [c for c in countries.split(",") if c] for pk, countries in Source.objects.values_list("id", "countries")
    }
    rows = (
        Meeting.objects.public()
        .order_by()
        .values_list("country", "region", "timezone", "program_id", "attendance_mode", "source_id")
        .annotate(n=Count("id"))
    )
    countries: dict[str, dict[str, Counter]] = defaultdict(lambda: {"programs": Counter(), "regions": Counter()})
    online: Counter = Counter()
    codes: dict[tuple[str, str, int], str] = {}
    for country, region, tz, program, mode, source, n in rows:
        if mode == ONLINE:
            online[program] += n
            continue
        key = (country, tz, source)
        if key not in codes:
            # As the meeting says; else its source's one country; else its time zone's.
            served = source_countries.get(source, [])
            codes[key] = country_code(country) or (served[0] if len(served) == 1 else "") or country_for_zone(tz)
        code = codes[key]
        countries[code]["programs"][program] += n
        countries[code]["regions"][region_name(code, region)] += n
    table = [
        {
            "code": code,
            "in_person": sum(counts["programs"].values()),
            "programs": counts["programs"].most_common(),
            "regions": sorted(counts["regions"].items(), key=lambda item: (-item[1], item[0] == "", item[0])),
        }
        for code, counts in countries.items()
    ]
    table.sort(key=lambda c: (c["code"] == "", -c["in_person"], c["code"]))
    return table, {"total": sum(online.values()), "programs": online.most_common()}


def _near_cities() -> list[dict[str, Any]]:
    """Each checked city with its count of public in-person meetings within NEAR_KM: the meetings'
    latitudes sorted once, then per city the band of latitude that can be near it, measured."""
    points = np.array(
        Meeting.objects.public()
        .filter(attendance_mode__in=WITH_A_ROOM, latitude__isnull=False, longitude__isnull=False)
        .order_by()
        .values_list("latitude", "longitude"),
        dtype=np.float64,
    ).reshape(-1, 2)
    order = np.argsort(points[:, 0], kind="stable")
    lats, lngs = points[order, 0], points[order, 1]
    out = []
    for city in checked_cities():
        lo, hi = np.searchsorted(lats, (city["lat"] - _BAND, city["lat"] + _BAND))
        near = geo.km(city["lat"], city["lng"], lats[lo:hi], lngs[lo:hi]) <= NEAR_KM
        out.append({**city, "meetings": int(np.count_nonzero(near))})
    return out


def compute() -> dict[str, Any]:
    countries, online = _by_country()
    return {"countries": countries, "online": online, "cities": _near_cities(), "source_counts": meeting_counts()}


_lock = threading.Lock()
_kept: tuple[str, dict[str, Any]] | None = None


def page_data() -> dict[str, Any]:
    """The figures for the current data version, computed at most once per version and process."""
    global _kept
    label = DataVersion.label(DataVersion.current_with_time())
    kept = _kept
    if kept is not None and kept[0] == label:
        return kept[1]
    with _lock:
        if _kept is None or _kept[0] != label:
            _kept = (label, {**compute(), "version": label})
        return _kept[1]


def forget() -> None:
    """Drop the kept figures (tests)."""
    global _kept
    _kept = None
