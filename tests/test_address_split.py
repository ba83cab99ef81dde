"""Issue 27, "Wrong place": one-string addresses split into street, city, region and postal code.

crouton shows BMLT's ``location_street``; a source that gives the address as one string had no
street there at all. ``split_address`` must find the street in every San Jose sample address, and
never invent or lose a character of what the source wrote.
"""

import csv
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.meetings.address import AddressParts, meeting_address, split_address

US_TAIL = re.compile(r",\s*([^,]+),\s*([A-Z]{2})\s+(\d{5})(?:-\d{4})?,\s*USA\s*$")


def _sample_addresses(samples) -> list[str]:
    with open(samples / "tsml-template-san-jose.csv", newline="", encoding="utf-8") as fh:
        return [row["Address"] for row in csv.DictReader(fh) if row.get("Address", "").strip()]


def test_every_san_jose_address_has_its_street_city_state_and_zip(samples):
    addresses = _sample_addresses(samples)
    assert len(addresses) >= 35
    for text in addresses:
        parts = split_address(text)
        expected = US_TAIL.search(text)
        assert expected, text  # the sample's own shape: "<street>, <city>, <ST> <ZIP>, USA"
        assert parts.street == text[: expected.start()].strip(), text
        assert parts.street and not parts.street[0].isspace()
        assert (parts.city, parts.region, parts.postal_code, parts.country) == (*expected.groups(), "USA"), text


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("1234 Main St, San Jose, CA 95112, USA", "", AddressParts("1234 Main St", "San Jose", "CA", "95112", "USA")),
        (
            "1234 Main St, San Jose, CA 95112-4401",
            "USA",
            AddressParts("1234 Main St", "San Jose", "CA", "95112-4401", "USA"),
        ),
        ("123 Main St\nSan Jose CA 95112", "", AddressParts("123 Main St", "San Jose", "CA", "95112", "")),
        ("12 Oak Rd, Suite 5, Denver, CO, 80202", "", AddressParts("12 Oak Rd, Suite 5", "Denver", "CO", "80202", "")),
        ("Calle 5, Madrid", "", AddressParts("Calle 5", "Madrid", "", "", "")),
        ("Calle Mayor 3, 28013 Madrid, España", "", AddressParts("Calle Mayor 3", "Madrid", "", "28013", "España")),
        ("221B Baker St, London NW1 6XE, UK", "", AddressParts("221B Baker St", "London", "", "NW1 6XE", "UK")),
        (
            "100 Queen St W, Toronto, ON M5H 2N2, Canada",
            "",
            AddressParts("100 Queen St W", "Toronto", "ON", "M5H 2N2", "Canada"),
        ),
        (
            "1 George St, Sydney NSW 2000, Australia",
            "",
            AddressParts("1 George St", "Sydney", "NSW", "2000", "Australia"),
        ),
        # Uncertain parts stay in the street.
        ("Online", "", AddressParts("Online", "", "", "", "")),
        ("St Mary's Church, 12345 Main St", "", AddressParts("St Mary's Church, 12345 Main St", "", "", "", "")),
        ("Room 5, Basement", "", AddressParts("Room 5, Basement", "", "", "", "")),
        # A last part alone is a city only when it names a town of some size by its own name.
        ("1 Main St, Downtown", "", AddressParts("1 Main St, Downtown", "", "", "", "")),
        ("1 Main St, Center", "", AddressParts("1 Main St, Center", "", "", "", "")),
        ("1 Main St, Annex", "USA", AddressParts("1 Main St, Annex", "", "", "", "USA")),
        # A town the gazetteer knows in that state, then the state: a city with no street.
        ("San Jose, CA 95112", "", AddressParts("", "San Jose", "CA", "95112", "")),
        ("Tulsa, OK, USA", "", AddressParts("", "Tulsa", "OK", "", "USA")),
        ("Tulsa, OK, 74103", "", AddressParts("", "Tulsa", "OK", "74103", "")),
        ("Broadway, NY 10001", "", AddressParts("Broadway", "", "NY", "10001", "")),
        ("Melbourne VIC, Australia", "", AddressParts("Melbourne VIC", "", "", "", "Australia")),
        ("USA", "", AddressParts("USA", "", "", "", "")),
        # The country the caller knows is given back when the text names none.
        ("Calle 5", "Spain", AddressParts("Calle 5", "", "", "", "Spain")),
        # Hostile input.
        (",,, ,,", "", AddressParts()),
        ("", "", AddressParts()),
        ("\x00\x01,\x02\x1b", "", AddressParts()),
        ("1 Main St,\x00 Denver\t, CO 80202", "", AddressParts("1 Main St", "Denver", "CO", "80202", "")),
    ],
)
def test_split(text, country, expected):
    assert split_address(text, country=country) == expected


def test_very_long_text_is_kept_whole_as_the_street():
    text = "1 Main St, Denver, CO 80202, " + "x" * 100_000
    parts = split_address(text)
    assert parts.street == text.strip().rstrip(",") and not parts.city


def test_not_a_string_gives_empty_parts():
    assert split_address(None) == AddressParts()  # type: ignore[arg-type]
    assert split_address(12345) == AddressParts()  # type: ignore[arg-type]


def test_parts_are_frozen():
    with pytest.raises(AttributeError):
        split_address("1 Main St, Denver").street = "x"  # type: ignore[misc]


def _kept(text: str) -> list[str]:
    """The characters a split must keep: all but separators (commas, white space, control characters)."""
    return sorted(ch for ch in text if ch != "," and not ch.isspace() and unicodedata.category(ch) != "Cc")


address_like = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "San Jose",
                "CA 95112",
                "USA",
                "London NW1 6XE",
                "UK",
                "ON M5H 2N2",
                "Madrid",
                "28013 Madrid",
                "Sydney NSW 2000",
                "CO",
                "80202",
                "España",
                "\n",
                " ",
            ]
        ),
    ),
    max_size=7,
).map(", ".join)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), address_like))
def test_never_raises_and_keeps_every_character(text):
    parts = split_address(text)
    assert isinstance(parts, AddressParts)
    together = "".join((parts.street, parts.city, parts.region, parts.postal_code, parts.country))
    assert _kept(together) == _kept(text)
    for value in (parts.street, parts.city, parts.region, parts.postal_code, parts.country):
        assert value == value.strip()
        assert not any(unicodedata.category(ch) == "Cc" for ch in value)


def test_meeting_fields_the_source_gave_are_kept():
    stored = {
        "address": "2634 Union Ave",
        "city": "San Jose",
        "region": "CA",
        "postal_code": "95124",
        "country": "USA",
        "formatted_address": "2634 Union Ave, San Jose, CA 95124, USA",
    }
    assert meeting_address(stored) == AddressParts("2634 Union Ave", "San Jose", "CA", "95124", "USA")


def test_meeting_with_only_a_formatted_address_is_split():
    stored = {
        "address": "",
        "city": "",
        "region": "",
        "postal_code": "",
        "country": "",
        "formatted_address": "2634 Union Ave, San Jose, CA 95124, USA",
    }
    assert meeting_address(stored) == AddressParts("2634 Union Ave", "San Jose", "CA", "95124", "USA")


def test_meeting_with_a_one_string_address_field_is_split():
    class Row:
        address = "49 N 4th St, San Jose, CA 95112"
        city = region = postal_code = ""
        country = "USA"
        formatted_address = "49 N 4th St, San Jose, CA 95112, USA"

    assert meeting_address(Row()) == AddressParts("49 N 4th St", "San Jose", "CA", "95112", "USA")


def test_meeting_split_fills_only_what_is_missing_and_does_not_repeat_it():
    stored = {
        "address": "",
        "city": "San Jose",
        "region": "",
        "postal_code": "",
        "country": "",
        "formatted_address": "San Jose, CA 95112",
    }
    parts = meeting_address(stored)
    assert parts.city == "San Jose" and parts.region == "CA" and parts.postal_code == "95112"
    assert parts.street == ""


@pytest.mark.django_db
def test_imported_san_jose_meetings_have_streets(samples):
    from commonground.feeds.importing import import_location
    from commonground.meetings.models import Meeting

    import_location(str(samples / "tsml-template-san-jose.csv"))
    meetings = list(Meeting.objects.all())
    assert len(meetings) >= 35
    for m in meetings:
        parts = meeting_address(m)
        assert parts.street and parts.city and parts.region == "CA" and re.fullmatch(r"\d{5}", parts.postal_code), m
        assert parts.street == m.formatted_address.split(",")[0]
