"""Column limits read from the model, and text cut at the end of a grapheme, one value at a time.

tests/hardening/test_16_column_limits.py imports long values through every format into the
database; here are the rules underneath: ``text.cut`` over any text and limit, what ``fit``
leaves alone, and that every name in ``columns`` is a column the model has.
"""

import pytest
import regex
from django.db.models import CharField
from hypothesis import example, given, settings
from hypothesis import strategies as st

from commonground.feeds import columns
from commonground.feeds.errors import RowSkip
from commonground.feeds.text import cut, storable, unstorable
from commonground.meetings.models import Meeting

GRAPHEME = regex.compile(r"\X")


def grapheme_ends(text: str) -> set[int]:
    ends, position = {0}, 0
    for piece in GRAPHEME.findall(text):
        position += len(piece)
        ends.add(position)
    return ends


# Pieces that are one grapheme of several code points, and spaces for the trim after the cut.
pieces = st.sampled_from(
    [
        "a",
        "é",
        "e\u0301",
        "🇫🇷",
        "👩\u200d👩\u200d👧",
        "東",
        " ",
        "  ",
        "\t",
        "\u0915\u094d\u0937",
        "a\u0301\u0301\u0301",
        "\r\n",
        "🏳️\u200d🌈",
        "z",
    ]
)
texts = st.one_of(st.lists(pieces, max_size=12).map("".join), st.text(max_size=20))


@pytest.mark.slow
@given(texts, st.integers(1, 30))
@example("Cafe\u0301", 4)
@example("     x", 3)
@example("a" + "\u0301" * 10, 3)
@settings(max_examples=120, deadline=None)
def test_a_cut_is_a_prefix_that_fits_and_ends_between_graphemes(text, limit):
    kept = cut(text, limit)
    assert len(kept) <= limit and text.startswith(kept)
    if len(text) <= limit:
        assert kept == text
        return
    ends = grapheme_ends(text)
    fitting = max(e for e in ends if e <= limit)
    if fitting == 0 or not text[:fitting].strip():
        # The first grapheme alone is longer than the limit, or all that fits is blank: a plain cut.
        assert kept in (text[:limit], text[:limit].rstrip())
        return
    assert kept and kept == kept.rstrip()
    # It splits no grapheme: only blanks lie between the cut and the end of a grapheme that fits ...
    assert any(len(kept) <= end <= limit and not text[len(kept) : end].strip() for end in ends)
    # ... and it drops nothing it need not: past it, only blanks, or a grapheme the limit would split.
    assert not text[len(kept) : fitting].strip()


def test_named_cuts():
    assert cut("Cafe\u0301 Central", 4) == "Caf"  # e and its accent are one character to a reader: 3 + 2 > 4
    assert cut("ab🇫🇷cd", 3) == "ab"  # a flag is two code points
    assert cut("x👩\u200d👩\u200d👧y", 5) == "x"  # a family is five, joined by zero-width joiners
    assert cut("x👩\u200d👩\u200d👧y", 6) == "x👩\u200d👩\u200d👧"
    assert cut("ab   cd", 4) == "ab"
    assert cut("a" + "\u0301" * 10, 3) == "a\u0301\u0301", "one grapheme longer than the limit: keep something"
    assert cut("exactly10!", 10) == "exactly10!" and cut("", 1) == ""


@given(st.text(st.characters(codec=None, categories=["L", "Cc", "Cs", "Zs"]), max_size=20))
@example("a\x00b\ud800c")
@settings(max_examples=60, deadline=None)
def test_storable_text_drops_nul_and_replaces_lone_surrogates(text):
    stored = storable(text)
    assert not unstorable(stored)
    stored.encode("utf-8")  # would raise on a lone surrogate
    assert len(stored) == len(text) - text.count("\x00")
    assert stored == text or unstorable(text)
    assert stored.replace("\ufffd", "") == "".join(
        c for c in text if c != "\x00" and not 0xD800 <= ord(c) <= 0xDFFF
    ).replace("\ufffd", "")


# --- the limits come from the model ------------------------------------------------------------

MODEL_LIMITS = {
    f.attname: f.max_length for f in Meeting._meta.concrete_fields if isinstance(f, CharField) and f.max_length
}


def test_every_name_columns_knows_is_a_character_column_of_the_model():
    assert set(columns.limits()) == set(MODEL_LIMITS) and "name" in MODEL_LIMITS and "key" in MODEL_LIMITS
    for names in (columns.SET_BY_SYNC, columns.WHOLE, set(columns.FEED_NAMES)):
        assert set(names) <= set(MODEL_LIMITS), set(names) - set(MODEL_LIMITS)
    assert not columns.SET_BY_SYNC & columns.WHOLE


def _fitted(values: dict) -> tuple[dict, list]:
    warnings: list = []
    meeting = dict(values)
    columns.fit(meeting, lambda field, message: warnings.append((field, message)))
    return meeting, warnings


def test_a_value_exactly_as_long_as_its_column_is_left_alone():
    exact = {name: "x" * limit for name, limit in MODEL_LIMITS.items()}
    meeting, warnings = _fitted(exact)
    assert meeting == exact and warnings == []


def test_one_character_too_many_cuts_text_and_drops_what_a_cut_would_make_wrong():
    over = {name: "x" * (limit + 1) for name, limit in MODEL_LIMITS.items()}
    meeting, warnings = _fitted(over)
    for name, limit in MODEL_LIMITS.items():
        if name in columns.SET_BY_SYNC:
            assert meeting[name] == over[name], f"{name} is the sync's to make fit, not fit's"
        elif name in columns.WHOLE:
            assert meeting[name] == "", name
        else:
            assert meeting[name] == "x" * limit, name
    fitted = set(MODEL_LIMITS) - columns.SET_BY_SYNC
    shown = {columns.FEED_NAMES.get(name, name) for name in fitted}
    assert sorted(field for field, _ in warnings) == sorted(shown), "one warning per column, in the feed's words"
    state = next(message for field, message in warnings if field == "state")
    limit = MODEL_LIMITS["region"]
    assert state == f"state was cut to {limit} characters (it had {limit + 1:,})"


def test_values_that_are_empty_or_not_given_are_left_alone():
    meeting, warnings = _fitted({"name": "", "city": None})
    assert meeting == {"name": "", "city": None} and warnings == []


# --- keys ---------------------------------------------------------------------------------------

KEY_LIMIT = MODEL_LIMITS["key"]


def _refused(key: str, suffix: str = "") -> RowSkip | None:
    try:
        columns.check_key(key, suffix)
    except RowSkip as skip:
        return skip
    return None


def test_a_key_fits_up_to_its_column_with_its_day_counted():
    for suffix in ("", "-0"):
        fits = "k" * (KEY_LIMIT - len(suffix))
        assert _refused(fits, suffix) is None
        skip = _refused(fits + "k", suffix)
        assert skip is not None and skip.field == "slug"
        assert f"{KEY_LIMIT + 1:,} characters long; at most {KEY_LIMIT} fit" in skip.message
        assert ("with its day ('-0') added" in skip.message) is bool(suffix)


def test_a_key_holding_what_no_database_stores_is_refused_not_cleaned():
    for key in ("k\x00", "k\ud800", "\udfff"):
        skip = _refused(key)
        assert skip is not None and skip.field == "slug" and "NUL or a lone surrogate" in skip.message
    assert _refused("k\ufffd") is None and _refused("ключ-東京-🇫🇷") is None
