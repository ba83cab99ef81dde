"""Bugs found while syncing the world (issue 29), each with the test that showed it."""

from __future__ import annotations

import pytest

from commonground.feeds.errors import RowSkip
from commonground.feeds.normalize import Context, to_meetings


def _row(**changes) -> dict:
    return {"name": "T", "slug": "t", "day": 1, "time": "19:00", "address": "1 Beach Road"} | changes


@pytest.mark.parametrize(
    ("latitude", "longitude", "city", "country", "zone"),
    [
        (31.52, 34.40, "Gaza", "PS", "Asia/Gaza"),  # a few hundred metres off the coast: "Etc/GMT-2" there
        (53.33, -5.6, "Dublin", "Ireland", "Europe/Dublin"),  # out in the Irish Sea: "Etc/GMT", wrong in summer
        (-33.87, 151.6, "Sydney", "AU", "Australia/Sydney"),  # off Sydney: "Etc/GMT-10", wrong in summer
    ],
)
def test_coordinates_a_little_out_at_sea_take_the_zone_of_the_city(latitude, longitude, city, country, zone):
    """Feed coordinates a little off the coast fall in a sea zone (Etc/GMT±N), which is no zone of
    a place: the row was skipped for want of a zone, though its address names the city."""
    meeting = to_meetings(
        _row(latitude=latitude, longitude=longitude, city=city, country=country), Context("na", "spec")
    )[0]
    assert meeting["timezone"] == zone
    assert (meeting["latitude"], meeting["longitude"]) == (latitude, longitude)  # the feed's point is kept


def test_at_sea_with_no_place_named_is_still_skipped_with_its_reason():
    with pytest.raises(RowSkip, match="no time zone given"):
        to_meetings(_row(latitude=31.52, longitude=34.40, address=""), Context("na", "spec"))
