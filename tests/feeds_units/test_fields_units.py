"""The field parsers one value at a time: times, days, numbers, yes/no, "updated" stamps and text.

A feed's value is either read into a clean value or refused with a ``RowSkip`` that names the
field; nothing else may come out, whatever the value. Expected values here come from tables
written out by hand or from the standard library (``datetime``), never from the parsers.
"""

import html
import re
from datetime import UTC, datetime, time
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from commonground.feeds.errors import RowSkip
from commonground.feeds.fields import (
    ascii_number,
    ascii_whole,
    clean_text,
    parse_bool,
    parse_days,
    parse_float,
    parse_time,
    parse_updated,
)

# --- times -------------------------------------------------------------------------------------

# The twelve-hour clock in order, from midnight: 12 AM is hour 0, 12 PM is hour 12.
TWELVE_HOUR_ORDER = [(12, "am")] + [(h, "am") for h in range(1, 12)] + [(12, "pm")] + [(h, "pm") for h in range(1, 12)]
# How feeds write the half of the day (TSML sheets, hand-typed lists).
AM_PM_SPELLINGS = {
    "am": ["AM", "am", "a.m.", "A.M.", "a", "Am", " am", "am."],
    "pm": ["PM", "pm", "p.m.", "P.M.", "p", "Pm", " pm", "pm."],
}


def test_every_minute_of_the_day_reads_in_both_24_hour_forms():
    for hour in range(24):
        for minute in range(60):
            expected = time(hour, minute)
            assert parse_time(f"{hour:02d}:{minute:02d}") == expected
            assert parse_time(f"{hour}:{minute:02d}") == expected
            assert parse_time(f"{hour:02d}:{minute:02d}:59") == expected, "seconds are dropped, never rounded"


@pytest.mark.parametrize("half", ["am", "pm"])
def test_every_twelve_hour_time_is_the_24_hour_time_at_its_place_in_the_day(half):
    for hour_24, (hour_12, which) in enumerate(TWELVE_HOUR_ORDER):
        if which != half:
            continue
        for spelling in AM_PM_SPELLINGS[half]:
            assert parse_time(f"{hour_12}:30{spelling}") == time(hour_24, 30), (hour_12, spelling)
            assert parse_time(f"{hour_12} {spelling.strip()}") == time(hour_24, 0), (hour_12, spelling)
        assert parse_time(f"{hour_12}:05:45 {half}") == time(hour_24, 5)


NAMED_TIMES = [
    ("noon", time(12, 0)),
    ("NOON", time(12, 0)),
    (" Midnight ", time(0, 0)),
    ("24:00:00", time(0, 0)),  # the end of a day is the start of the next
    ("7:30 PM", time(19, 30)),
    ("07:30PM", time(19, 30)),
    ("12:00 AM", time(0, 0)),
    ("12:59 am", time(0, 59)),
    ("12:00 PM", time(12, 0)),
    ("12:01 p.m.", time(12, 1)),
    ("\t19:00\n", time(19, 0)),
    ("0:00", time(0, 0)),
]


def test_named_times():
    for text, expected in NAMED_TIMES:
        assert parse_time(text) == expected, text


# "19.30" (a dot) and "7.30pm" are not among the forms docs/feeds.md lists: refused, not guessed.
NOT_TIMES = [
    "24:01",
    "24:00:01",
    "25:00",
    "23:60",
    "23:59:60",
    "13:00 PM",
    "0:00 AM",
    "00:30 am",
    "12:60 pm",
    "19.30",
    "7.30pm",
    "7",
    "1930",
    "7pm-ish",
    "noonish",
    "１９:００",
    "١٩:٣٠",
    "19:0",
    "19:000",
    "19 : 00",
    ":30",
    "pm",
    "²:00",
]


def test_what_is_not_a_time_skips_the_row_naming_the_field():
    for text in NOT_TIMES:
        with pytest.raises(RowSkip) as info:
            parse_time(text, "end_time")
        assert info.value.field == "end_time" and repr(text) in info.value.message, text


def test_a_time_that_is_not_text_is_refused():
    for value in (1900, 19.5, True, ["19:00"], {"h": 19}, time(19, 0)):
        with pytest.raises(RowSkip) as info:
            parse_time(value)
        assert info.value.field == "time", value


def test_no_time_is_none_not_a_refusal():
    assert parse_time(None) is None and parse_time("") is None


@pytest.mark.slow
@given(st.one_of(st.text(max_size=14), st.from_regex(r"\A\s?\d{1,3}(:\d{1,3}){0,2}\s?([aApP]\.?\s?[mM]?\.?)?\s?\Z")))
@example("24:00")
@example("12:00 am")
@example("9:7 pm")
@settings(max_examples=100, deadline=None)
def test_any_text_reads_as_a_time_that_writes_back_the_same_or_skips(text):
    try:
        value = parse_time(text)
    except RowSkip as skip:
        assert skip.field == "time" and skip.message
        return
    if text == "":
        assert value is None
        return
    assert isinstance(value, time) and value.second == 0 and value.microsecond == 0
    assert parse_time(value.strftime("%H:%M")) == value
    assert parse_time(value.strftime("%I:%M %p")) == value


# --- days --------------------------------------------------------------------------------------

ENGLISH = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
SPANISH = ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"]


def test_the_day_tables_start_on_sunday():
    # 7 January 2024 was a Sunday: the hand-written tables above must agree with the calendar.
    for n, name in enumerate(ENGLISH):
        assert datetime(2024, 1, 7 + n).isoweekday() % 7 == n, name


def test_every_day_name_in_english_and_spanish_in_every_case():
    for n in range(7):
        _check_day_spellings(n)


def _check_day_spellings(n):
    spellings = {ENGLISH[n], ENGLISH[n][:3], SPANISH[n], SPANISH[n].replace("é", "e").replace("á", "a")}
    for name in spellings:
        for variant in (name, name.upper(), name.lower(), name.capitalize(), f"  {name}\t"):
            assert parse_days(variant) == [n], variant
    assert parse_days(n) == parse_days(str(n)) == parse_days(f" {n} ") == parse_days(float(n)) == [n]


DAY_LISTS = [
    ([5, "monday", "Fri", 1.0, "1"], [1, 5]),  # several spellings of one day count once, and sort
    ("mon,wed", [1, 3]),
    ("lunes, miércoles, ", [1, 3]),
    ("6,0", [0, 6]),
    (["tue", None, ""], [2]),
    ([[1, 2], ["3"]], [1, 2, 3]),
    ([None, ""], None),
    ([], None),
    (None, None),
    ("", None),
    ("+3", [3]),
    ("tues", [2]),
    ("thur", [4]),
    ("thurs", [4]),
]


def test_lists_and_comma_separated_days():
    for value, expected in DAY_LISTS:
        assert parse_days(value) == expected, value


NOT_DAYS = [
    7,
    -1,
    3.5,
    float("nan"),
    float("inf"),
    True,
    False,
    "Funday",
    "7",
    "mo",
    "1.0",
    "٣",
    "²",
    "1_0",
    "+-2",
    "9" * 10,
    "mon,funday",
    ["mon", 9],
    {"day": 1},
    b"1",
    "sun day",
]


def test_what_is_not_a_weekday_skips_the_row_naming_the_day():
    for value in NOT_DAYS:
        with pytest.raises(RowSkip) as info:
            parse_days(value)
        assert info.value.field == "day" and len(info.value.message) < 200, ("a hostile value is quoted short", value)


@pytest.mark.slow
@given(
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-3, 10),
            st.floats(),
            st.text(max_size=12),
            st.sampled_from(ENGLISH + SPANISH),
        ),
        lambda inner: st.lists(inner, max_size=4),
        max_leaves=8,
    )
)
@settings(max_examples=100, deadline=None)
def test_any_day_value_gives_sorted_distinct_weekdays_or_a_reason(value):
    try:
        days = parse_days(value)
    except RowSkip as skip:
        assert skip.field == "day" and skip.message
        return
    assert days is None or (days == sorted(set(days)) and days and all(0 <= d <= 6 for d in days))


# --- whole numbers and numbers -------------------------------------------------------------------

ASCII_WHOLE = re.compile(r"[+-]?[0-9]{1,9}")


@given(
    st.one_of(
        st.text(max_size=12),
        st.integers(-(10**10), 10**10).map(str),
        st.text(alphabet="0123456789+-_ ٣²１", max_size=11),
    )
)
@example("-0")
@example("+")
@example("000000000")
@example("0000000000")
@settings(max_examples=100, deadline=None)
def test_a_whole_number_is_one_to_nine_ascii_digits_with_an_optional_sign(text):
    expected = int(text) if ASCII_WHOLE.fullmatch(text) else None
    assert ascii_whole(text) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
@settings(max_examples=60, deadline=None)
def test_a_finite_float_written_by_python_reads_back_exactly(number):
    assert ascii_number(repr(number)) == number and ascii_number(f" {number!r} ") == number
    assert ascii_number(number) == number and parse_float(repr(number)) == number


NOT_NUMBERS = [
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1e999",
    "-1e999",
    float("nan"),
    float("-inf"),
    "0x10",
    "1_000",
    "١٢",
    "1,5",
    "",
    " ",
    "1.2.3",
    "e5",
    "--1",
    True,
    False,
    None,
    [1],
    "9" * 33,
    10**9,
    -(10**9),
]


def test_what_is_not_a_finite_ascii_number_is_none():
    for value in NOT_NUMBERS:
        assert ascii_number(value) is None, value


def test_numbers_feeds_write():
    for text, expected in [
        ("90", 90.0),
        (" 90.5 ", 90.5),
        ("-73.9857", -73.9857),
        (".5", 0.5),
        ("5.", 5.0),
        ("+1e3", 1000.0),
        ("1E-2", 0.01),
        (10**9 - 1, 999_999_999.0),
    ]:
        assert ascii_number(text) == expected, text


def test_parse_float_reads_nothing_given_as_none():
    assert parse_float(None) is None and parse_float("") is None and parse_float("40.7") == 40.7


# --- yes and no --------------------------------------------------------------------------------


def test_every_spelling_of_yes_and_no_in_every_case():
    for yes, no in {"yes": "no", "y": "n", "true": "false", "1": "0"}.items():
        for text, expected in ((yes, True), (no, False)):
            for variant in (text, text.upper(), text.capitalize(), f" {text} "):
                assert parse_bool(variant) is expected, variant


def test_yes_no_values_that_are_not_text_or_not_yes_or_no():
    for value, expected in [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (None, None),
        ("", None),
        ("maybe", None),
        (2, None),
        ("si", None),
        ("on", None),
        ("yes please", None),
    ]:
        assert parse_bool(value) is expected, value


# --- "updated" stamps --------------------------------------------------------------------------


@given(
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    )
)
@settings(max_examples=60, deadline=None)
def test_an_updated_stamp_in_any_of_its_three_forms_is_that_utc_moment(moment):
    expected = moment.replace(tzinfo=UTC)
    for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d%H:%M:%S"):  # spec, ISO, a sheet's run-together
        assert parse_updated(moment.strftime(layout)) == expected, layout
    assert parse_updated(moment.strftime("%Y-%m-%d %H:%M")) == expected.replace(second=0)


def test_an_updated_stamp_that_is_no_moment_is_none():
    for value in (
        "2024-02-30 10:00:00",
        "2023-02-29 10:00:00",
        "2024-13-01 00:00:00",
        "2024-05-31 24:00:00",
        "31/05/2024 14:32",
        "yesterday",
        "",
        None,
        20240531,
        ["x"],
    ):
        assert parse_updated(value) is None, value


# --- text --------------------------------------------------------------------------------------


class _Markup(HTMLParser):
    """Python's own HTML parser, a second opinion beside nh3's: what would it read as markup?"""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.found.append(tag)

    def handle_comment(self, data):
        self.found.append("comment")


def markup_in(text: str) -> list:
    parser = _Markup()
    parser.feed(text)
    parser.close()
    return parser.found


tag_soup = st.lists(
    st.sampled_from(
        [
            "<b>",
            "</b>",
            "<script>",
            "</script>",
            "<style>",
            "&lt;",
            "&gt;",
            "&amp;",
            "&#60;",
            "<br>",
            "<br/>",
            "</p>",
            "<!--",
            "-->",
            "<",
            ">",
            "i",
            "x",
            " ",
            "\n",
            "\t",
            "&",
            "lt;",
            "<img src=x onerror=alert(1)>",
            "é",
            "\x00",
            "\ud800",
            "<a href='j'>",
            "/",
        ]
    ),
    max_size=14,
).map("".join)


@pytest.mark.slow
@given(st.one_of(tag_soup, st.text(max_size=30)), st.booleans())
@example("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;", False)
@example("<<b>b>x", False)
@settings(max_examples=100, deadline=None)
def test_cleaned_text_holds_no_markup_nothing_unstorable_and_cleans_to_itself(value, multiline):
    text, _ = clean_text(value, multiline=multiline)
    assert markup_in(text) == [] and markup_in(html.unescape(text)) == []
    assert "\x00" not in text and not re.search("[\ud800-\udfff]", text)
    assert clean_text(text, multiline=multiline)[0] == text, "cleaning twice changes nothing"
    if multiline:
        assert all(line == line.strip() and "  " not in line and "\t" not in line for line in text.split("\n"))
    else:
        assert "\n" not in text and "  " not in text and "\t" not in text and text == text.strip()


NAMED_TEXTS = [
    ("Caf&eacute; &amp; Co", False, "Café & Co", False),
    ("line one<br>line two</p>three", True, "line one\nline two\nthree", True),
    ("line one<br>line two", False, "line one line two", True),
    ("a<script>alert(1)</script>b <style>p{}</style>c", False, "ab c", True),
    ("&lt;b&gt;bold&lt;/b&gt;", False, "bold", True),  # an encoded tag is a tag to a client that decodes it
    ("3 < 4 and 5 > 2", False, "3 < 4 and 5 > 2", False),  # comparisons are not markup
    ("  spaced\t\tout \n\n text ", False, "spaced out text", False),
    ("  first  \n\n   second ", True, "first\n\nsecond", False),
    ("N\x00ame\ud800", False, "Name\ufffd", False),
    (None, False, "", False),
    (1047, False, "1047", False),
]


def test_named_texts():
    for value, multiline, expected, had_html in NAMED_TEXTS:
        assert clean_text(value, multiline=multiline) == (expected, had_html), value
