"""Opaque ids: every number has one token per kind, every token names at most one record of one
kind, and nothing else a person could type in an address opens a record."""

import string

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.private import ids

KIND = st.sampled_from(ids.KINDS)
NUMBER = st.integers(min_value=0, max_value=ids.MAX_ID)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(KIND, NUMBER)
def test_a_token_names_its_record_and_no_other_kind(kind, number):
    token = ids.encode(kind, number)
    assert len(token) == ids.TOKEN_LENGTH and set(token) <= set(string.ascii_letters + string.digits + "-_")
    assert ids.decode(kind, token) == number
    assert [other for other in ids.KINDS if other != kind and ids.decode(other, token) is not None] == []


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(KIND, NUMBER, st.data())
def test_a_token_changed_in_one_character_names_nothing(kind, number, data):
    token = ids.encode(kind, number)
    at = data.draw(st.integers(0, len(token) - 1))
    other = data.draw(st.sampled_from([c for c in string.ascii_letters + string.digits + "-_" if c != token[at]]))
    changed = token[:at] + other + token[at + 1 :]
    # The last character carries 2 spare bits: a change there that keeps the same bytes is not
    # the canonical spelling, and is refused as well.
    assert ids.decode(kind, changed) is None


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(KIND, st.text(max_size=40))
def test_any_text_either_names_nothing_or_is_a_canonical_token(kind, text):
    number = ids.decode(kind, text)
    assert number is None or ids.encode(kind, number) == text


def test_neighbouring_records_get_unrelated_tokens():
    tokens = [ids.encode("clock", n) for n in range(1, 201)]
    assert len(set(tokens)) == 200
    # No shared prefix to count from: consecutive ids share no more than chance would give.
    shared = sum(a[:3] == b[:3] for a, b in zip(tokens, tokens[1:], strict=False))
    assert shared <= 1
    assert sorted(tokens) != tokens


def test_the_token_depends_on_the_secret_key():
    with override_settings(SECRET_KEY="one secret that is long enough for the test"):
        one = ids.encode("clock", 7)
    with override_settings(SECRET_KEY="another secret, just as long, for the test"):
        assert ids.encode("clock", 7) != one
        assert ids.decode("clock", one) is None


def test_out_of_range_and_unknown_kinds_are_refused():
    with pytest.raises(ValueError):
        ids.encode("clock", -1)
    with pytest.raises(ValueError):
        ids.encode("clock", ids.MAX_ID + 1)
    with pytest.raises(ValueError):
        ids.encode("diary", 1)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("journal:clock", {"pk": 12}),
        ("journal:passkey_remove", {"pk": 3}),
        ("journal:tried_delete", {"pk": 5}),
        ("journal:share_stop", {"pk": 9}),
        ("peer:participant", {"pk": 4}),
        ("peer:consent_print", {"pk": 4, "consent_pk": 8}),
        ("peer:referral_sheet", {"pk": 4, "referral_pk": 2}),
        ("peer:staff_deactivate", {"staff_pk": 6}),
        ("peer_api:api_participant", {"pk": 4}),
    ],
)
def test_private_addresses_carry_tokens_not_numbers(name, kwargs):
    path = reverse(name, kwargs=kwargs)
    parts = [p for p in path.split("/") if p]
    assert not any(p.isdigit() for p in parts), path
    assert sum(len(p) == ids.TOKEN_LENGTH for p in parts) == len(kwargs), path
