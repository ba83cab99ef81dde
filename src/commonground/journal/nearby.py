"""Medication treatment on "I'm struggling" (issue 30, part 5): for a person with an opioid clock, the
nearest provider of buprenorphine or methadone, from FindTreatment.gov's listings.

The companion keeps a time zone and a country, not a place. The place is one the person gave us
themselves: the place in their saved fit answers, else the first of their saved meetings held in
person. With neither, nothing is shown (a time zone is not a place). The provider is looked up for
the page and never stored.
"""

from __future__ import annotations

from django.http import QueryDict

from commonground.places.units import KM_PER_MILE, distance_unit
from commonground.search.query import QueryError, parse_query
from commonground.treatment.nearby import covers, nearest_any
from commonground.treatment.query import DEFAULT_RADIUS_KM
from commonground.web.help import country_of_meeting

MEDICATIONS = ("buprenorphine", "methadone")


def place_of(account, favourites: list[dict]) -> tuple[float, float, str] | None:
    """(latitude, longitude, country) of the saved fit answers' place, else of a saved in-person meeting."""
    saved = account.data.saved_fit
    near = QueryDict(saved.query if saved else "").get("near", "").strip()
    if near:
        try:
            query = parse_query({"near": near})
        except QueryError:
            query = None
        if query is not None and query.has_place:
            return query.latitude, query.longitude, query.country
    for row in favourites:
        meeting = row["meeting"]
        if meeting is not None and meeting.attendance_mode != "online" and meeting.latitude is not None:
            return meeting.latitude, meeting.longitude, country_of_meeting(meeting, {})
    return None


def medication_near(account, substances, favourites: list[dict]) -> tuple[dict, str] | None:
    """The nearest buprenorphine or methadone provider and the unit to show its distance in, for an
    account with an opioid clock and a place in the US or its territories; else None."""
    if "opioids" not in substances:
        return None
    place = place_of(account, favourites)
    if place is None or not covers(place[2]):
        return None
    found = nearest_any(place[0], place[1], MEDICATIONS, radius_km=DEFAULT_RADIUS_KM, limit=1)
    if not found:
        return None
    unit = distance_unit(place[2])
    km = found[0]["distance_km"]
    return {**found[0], "distance": km / KM_PER_MILE if unit == "mi" else km}, unit
