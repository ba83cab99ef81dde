"""One-string addresses (meetings/address.py) on shapes the San Jose sample does not have.

tests/test_address_split.py checks the San Jose sample, a table of one example per shape and that
no character is lost. Here: more real-looking shapes, US and not; addresses *composed* from known
parts (street, city, state or province, postcode) for the four postcode systems the module reads,
which must come back as exactly those parts; what the caller's country changes; a fuzz over any
text and any country (never raises, every part is a piece of the text); and ``meeting_address``
on the stored fields.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.meetings.address import (
    AU_STATE_CODES,
    CA_PROVINCE_CODES,
    US_STATE_CODES,
    AddressParts,
    meeting_address,
    split_address,
)

P = AddressParts


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        # US: a postal box, ZIP+4 and a dotted country name.
        (
            "PO Box 123, Anchorage, AK 99501-1234, U.S.A.",
            "",
            P("PO Box 123", "Anchorage", "AK", "99501-1234", "U.S.A."),
        ),
        (
            "1 Main St, Springfield, IL 62701, United States",
            "",
            P("1 Main St", "Springfield", "IL", "62701", "United States"),
        ),
        # A state written in lower case beside its ZIP is still a state (kept as written).
        ("1 Main St, Springfield, il 62701", "", P("1 Main St", "Springfield", "il", "62701", "")),
        # A state alone, in capitals, with the town before it.
        ("1 Main St, Denver, CO", "", P("1 Main St", "Denver", "CO", "", "")),
        ("Apt 5, 1 Main St, Tulsa, OK", "", P("Apt 5, 1 Main St", "Tulsa", "OK", "", "")),
        # Puerto Rico's ZIPs start with 00.
        ("Calle Luna 5, San Juan, PR 00901", "", P("Calle Luna 5", "San Juan", "PR", "00901", "")),
        # Same-named towns: the state and ZIP decide, not the gazetteer's bigger Paris.
        ("1 Main St, Paris, TX 75460", "", P("1 Main St", "Paris", "TX", "75460", "")),
        # A multi-line address: the line breaks separate the parts.
        (
            "St Paul's Church\n1 Main St\nDenver, CO 80202",
            "",
            P("St Paul's Church, 1 Main St", "Denver", "CO", "80202", ""),
        ),
        # Canada: the province and postal code in one part, with or without the city in it.
        (
            "1 Rue Sainte-Catherine, Montréal, QC H3B 1A1",
            "",
            P("1 Rue Sainte-Catherine", "Montréal", "QC", "H3B 1A1", ""),
        ),
        ("100 Queen St W, Toronto ON M5H2N2", "", P("100 Queen St W", "Toronto", "ON", "M5H2N2", "")),
        ("1 Main St, London, ON N6A 1A1, Canada", "", P("1 Main St", "London", "ON", "N6A 1A1", "Canada")),
        # Britain: a postcode on its own or after the town; "England" is a country people write.
        ("1 High St, Leeds, LS1 4AP", "", P("1 High St", "Leeds", "", "LS1 4AP", "")),
        ("10 Downing St, London SW1A 2AA, England", "", P("10 Downing St", "London", "", "SW1A 2AA", "England")),
        # Australia: state and four-digit postcode; WA is Western Australia here, not Washington.
        ("1 Collins St, Melbourne VIC 3000", "", P("1 Collins St", "Melbourne", "VIC", "3000", "")),
        ("1 Hay St, Perth, WA 6000", "", P("1 Hay St", "Perth", "WA", "6000", "")),
        # Continental Europe: the postcode before the town.
        ("Rue de Rivoli 1, 75001 Paris", "", P("Rue de Rivoli 1", "Paris", "", "75001", "")),
        (
            "Unter den Linden 1, 10117 Berlin, Deutschland",
            "",
            P("Unter den Linden 1", "Berlin", "", "10117", "Deutschland"),
        ),
        ("Stephansplatz 1, 1010 Wien, Austria", "", P("Stephansplatz 1", "Wien", "", "1010", "Austria")),
        ("5 Rue X, 1000 Bruxelles, Belgium", "", P("5 Rue X", "Bruxelles", "", "1000", "Belgium")),
        # A town the gazetteer knows by its own name, alone after the street.
        ("1 Main St, Paris", "", P("1 Main St", "Paris", "", "", "")),
        # Uncertain shapes stay whole in the street.
        ("1 Main St, N.Y. 10001", "", P("1 Main St, N.Y. 10001", "", "", "", "")),
        (
            "1 Main St, Denver, CO ８０２０２",
            "",
            P("1 Main St, Denver, CO ８０２０２", "", "", "", ""),
        ),  # full-width digits
        ("1 George St, Sydney, NSW, 2000", "", P("1 George St, Sydney, NSW, 2000", "", "", "", "")),
        ("Main Hall, 1 Main St, Dublin 2, Ireland", "", P("Main Hall, 1 Main St, Dublin 2", "", "", "", "Ireland")),
        (
            "Av. Reforma 222, Juárez, 06600 Ciudad de México, CDMX, Mexico",
            "",
            P("Av. Reforma 222, Juárez, 06600 Ciudad de México, CDMX", "", "", "", "Mexico"),
        ),
        ("Tulsa, ok", "", P("Tulsa, ok", "", "", "", "")),  # a lower-case state alone is not read as one
        ("1 Main St, Wien", "", P("1 Main St, Wien", "", "", "", "")),  # Vienna's own name in GeoNames is "Vienna"
    ],
)
def test_real_looking_shapes(text, country, expected):
    assert split_address(text, country=country) == expected


@pytest.mark.parametrize(
    ("text", "without", "with_country", "country"),
    [
        # A ZIP with no state is read only when the caller knows the address is in the US.
        (
            "1 Main St, Springfield, 62701",
            P("1 Main St, Springfield, 62701"),
            P("1 Main St", "Springfield", "", "62701", "US"),
            "US",
        ),
        # A lower-case British postcode only when the caller says Britain.
        (
            "1 High St, Leeds, ls1 4ap",
            P("1 High St, Leeds, ls1 4ap"),
            P("1 High St", "Leeds", "", "ls1 4ap", "GB"),
            "GB",
        ),
        # A Spanish postcode-then-town is read for Spain, never for the US (a ZIP comes after the state there).
        (
            "Calle 5, 08001 Barcelona",
            P("Calle 5", "Barcelona", "", "08001", ""),
            P("Calle 5, 08001 Barcelona", country="US"),
            "US",
        ),
        (
            "Calle 5, 08001 Barcelona",
            P("Calle 5", "Barcelona", "", "08001", ""),
            P("Calle 5", "Barcelona", "", "08001", "ES"),
            "ES",
        ),
    ],
)
def test_the_callers_country_steers_which_postcodes_are_read(text, without, with_country, country):
    assert split_address(text) == without
    assert split_address(text, country=country) == with_country


def test_a_country_that_is_not_text_counts_as_none():
    text = "1 Main St, Denver, CO 80202"
    for country in (None, 5, ["US"]):
        assert split_address(text, country=country) == split_address(text)  # type: ignore[arg-type]


def test_parts_are_true_only_when_something_is_in_them():
    assert not AddressParts()
    for field in ("street", "city", "region", "postal_code", "country"):
        assert AddressParts(**{field: "x"})


# --- composed addresses: the parts put in come back out ----------------------------------------------

WORDS = [
    "Main",
    "Oak",
    "San",
    "Jose",
    "Coeur",
    "d'Alene",
    "Winston-Salem",
    "Saint-Jérôme",
    "Ann",
    "Arbor",
    "Ángeles",
    "Twin",
    "Falls",
    "Zürich",
    "Port",
    "Mac",
    "Kings",
    "X",
    "Ste.",
    "Marie",
    "Lake",
    "St",
]
name = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
street = st.builds(
    lambda number, words, kind: f"{number} {words} {kind}",
    st.integers(1, 99_999),
    name,
    st.sampled_from(["St", "Ave", "Rd", "Blvd", "Calle", "Way"]),
)
venue = st.sampled_from(["", "St Mary's Hall", "Suite 5", "Room 12, Basement", "Alano Club"])


LETTERS, DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
letter, digit = st.sampled_from(LETTERS), st.sampled_from(DIGITS)
us_zip = st.builds(
    lambda n, plus: f"{n:05d}" + (f"-{plus:04d}" if plus is not None else ""),
    st.integers(0, 99_999),
    st.none() | st.integers(0, 9_999),
)
ca_postal = st.builds(
    lambda a, b, c, space, d, e, f: f"{a}{b}{c}{space}{d}{e}{f}",
    letter,
    digit,
    letter,
    st.sampled_from(["", " "]),
    digit,
    letter,
    digit,
)
# Outward code: one or two letters, a digit, perhaps a letter or digit; inward: a digit and two of
# the letters the Royal Mail uses there (no C, I, K, M, O, V).
uk_postcode = st.builds(
    lambda area, d, extra, d2, tail: f"{area}{d}{extra} {d2}{tail}",
    st.text(LETTERS, min_size=1, max_size=2),
    digit,
    st.sampled_from(["", *LETTERS[:5], *DIGITS[:3]]),
    digit,
    st.text("ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2),
)


def _join(*pieces: str) -> str:
    return ", ".join(p for p in pieces if p)


def _street(v: str, s: str) -> str:
    return _join(v, s)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    venue,
    street,
    name,
    st.sampled_from(sorted(US_STATE_CODES)),
    us_zip,
    st.sampled_from(["", "USA", "United States", "U.S.A.", "US"]),
)
def test_a_composed_us_address_comes_apart_as_it_was_put_together(v, s, city, state, zip_code, country):
    text = _join(v, s, city, f"{state} {zip_code}", country)
    assert split_address(text) == AddressParts(_street(v, s), city, state, zip_code, country)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(venue, street, name, st.sampled_from(sorted(CA_PROVINCE_CODES)), ca_postal, st.sampled_from(["", "Canada"]))
def test_a_composed_canadian_address_comes_apart_as_it_was_put_together(v, s, city, province, postal, country):
    text = _join(v, s, city, f"{province} {postal}", country)
    assert split_address(text) == AddressParts(_street(v, s), city, province, postal, country)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(venue, street, name, uk_postcode, st.booleans(), st.sampled_from(["", "UK", "United Kingdom", "Scotland"]))
def test_a_composed_british_address_comes_apart_as_it_was_put_together(v, s, town, postcode, same_part, country):
    # "London SW1A 2AA" in one part, or "London, SW1A 2AA" in two.
    text = _join(v, s, f"{town} {postcode}" if same_part else f"{town}, {postcode}", country)
    assert split_address(text) == AddressParts(_street(v, s), town, "", postcode, country)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    venue,
    street,
    name,
    st.sampled_from(sorted(AU_STATE_CODES)),
    st.integers(0, 9_999).map("{:04d}".format),
    st.sampled_from(["", "Australia"]),
)
def test_a_composed_australian_address_comes_apart_as_it_was_put_together(v, s, town, state, postcode, country):
    text = _join(v, s, f"{town} {state} {postcode}", country)
    assert split_address(text) == AddressParts(_street(v, s), town, state, postcode, country)


# --- any text, any country ------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _normalised(text: str) -> str:
    """The text as a person reads it: control characters and line breaks as spaces, runs of white
    space as one space. Every part of a split must be a piece of this."""
    return " ".join(_CONTROL.sub(" ", text).split())


pieces = st.sampled_from(
    [
        "San Jose",
        "CA 95112",
        "USA",
        "London NW1 6XE",
        "UK",
        "ON M5H 2N2",
        "28013 Madrid",
        "Sydney NSW 2000",
        "CO",
        "80202",
        "España",
        "\n",
        " ",
        "\u2028",
        "\x00",
        "Tulsa",
        "OK",
    ]
)
addressish = st.lists(st.one_of(st.text(max_size=25), pieces), max_size=7).map(
    lambda xs: "".join(x + ("," if i % 2 else " ") for i, x in enumerate(xs))
)


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.text(max_size=120), addressish),
    country=st.one_of(
        st.sampled_from(["", "US", "GB", "CA", "AU", "ES", "Spain", "España", " us ", "Canada"]), st.text(max_size=12)
    ),
)
def test_any_text_and_country_never_raise_and_every_part_is_a_piece_of_the_text(text, country):
    parts = split_address(text, country=country)
    assert isinstance(parts, AddressParts)
    normal = _normalised(text)
    for piece in [*(parts.street.split(", ") if parts.street else []), parts.city, parts.region, parts.postal_code]:
        assert piece in normal, (piece, normal)
        assert piece == piece.strip() and "," not in piece
    assert parts.country in normal or parts.country == " ".join(country.split())
    # A region or a postal code is only ever read beside something else that places it.
    if parts.region or parts.postal_code:
        assert parts.street or parts.city or parts.country


# --- meeting_address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        # The stored street is kept as it is when the source gave a city beside it, commas and all.
        ({"address": "1 Main St, Denver", "city": "Boulder"}, P("1 Main St, Denver", "Boulder")),
        # Stored values are stripped.
        (
            {
                "address": "  1 Main St ",
                "city": " Denver ",
                "region": "CO ",
                "postal_code": " 80202",
                "country": " USA ",
            },
            P("1 Main St", "Denver", "CO", "80202", "USA"),
        ),
        # A blank street counts as none: the formatted address is split.
        (
            {"address": "   ", "formatted_address": "1 Main St, Denver, CO 80202"},
            P("1 Main St", "Denver", "CO", "80202"),
        ),
        # Values that are not text are ignored rather than shown.
        (
            {"address": None, "city": 12, "region": ["CO"], "formatted_address": "1 Main St, Denver, CO 80202"},
            P("1 Main St", "Denver", "CO", "80202"),
        ),
        # A small town the gazetteer does not know stays in the split's street; the stored city is not
        # repeated there, even in other letters and case.
        ({"city": "Annex", "formatted_address": "1 Main St, Annex"}, P("1 Main St", "Annex")),
        (
            {"city": "Pointe-aux-Érables", "country": "Canada", "formatted_address": "12 Rue X, POINTE AUX ERABLES"},
            P("12 Rue X", "Pointe-aux-Érables", "", "", "Canada"),
        ),
        # The stored country wins over the one the formatted address names.
        (
            {"country": "US", "formatted_address": "1 Main St, Denver, CO 80202, USA"},
            P("1 Main St", "Denver", "CO", "80202", "US"),
        ),
        # Nothing at all.
        ({}, P()),
    ],
)
def test_meeting_address_from_stored_fields(stored, expected):
    assert meeting_address(stored) == expected


def test_meeting_address_reads_a_model_instance_without_the_database():
    from commonground.meetings.models import Meeting

    meeting = Meeting(
        address="",
        city="",
        region="",
        postal_code="",
        country="",
        formatted_address="Calle Mayor 3, 28013 Madrid, España",
    )
    assert meeting_address(meeting) == P("Calle Mayor 3", "Madrid", "", "28013", "España")


def test_meeting_address_of_something_that_is_not_a_meeting_is_empty():
    assert meeting_address(object()) == P()
    assert meeting_address("1 Main St, Denver, CO 80202") == P()
