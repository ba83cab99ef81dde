"""The offline gazetteer (places/gazetteer.py) beyond tests/test_places.py and tests/test_places_27.py.

Those resolve a dozen places and check two zones from coordinates. Here: the name folding as a
property; ZIP codes as spreadsheets write them (leading zero lost, ZIP+4, spaces); every ZIP's data;
zones from coordinates where the rules are odd (Arizona but not the Navajo Nation, Indiana,
Newfoundland, the Chatham Islands, Kiritimati, Troll) and, for ZIP centres, against the ZIP data's
own zone; the order of same-named places; search and the ambiguity rule; and a fuzz of search.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.meetings.schedule import valid_zone_names
from commonground.places.gazetteer import AMBIGUITY_SHARE, Place, PlaceError, fold, gazetteer, timezone_at

# --- folding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("ST LOUIS", "saint louis"),  # upper case is lowered before the saint rule
        ("St Paul", "saint paul"),
        ("Stanford", "stanford"),  # a word that only starts with "st" is left alone
        ("East St. Louis", "east saint louis"),
        ("Mt. Vernon", "mt vernon"),
        ("Coeur d'Alene", "coeur d alene"),
        ("  São   Paulo ", "sao paulo"),
        ("São\u00a0Paulo", "sao paulo"),  # a no-break space is a space
        ("Zürich", "zurich"),
        ("MÜNCHEN", "munchen"),
        ("東京", "東京"),  # every script's letters are kept (issue 29)
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_a_folded_name_is_plain_lower_case_words(text):
    folded = fold(text)
    # Words of letters, digits and the marks inside letters, one space apart, folded once for all.
    assert folded == " ".join(folded.split()) and fold(folded) == folded
    assert all(unicodedata.category(c)[0] in "LNM" for c in folded.replace(" ", "")), folded
    if folded.isascii():
        assert re.fullmatch(r"(?:[a-z0-9]+(?: [a-z0-9]+)*)?", folded), folded
    # Composed or decomposed accents fold alike.
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ -'", max_size=30))
def test_folding_ignores_case_for_latin_letters(text):
    assert fold(text) == fold(text.upper()) == fold(text.lower())


# --- ZIP codes --------------------------------------------------------------------------------------


def test_zip_codes_as_spreadsheets_write_them():
    g = gazetteer()
    allston = g.zip("02134")
    assert allston is not None and allston.label == "Allston, MA 02134" and allston.region == "MA"
    assert g.zip("2134") == allston  # a spreadsheet dropped the leading zero
    assert g.zip("02134-1234") == g.zip(" 02134 ") == g.zip("021341234") == allston
    for nothing in ("", "   ", "abcde", "100", "99999", "1000１"):
        assert g.zip(nothing) is None, nothing


@pytest.mark.slow
def test_every_zip_place_is_labelled_with_its_own_code():
    g = gazetteer()
    assert len(g.zips) > 40_000
    for code, place in g.zips.items():
        assert re.fullmatch(r"\d{5}", code)
        assert place.kind == "zip" and place.country == "US" and place.label.endswith(f", {place.region} {code}")
        assert g.zip(code) is place


# --- zones from coordinates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lng", "zone"),
    [
        (33.4484, -112.0740, "America/Phoenix"),  # Arizona keeps standard time all year ...
        (35.6670, -109.0524, "America/Denver"),  # ... but the Navajo Nation (Window Rock) does not
        (39.7684, -86.1581, "America/Indiana/Indianapolis"),
        (21.3069, -157.8583, "Pacific/Honolulu"),
        (47.5615, -52.7126, "America/St_Johns"),  # UTC-3:30
        (-43.95, -176.56, "Pacific/Chatham"),  # UTC+12:45
        (1.87, -157.43, "Pacific/Kiritimati"),  # UTC+14
        (-72.0114, 2.5350, "Antarctica/Troll"),
        (51.4779, 0.0, "Europe/London"),  # Greenwich
        (-40.0, -120.0, None),  # the South Pacific: only a nautical zone (Etc/GMT+8), which is no place
        (90.0, 0.0, None),  # the North Pole
    ],
)
def test_zone_at_a_point(lat, lng, zone):
    assert timezone_at(lat, lng) == zone


@settings(max_examples=100, deadline=None)
@given(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False))
def test_a_zone_from_coordinates_is_a_portable_name_or_none(lat, lng):
    zone = timezone_at(lat, lng)
    assert zone is None or (zone in valid_zone_names() and not zone.startswith("Etc/"))


@pytest.mark.parametrize("code", ["10001", "85001", "96813", "99501", "00901", "46204", "80202", "98101"])
def test_a_zip_centres_zone_from_coordinates_is_the_zip_datas_zone(code):
    # Two sources agree: the ZIP table's own zone, and the zone polygons at the ZIP's centre.
    place = gazetteer().zip(code)
    assert timezone_at(place.latitude, place.longitude) == place.timezone


def test_the_two_sources_agree_for_nearly_every_zip():
    # Measured: 99.8 % agree; the rest sit on a zone border or offshore. A swapped latitude and
    # longitude, or a wrong data file, would drop this far below.
    places = list(gazetteer().zips.values())[::40]
    agree = sum(timezone_at(p.latitude, p.longitude) == p.timezone for p in places)
    assert agree >= 0.98 * len(places)


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_same_named_places_are_kept_biggest_first():
    for places in gazetteer().cities.values():
        keys = [(-p.population, p.label) for p in places]
        assert keys == sorted(keys)


def test_filters_by_region_and_country():
    g = gazetteer()
    assert {p.region for p in g.cities_named("Portland", region="ME")} == {"ME"}
    assert [p.country for p in g.cities_named("London", country="CA")][:1] == ["CA"]
    assert g.cities_named("London", country="CA")[0].timezone == "America/Toronto"
    assert g.cities_named("Portland", region="ZZ") == []
    assert g.cities_named("MONTRÉAL") == g.cities_named("montreal")


@pytest.mark.parametrize(
    ("text", "label", "kind"),
    [
        ("Denver, CO, USA", "Denver, CO, United States", "city"),
        ("Paris, Texas", "Paris, TX, United States", "city"),  # a state by its name
        ("London, ON", "London, Canada", "city"),  # a province's abbreviation
        ("Sydney NSW 2000", "Sydney, Australia", "city"),  # trailing words dropped until a town matches
        ("123 Main St, Springfield, MA 01103", "Springfield, MA 01103", "zip"),  # a ZIP wins over names
        ("Lodz", "Łódź, Poland", "city"),
        ("Łódź", "Łódź, Poland", "city"),
        ("Cologne", "Köln, Germany", "city"),  # an alternate name
        ("Portland", "Portland, OR, United States", "city"),  # Portland, ME is a tenth of its size: no ambiguity
        ("Paris", "Paris, France", "city"),
    ],
)
def test_search_and_resolve(text, label, kind):
    g = gazetteer()
    first = g.search(text)[0]
    assert (first.label, first.kind) == (label, kind)
    assert g.resolve(text) == first


def test_an_ambiguous_name_lists_only_rivals_of_comparable_size():
    with pytest.raises(PlaceError) as refused:
        gazetteer().resolve("Springfield")
    first, *rivals = refused.value.candidates
    assert rivals and all(p.population >= AMBIGUITY_SHARE * first.population for p in rivals)
    assert str(refused.value) == refused.value.message and "Portland, ME" in refused.value.message


def test_search_limits_and_empty_text():
    g = gazetteer()
    assert 0 < len(g.search("Springfield", limit=3)) <= 3
    assert g.search("") == g.search(None) == []  # type: ignore[arg-type]
    with pytest.raises(PlaceError, match="could not find"):
        g.resolve("   ")
    assert g.search("١٠٠٠١") == []  # Arabic-Indic digits are no US ZIP code


def test_places_are_frozen():
    place = gazetteer().zip("10001")
    assert isinstance(place, Place)
    with pytest.raises(AttributeError):
        place.label = "elsewhere"  # type: ignore[misc]


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(
            st.sampled_from(
                [
                    "Denver",
                    "CO",
                    "USA",
                    "80202",
                    "St. Louis",
                    ",",
                    " ",
                    "NSW",
                    "Québec",
                    "1000",
                    "Springfield",
                    "UK",
                    "ON",
                    "0",
                    "\n",
                ]
            ),
            max_size=6,
        ).map(" ".join),
    ),
    st.integers(1, 12),
)
def test_search_never_raises_and_keeps_its_limit(text, limit):
    found = gazetteer().search(text, limit=limit)
    assert isinstance(found, list) and len(found) <= limit
    assert all(isinstance(p, Place) and p.timezone for p in found)
