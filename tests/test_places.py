"""Offline place look-up: ZIP codes, "City, ST", "City, Country", world cities, and clear failures."""

import pytest

from commonground.places.gazetteer import PlaceError, fold, gazetteer, timezone_at


@pytest.mark.parametrize(
    "text, label_start, zone",
    [
        ("10001", "New York, NY 10001", "America/New_York"),
        ("80202-1234", "Denver, CO 80202", "America/Denver"),
        ("Portland, ME", "Portland, ME", "America/New_York"),
        ("Portland, OR", "Portland, OR", "America/Los_Angeles"),
        ("Toronto, ON", "Toronto", "America/Toronto"),
        ("Sydney, Australia", "Sydney", "Australia/Sydney"),
        ("Melbourne VIC, Australia", "Melbourne", "Australia/Melbourne"),
        ("Kathmandu", "Kathmandu", "Asia/Kathmandu"),
        ("London, UK", "London", "Europe/London"),
        ("Ciudad de México, Mexico", "Mexico City", "America/Mexico_City"),
        ("123 Main St, Denver, CO 80202, USA", "Denver, CO 80202", "America/Denver"),
        ("St. Louis, MO", "St. Louis", "America/Chicago"),
        ("Montréal", "Montréal", "America/Toronto"),
    ],
)
def test_places_resolve(text, label_start, zone):
    place = gazetteer().resolve(text)
    assert place.label.startswith(label_start)
    assert place.timezone == zone


def test_small_us_towns_come_from_the_zip_data():
    place = gazetteer().resolve("Holtsville, NY")
    assert place.timezone == "America/New_York" and place.country == "US"


def test_an_ambiguous_name_lists_candidates():
    with pytest.raises(PlaceError) as info:
        gazetteer().resolve("Springfield")
    assert "could be several places" in info.value.message
    assert len(info.value.candidates) >= 3
    assert any("Springfield, IL" in c.label for c in info.value.candidates)


def test_an_unknown_place_says_what_to_try():
    with pytest.raises(PlaceError) as info:
        gazetteer().resolve("Xyzzyville")
    assert "ZIP code" in info.value.message and info.value.candidates == []


def test_empty_text_has_no_candidates():
    assert gazetteer().search("  ") == []


def test_zone_from_coordinates():
    assert timezone_at(-31.5553, 159.0821) == "Australia/Lord_Howe"
    assert timezone_at(27.7153, 85.31228) == "Asia/Kathmandu"
    assert timezone_at(0.0, -30.0) is None  # mid-Atlantic: no zone to give


def test_fold():
    assert fold("Saint-Jérôme") == "saint jerome"
    assert fold("St. Paul") == fold("Saint Paul")
