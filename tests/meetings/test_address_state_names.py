"""A US state written out in full at the end of an address ("Atlanta, Georgia") is the state, not the
country of the same name: found by the address tests of issue 28 (the BMLT answer said the meeting
was in the nation of Georgia)."""

import pytest

from commonground.meetings.address import split_address


@pytest.mark.parametrize(
    ("text", "street", "city", "region", "postal", "country"),
    [
        ("1 Peachtree St, Atlanta, Georgia", "1 Peachtree St", "Atlanta", "GA", "", ""),
        ("1 Peachtree St, Atlanta, Georgia 30303", "1 Peachtree St", "Atlanta", "GA", "30303", ""),
        ("1 Peachtree St, Atlanta, Georgia, USA", "1 Peachtree St", "Atlanta", "GA", "", "USA"),
        ("10 Main St, Jersey City, New Jersey", "10 Main St", "Jersey City", "NJ", "", ""),
        ("Grace Church, 5 Elm St, Savannah, georgia 31401", "Grace Church, 5 Elm St", "Savannah", "GA", "31401", ""),
        # The country Georgia stays a country: Tbilisi is no town of the US state.
        ("Rustaveli Ave 1, Tbilisi, Georgia", "Rustaveli Ave 1", "Tbilisi", "", "", "Georgia"),
        ("5 Gorgiladze St, Batumi, Georgia", "5 Gorgiladze St", "Batumi", "", "", "Georgia"),
        # A state name after a town of another state is not that state (nothing guessed).
        ("5 High St, Atlanta, Ohio", "5 High St, Atlanta, Ohio", "", "", "", ""),
    ],
)
def test_a_state_written_out_after_one_of_its_towns_is_the_state(text, street, city, region, postal, country):
    got = split_address(text)
    assert (got.street, got.city, got.region, got.postal_code, got.country) == (street, city, region, postal, country)


def test_with_the_country_known_to_be_the_us_a_state_name_is_never_the_country():
    got = split_address("1 Peachtree St, Atlanta, Georgia", country="US")
    assert (got.city, got.region, got.country) == ("Atlanta", "GA", "US")
