"""Crisis words (safety/crisis.py over crisis_words.toml): the reviewed cases in English and Spanish."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commonground.safety.crisis import is_crisis_text, normalise

CASES = tomllib.loads((Path(__file__).parent / "crisis_phrases.toml").read_text(encoding="utf-8"))["case"]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_reviewed_case(case):
    assert is_crisis_text(case["text"]) is case["crisis"], case


def test_the_cases_cover_both_languages_and_both_answers():
    seen = {(c["language"], c["crisis"]) for c in CASES}
    assert seen == {("en", True), ("en", False), ("es", True), ("es", False)}
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    "text",
    [
        "I WANT TO DIE",
        "i want   to die!!!",
        "Quiero MORÍR",
        "quiero morir.",
        "i'm going to kill myself",
        "im going to kill myself",
    ],
)
def test_case_accents_punctuation_and_apostrophes_do_not_hide_a_crisis(text):
    assert is_crisis_text(text)


def test_a_phrase_must_be_whole_words():
    assert not is_crisis_text("")
    assert not is_crisis_text("   ")
    assert normalise("Kill-myself") == "kill myself"


@given(st.text(max_size=200))
def test_any_text_at_all_is_judged_without_error(text):
    assert is_crisis_text(text) in (True, False)
