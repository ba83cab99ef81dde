"""No last names: the name rules as properties over the given names and surnames our feeds use.

tests/hardening/test_08_anonymity.py tables named examples; here every rule is checked over
names drawn from the same lists (Faker's, for ten locales), each with titles, suffixes,
particles, case and punctuation around it. The surname must never come back out.
"""

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from commonground.feeds.anonymity import (
    NOT_SURNAMES,
    PARTICLES,
    SUFFIXES,
    TITLES,
    anonymize_person,
    email_names_someone,
    first_names,
    likely_full_names,
    surnames,
)

DECORATION = TITLES | SUFFIXES | PARTICLES


def _plain(name: str) -> bool:
    """One word of letters that no rule reads as a title, suffix or particle."""
    return name.isalpha() and name.casefold() not in DECORATION and name.lower() not in NOT_SURNAMES


GIVEN = sorted(n for n in first_names() if _plain(n))
FAMILY = sorted(n for n in surnames() if _plain(n) and n not in first_names())
NAMES = set(GIVEN) | set(FAMILY)
given_name = st.sampled_from(GIVEN)
surname = st.sampled_from(FAMILY)
# Title words as feeds write them (with and without the dot, any case).
title = st.sampled_from(sorted(TITLES - {"sr"})).flatmap(
    lambda t: st.sampled_from([t, t.capitalize() + ".", t.upper()])
)
suffix = st.sampled_from(sorted(SUFFIXES)).flatmap(lambda s: st.sampled_from([s, s.capitalize() + ".", s.upper()]))


def initial(word: str) -> str:
    return word[0].upper() + "."


def shows(name_shown: str, family: str) -> bool:
    """Whether the surname can be read in what is shown (as a word, in any case)."""
    return re.search(rf"(?<!\w){re.escape(family.casefold())}(?!\w)", name_shown.casefold()) is not None


@pytest.mark.slow
@given(given_name, surname, st.lists(title, max_size=2), st.lists(suffix, max_size=2))
@settings(max_examples=60, deadline=None)
def test_given_name_then_surname_shows_the_given_name_and_an_initial(first, family, titles, suffixes):
    written = " ".join([*titles, first, family, *suffixes])
    assert anonymize_person(written) == f"{first} {initial(family)}", written


@pytest.mark.slow
@given(
    given_name,
    surname,
    st.lists(title, max_size=2),
    st.lists(suffix, max_size=1),
    st.sampled_from([", ", ",", " , ", ",  "]),
)
@settings(max_examples=60, deadline=None)
def test_surname_comma_given_name_shows_the_same_as_the_other_order(first, family, titles, suffixes, comma):
    written = f"{family}{comma}{' '.join([*titles, first, *suffixes])}"
    assert anonymize_person(written) == anonymize_person(f"{first} {family}") == f"{first} {initial(family)}"


@given(given_name, surname, st.sampled_from(["de", "van", "von der", "de la", "del", "di", "bin"]), st.booleans())
@settings(max_examples=50, deadline=None)
def test_a_surname_with_a_particle_shows_the_initial_of_the_surname_not_of_the_particle(first, family, particle, comma):
    written = f"{particle} {family}, {first}" if comma else f"{first} {particle} {family}"
    assert anonymize_person(written) == f"{first} {initial(family)}"


@pytest.mark.slow
@given(
    st.lists(
        st.one_of(given_name, surname, title, suffix, st.sampled_from(["W.", "O'Brien", "-", ".", "Ann"])), max_size=6
    )
    .filter(lambda words: set(words) & NAMES)
    .map(" ".join)
)
@settings(max_examples=80, deadline=None)
def test_what_is_shown_is_at_most_two_words_and_never_a_second_full_word(written):
    shown = anonymize_person(written)
    words = shown.split()
    assert len(words) <= 2
    if len(words) == 2:
        assert re.fullmatch(r"\w\.", words[1]), "the second word is only ever an initial"
    if any(c.isalpha() for c in shown):
        assert anonymize_person(shown) == shown.strip(), "a name already shortened stays as it is"


@given(given_name, surname, st.sampled_from(["Dr.", "Rev.", "Mrs", "Padre", "Hermana"]))
@settings(max_examples=40, deadline=None)
def test_a_title_before_one_word_hides_that_word_as_a_surname(first, family, honorific):
    assert anonymize_person(f"{honorific} {family}") == initial(family)
    assert not shows(anonymize_person(f"{honorific} {first} {family}"), family)


def test_initials_of_names_that_start_with_an_apostrophe_or_an_accent():
    assert anonymize_person("Ana 'Ohana") == "Ana O."
    assert anonymize_person("Łukasz Żółć") == "Łukasz Ż."
    assert anonymize_person("ángel ñúñez") == "ángel Ñ."


# --- e-mail addresses ----------------------------------------------------------------------------

separator = st.sampled_from([".", "_", "-", "+", "."])
digits = st.sampled_from(["", "1", "77", "2024"])
domain = st.sampled_from(["example.org", "mail.example.com", "x.example"])


@pytest.mark.slow
@given(given_name, surname, separator, digits, domain, st.booleans(), st.sampled_from([str.lower, str.upper, str]))
@settings(max_examples=60, deadline=None)
def test_an_address_with_a_given_name_and_a_surname_names_someone_in_either_order(
    first, family, sep, number, host, reverse, case
):
    assume(first.casefold() != family.casefold())
    local = f"{family}{sep}{first}" if reverse else f"{first}{sep}{family}"
    assert email_names_someone(f"{case(local)}{number}@{host}")


@given(given_name, surname, st.sampled_from(["", "j", "mr", "the"]), digits, domain)
@settings(max_examples=60, deadline=None)
def test_an_address_holding_the_contacts_own_surname_names_them_however_it_is_written(
    first, family, prefix, number, host
):
    assume(len(family) > 2)
    for written in (f"{first} {family}", f"{family}, {first}", f"Dr. {first} {family} Jr."):
        assert email_names_someone(f"{prefix}{family.lower()}{number}@{host}", written), written


@pytest.mark.slow
@given(given_name, surname, digits, domain)
@settings(max_examples=60, deadline=None)
def test_an_address_with_the_given_name_alone_is_kept(first, family, number, host):
    assume(family.casefold() not in first.casefold())
    assert not email_names_someone(f"{first.lower()}{number}@{host}", f"{first} {family}")
    assert not email_names_someone(f"{first.lower()}{number}@{host}", f"{first} {initial(family)}")


# A group's or a role's address: words of place and meeting vocabulary, never a surname.
role_word = st.sampled_from(sorted(w for w in NOT_SURNAMES if w.isalpha()) + ["info", "secretary", "district", "dcm"])


@pytest.mark.slow
@given(st.lists(role_word, min_size=1, max_size=3), separator, digits, domain)
@settings(max_examples=60, deadline=None)
def test_an_address_made_of_place_and_meeting_words_is_kept(words, sep, number, host):
    assert not email_names_someone(f"{sep.join(words)}{number}@{host}")


@pytest.mark.parametrize("address", ["", "not-an-address", "@example.org", None])
def test_no_local_part_names_nobody(address):
    assert not email_names_someone(address, "Robert Smith")


# --- full names in free text ------------------------------------------------------------------


def _reads_as_a_surname(family: str) -> bool:
    """What the second word of a pair needs (``_full_names``): a capital, and not an acronym."""
    return family[:1].isupper() and not (family.isupper() and len(family) <= 3)


@given(
    given_name, surname, st.sampled_from(["Call {} today", "Secretary: {}.", "{}", "Ask {} (chair)", "{}, 555-0100"])
)
@settings(max_examples=60, deadline=None)
def test_a_given_name_and_a_surname_in_notes_are_found(first, family, template):
    assume(first[:1].isupper() and _reads_as_a_surname(family))
    assert likely_full_names(template.format(f"{first} {family}")) == [f"{first} {family}"]


@given(given_name, surname, st.sampled_from(["St.", "St", "Saint", "San", "Santa", "Our Lady of"]))
@settings(max_examples=50, deadline=None)
def test_a_place_named_for_a_saint_is_not_a_full_name(first, family, saint):
    assert likely_full_names(f"Meets at {saint} {first} {family} Hall") == []


@given(given_name, surname, st.sampled_from(["W.", "W", "S.", "s", "smith"]))
@settings(max_examples=50, deadline=None)
def test_a_given_name_with_an_initial_or_a_lower_case_word_is_not_a_full_name(first, family, after):
    assert likely_full_names(f"Ask {first} {after} at the door") == []


@given(given_name, st.sampled_from(sorted(w for w in NOT_SURNAMES if w.isalpha())))
@settings(max_examples=60, deadline=None)
def test_a_given_name_before_a_place_or_meeting_word_is_not_a_full_name(first, word):
    assert likely_full_names(f"{first} {word.capitalize()}") == [] == likely_full_names(f"{first} {word}")
