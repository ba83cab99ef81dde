"""``normalize.to_meetings`` one rule at a time, on rows built by hand (no database, no files).

The readers' own tests import whole sample feeds; here each rule the normaliser applies is shown
on the smallest row that exercises it, and the rules that are arithmetic (durations, the one
meeting per day) are checked against an oracle over many rows.
"""

import io
import json
from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.feeds import jsonstream, normalize
from commonground.feeds.errors import FeedError, RowSkip
from commonground.feeds.fields import Context
from commonground.feeds.jsonstream import DECODER, iter_array
from commonground.feeds.normalize import to_meetings


class _NoPlaces:
    """A gazetteer that knows no place: where a row without coordinates is placed is the subject
    of tests/test_places*.py, and loading the real one would take most of this file's time."""

    def zip(self, code):
        return None

    def search(self, text, limit=10):
        return []


@pytest.fixture(autouse=True)
def _no_place_look_up(monkeypatch):
    monkeypatch.setattr(normalize, "gazetteer", _NoPlaces)


# Coordinates and a zone: the row is placed without the offline gazetteer.
BASE = {
    "slug": "s",
    "name": "Hope Group",
    "day": 1,
    "time": "19:00",
    "timezone": "America/Chicago",
    "latitude": 32.7767,
    "longitude": -96.797,
}


def read(*, default_timezone="", **changes):
    ctx = Context("aa", "spec", default_timezone=default_timezone, programs={"aa": "spec", "na": "na"})
    row = {**BASE, **changes}
    return to_meetings({k: v for k, v in row.items() if v is not ...}, ctx), ctx.warnings


def one(**changes):
    meetings, warnings = read(**changes)
    assert len(meetings) == 1
    return meetings[0], warnings


def warned(warnings, field):
    return [message for name, message in warnings if name == field]


# --- durations ---------------------------------------------------------------------------------

minutes_of_day = st.integers(0, 1439)


@given(minutes_of_day, minutes_of_day)
@settings(max_examples=50, deadline=None)
def test_an_end_time_gives_the_minutes_until_it_across_midnight_too(start, end):
    start_clock, end_clock = time(*divmod(start, 60)), time(*divmod(end, 60))
    begins = datetime(2024, 1, 1, start_clock.hour, start_clock.minute)
    ends = datetime(2024, 1, 1, end_clock.hour, end_clock.minute)
    if ends < begins:
        ends += timedelta(days=1)  # 23:00 until 01:00 is two hours, not minus twenty-two
    expected = int((ends - begins).total_seconds() // 60) or None  # an end at the start says nothing
    meeting, _ = one(time=start_clock.strftime("%H:%M"), end_time=end_clock.strftime("%I:%M %p"), duration="5")
    assert meeting["start_time"] == start_clock
    assert meeting["duration_minutes"] == expected, "the end time wins over a duration given beside it"


DURATIONS = [
    ("90", 90),
    (90, 90),
    (90.9, 90),
    (" 60 ", 60),
    ("1e2", 100),
    ("1439.99", 1439),
    (1, 1),
    (None, None),
    ("", None),
]


def test_a_duration_in_minutes():
    for raw, expected in DURATIONS:
        meeting, warnings = one(duration=raw)
        assert meeting["duration_minutes"] == expected and not warned(warnings, "duration"), raw


NOT_DURATIONS = [
    ("ninety", "not a number of minutes"),
    (True, "not a number of minutes"),
    ("NaN", "not a number of minutes"),
    ("1:30", "not a number of minutes"),
    ([90], "not a number of minutes"),
    (0, "0 minutes is not between 1 and 1439"),
    (1440, "1440 minutes is not between"),
    (-5, "-5 minutes"),
    ("0.5", "0 minutes is not between"),  # in range as a number, but no whole minute
]


def test_a_duration_that_is_no_meeting_length_is_ignored_with_a_warning():
    for raw, words in NOT_DURATIONS:
        meeting, warnings = one(duration=raw)
        assert meeting["duration_minutes"] is None, raw
        assert any(words in message for message in warned(warnings, "duration")), (raw, warnings)


# --- days, times and keys ----------------------------------------------------------------------

HALF_SCHEDULES = [
    ({"time": ...}, "time"),
    ({"time": ""}, "time"),
    ({"day": ...}, "day"),
    ({"day": None}, "day"),
    ({"day": ..., "time": ...}, None),
]


def test_a_day_without_a_time_or_the_reverse_is_an_ongoing_meeting():
    for changes, warned_field in HALF_SCHEDULES:
        meeting, warnings = one(end_time="20:00", **changes)
        assert meeting["key"] == "s"
        assert (meeting["weekday"], meeting["start_time"], meeting["duration_minutes"]) == (None, None, None)
        fields = {"day", "time"} & {name for name, _ in warnings}
        assert fields == ({warned_field} if warned_field else set()), changes


DAY_KEYS = [
    (3, {"s": 3}),
    ("3", {"s": 3}),
    ("wednesday", {"s": 3}),
    ([3], {"s-3": 3}),  # a list is keyed by day even with one day in it, so the key stays when a day is added
    ("1,3", {"s-1": 1, "s-3": 3}),
    (["mon", 1, "Monday"], {"s-1": 1}),
    ([5, 0, 3], {"s-0": 0, "s-3": 3, "s-5": 5}),
]


def test_one_meeting_per_weekday_keyed_by_the_day():
    for day, keys in DAY_KEYS:
        meetings, _ = read(day=day)
        assert {m["key"]: m["weekday"] for m in meetings} == keys, day
        assert all(m["start_time"] == time(19, 0) for m in meetings)


@given(st.lists(st.integers(0, 6), min_size=1, max_size=9), st.sampled_from(["", "lunes", "Fri"]))
@settings(max_examples=40, deadline=None)
def test_every_day_of_a_list_is_one_meeting_and_nothing_else_differs(days, extra):
    listed = days + ([extra] if extra else [])
    expected = sorted(set(days) | ({"": set(), "lunes": {1}, "Fri": {5}}[extra]))
    meetings, _ = read(day=listed, slug="grp", end_time="20:30")
    assert [m["weekday"] for m in meetings] == expected
    assert [m["key"] for m in meetings] == [f"grp-{d}" for d in expected]
    for meeting in meetings:
        rest = {k: v for k, v in meeting.items() if k not in ("key", "weekday")}
        assert rest == {k: v for k, v in meetings[0].items() if k not in ("key", "weekday")}
        assert meeting["duration_minutes"] == 90


SLUGS = [(1047, "1047"), (" a-b ", "a-b"), ("0", "0"), (0, "0")]


def test_a_slug_may_be_a_number_or_padded():
    for slug, key in SLUGS:
        assert one(slug=slug)[0]["key"] == key, slug


NOT_SLUGS = [..., None, "", "  ", True, False, [1], {"a": 1}]


def test_a_row_without_a_usable_slug_is_skipped():
    for slug in NOT_SLUGS:
        with pytest.raises(RowSkip) as info:
            read(slug=slug)
        assert info.value.field == "slug" and "no slug" in info.value.message, slug


NOT_ROWS = [None, [], "row", 5, [("slug", "s")]]


def test_a_row_that_is_not_an_object_is_skipped():
    for row in NOT_ROWS:
        with pytest.raises(RowSkip) as info:
            to_meetings(row, Context("aa", "spec"))
        assert info.value.field is None


def test_a_readers_own_reason_to_skip_is_kept():
    with pytest.raises(RowSkip) as info:
        read(_skip=("published", "the meeting is not published"))
    assert (info.value.field, info.value.message) == ("published", "the meeting is not published")


EMPTY_NAMES = [..., "", "   ", "<b></b>", "<script>Hope</script>", None]


def test_a_row_whose_name_is_empty_once_cleaned_is_skipped():
    for name in EMPTY_NAMES:
        with pytest.raises(RowSkip) as info:
            read(name=name)
        assert info.value.field == "name", name


def test_markup_in_a_name_is_removed_with_a_warning():
    meeting, warnings = one(name="<i>Hope</i> &amp; Serenity")
    assert meeting["name"] == "Hope & Serenity" and warned(warnings, "name")


# --- addresses ---------------------------------------------------------------------------------

ADDRESS_PARTS = [
    (
        {"address": "1 Main St", "city": "Dallas", "state": "TX", "postal_code": "75201", "country": "US"},
        "1 Main St, Dallas, TX 75201, USA",
    ),
    ({"city": "Dallas", "country": "United States"}, "Dallas, USA"),
    ({"address": "1 Main St", "postal_code": "75201"}, "1 Main St, 75201"),
    ({"state": "TX"}, "TX"),
    ({"city": "Paris", "country": "France"}, "Paris, France"),
]


def test_a_missing_formatted_address_is_made_from_its_parts():
    for parts, formatted in ADDRESS_PARTS:
        meeting, _ = one(**parts)
        assert meeting["formatted_address"] == formatted and meeting["region"] == parts.get("state", ""), parts


ZIP_CODES = [
    ("2134", "USA", "02134"),
    ("802", "US", "00802"),
    ("2134", "", "2134"),
    ("2134", "Canada", "2134"),
    ("0213A", "USA", "0213A"),
    ("75201", "United States", "75201"),
]


def test_a_us_zip_code_that_lost_its_leading_zeros_gets_them_back():
    for postal, country, stored in ZIP_CODES:
        meeting, _ = one(postal_code=postal, country=country, formatted_address="somewhere")
        assert meeting["postal_code"] == stored, (postal, country)


def test_the_given_formatted_address_is_kept_as_given():
    meeting, _ = one(address="1 Main St", city="Dallas", formatted_address="Corner of Main and Elm, Dallas")
    assert meeting["formatted_address"] == "Corner of Main and Elm, Dallas"


# --- coordinates -------------------------------------------------------------------------------

GIVEN_COORDINATES = [
    ({"latitude": "40.7", "longitude": "-74.0"}, (40.7, -74.0), "feed"),
    ({"latitude": ..., "longitude": ..., "coordinates": "40.7128, -74.0060"}, (40.7128, -74.006), "feed"),
    ({"latitude": 40.7, "longitude": -74.0, "coordinates_approximate": "postal_code"}, (40.7, -74.0), "postal_code"),
    ({"latitude": 40.7, "longitude": -74.0, "coordinates_approximate": "city"}, (40.7, -74.0), "city"),
    ({"latitude": 40.7, "longitude": -74.0, "coordinates_approximate": "street"}, (40.7, -74.0), "feed"),
    ({"latitude": 90, "longitude": -180}, (90, -180), "feed"),
]


def test_coordinates_the_feed_gives():
    for changes, position, source in GIVEN_COORDINATES:
        meeting, _ = one(**changes)
        assert (meeting["latitude"], meeting["longitude"]) == position and meeting["coordinates_source"] == source, (
            changes
        )


UNTRUSTED_COORDINATES = [
    (0, 0, False),
    ("0", "0.0", False),
    (90.5, 0, True),
    (10, 180.01, True),
    (-91, -200, True),
    ("x", 10, False),
]


def test_coordinates_out_of_range_or_at_null_island_are_not_trusted():
    for lat, lng, warns in UNTRUSTED_COORDINATES:
        meeting, warnings = one(latitude=lat, longitude=lng, default_timezone="UTC")
        assert meeting["coordinates_source"] != "feed" and meeting["latitude"] is None, (lat, lng)
        assert bool(warned(warnings, "latitude")) is warns, (lat, lng)


APPROXIMATE_RULES = [
    ({"approximate": "yes", "address": "1 Main St"}, True),
    ({"approximate": "no"}, False),
    ({"approximate": "1"}, True),
    ({"approximate": False}, False),
    ({"address": "1 Main St"}, False),  # a street address
    ({}, False),  # coordinates
]


def test_approximate_as_given_else_false_with_a_street_or_coordinates():
    for changes, approximate in APPROXIMATE_RULES:
        assert one(**changes)[0]["approximate"] is approximate, changes


ADDRESS_PART_COUNTS = [
    ("Dallas, TX", True),
    ("Dallas, TX, USA", True),
    ("Suite 4, 1 Main St, Dallas, TX", False),
    ("1 Main St, Dallas, TX 75201, USA", False),
    (",,, Dallas,, TX, ", True),  # empty parts do not count
]


def test_without_street_or_coordinates_fewer_than_four_address_parts_is_approximate():
    for formatted, approximate in ADDRESS_PART_COUNTS:
        meeting, _ = one(latitude=..., longitude=..., formatted_address=formatted, default_timezone="America/Chicago")
        assert meeting["approximate"] is approximate, formatted


# --- time zones --------------------------------------------------------------------------------

NOT_ZONES = ["Mars/Base", "EST5EDT ", "america/chicago", "localtime", "+05:00"]


def test_a_zone_that_is_not_an_iana_name_skips_the_row():
    for zone in NOT_ZONES:
        with pytest.raises(RowSkip) as info:
            read(timezone=zone)
        assert info.value.field == "timezone" and "IANA" in info.value.message, zone


def test_with_no_place_the_sources_zone_then_utc_for_an_ongoing_meeting_then_a_skip():
    nowhere = {"timezone": ..., "latitude": ..., "longitude": ...}
    assert one(default_timezone="Europe/Madrid", **nowhere)[0]["timezone"] == "Europe/Madrid"
    meeting, warnings = one(day=..., time=..., **nowhere)
    assert meeting["timezone"] == "UTC" and warned(warnings, "timezone")
    with pytest.raises(RowSkip) as info:
        read(**nowhere)
    assert info.value.field == "timezone" and "--timezone" in info.value.message


def test_the_rows_own_zone_wins_over_its_coordinates():
    assert one(timezone="Asia/Kathmandu")[0]["timezone"] == "Asia/Kathmandu"  # coordinates are in Dallas
    assert one(timezone=...)[0]["timezone"] == "America/Chicago"  # from the coordinates


# --- types, languages, programs, regions -------------------------------------------------------

TYPE_CASES = [
    (["O", "C"], ["C"], True),
    (["C", "O", "C"], ["C"], True),
    ("O, C", ["C"], True),
    (["ONL", "O"], ["O"], False),  # online is worked out from the link or the phone, never taken
    (["o", "Open"], ["O"], False),
    ([None, True, "", 7.5, "O"], ["O"], False),
]


def test_meeting_types():
    for sent, codes, warns in TYPE_CASES:
        meeting, warnings = one(types=sent)
        assert meeting["types"] == codes and bool(warned(warnings, "types")) is warns, sent


def test_unknown_types_are_kept_aside_and_never_shown():
    meeting, warnings = one(types=["O", "Q9", "zz"])
    assert meeting["types"] == ["O"] and meeting["extra"]["unknown_types"] == "Q9,zz"
    assert any("Q9, zz" in message for message in warned(warnings, "types"))


def test_languages_from_type_codes_and_the_languages_list():
    meeting, _ = one(types=["O", "S"], languages=["FR", " de ", "e", "engl", 5, "d1", "ñu"])
    assert meeting["types"] == ["O"] and meeting["languages"] == ["de", "es", "fr"]


def test_a_row_that_names_a_known_program_is_that_programs():
    assert one(program="na")[0]["program_id"] == "na"
    assert one(program="zz")[0]["program_id"] == "aa" and one(program=["na"])[0]["program_id"] == "aa"


REGION_PATHS = [
    ({"regions": "Manhattan > Midtown"}, ["Manhattan", "Midtown"]),
    ({"regions": ["North", 3, "", " ", "<b>South</b>", None]}, ["North", "South"]),
    ({"region": "North", "sub_region": "", "sub_sub_region": "Hill"}, ["North", "Hill"]),
    ({"regions": [], "region": "North"}, []),  # an explicit empty path is kept empty
    ({}, []),
]


def test_the_region_path():
    for changes, regions in REGION_PATHS:
        assert one(**changes)[0]["regions"] == regions, changes


# --- addresses for people, and the rest ---------------------------------------------------------


def test_feedback_emails_as_a_list_or_one_text_keep_only_addresses():
    meeting, warnings = one(feedback_emails="a@example.org, nope , b@example.org,")
    assert (
        meeting["feedback_emails"] == ["a@example.org", "b@example.org"]
        and len(warned(warnings, "feedback_emails")) == 1
    )
    assert one(entity_feedback_emails=["c@example.org"], feedback_emails=["d@example.org"])[0]["feedback_emails"] == [
        "c@example.org"
    ], "the spec's name first"


def test_contacts_come_in_order_with_names_cut_to_a_last_initial():
    meeting, _ = one(contact_2_name="Doe, Jane", contact_2_phone="555-0100", contact_3_email="sec@example.org")
    assert meeting["contacts"] == [
        {"name": "Jane D.", "email": "", "phone": "555-0100"},
        {"name": "", "email": "sec@example.org", "phone": ""},
    ]
    assert one(contact_1_name="Jane Doe", _private_contacts=True)[0]["contacts"] == []


def test_extra_fields_are_kept_short_and_empty_ones_left_out():
    meeting, _ = one(venmo="@" + "v" * 300, paypal="", district="<b>D12</b>", _extra={"note": "a\x00b"})
    assert meeting["extra"] == {"venmo": "@" + "v" * 199, "district": "D12", "note": "ab"}


def test_an_updated_stamp_that_is_no_date_is_dropped_with_a_warning():
    meeting, warnings = one(updated="last tuesday")
    assert meeting["updated_at"] is None and warned(warnings, "updated")
    assert one(updated="2024-05-31 14:32:23")[0]["updated_at"].isoformat() == "2024-05-31T14:32:23+00:00"


def test_entity_website_url_is_read_as_entity_url():
    assert (
        one(entity_website_url="https://intergroup.example.org/")[0]["entity_url"] == "https://intergroup.example.org/"
    )
    meeting, warnings = one(entity_url="javascript:alert(1)")
    assert meeting["entity_url"] == "" and warned(warnings, "entity_url")


# --- the JSON stream the rows come from (feeds/jsonstream.py) ------------------------------------


def streamed(body: bytes, window: int | None = None):
    real = jsonstream.READ_BYTES
    jsonstream.READ_BYTES = window or real
    try:
        return list(iter_array(io.BytesIO(body), "feed.json"))
    finally:
        jsonstream.READ_BYTES = real


# Text near JSON: brackets, separators, words and numbers in every order, most of it broken.
near_json = st.text(alphabet='[]{},:" 0123456789.-eEtrufalsn\né', max_size=18)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.text(max_size=4)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.slow
@given(
    st.one_of(near_json, json_values.map(json.dumps), st.lists(json_values, max_size=4).map(json.dumps)),
    st.sampled_from([None, 1, 2, 5]),
)
@settings(max_examples=100, deadline=None)
def test_a_body_streams_as_the_decoder_reads_it_whole_or_is_refused(text, window):
    try:
        whole = DECODER.decode(text)
    except ValueError:
        whole = None
    try:
        got = streamed(text.encode(), window)
    except FeedError as error:
        assert error.code in ("shape", "syntax") and error.message.startswith("feed.json ")
        assert not isinstance(whole, list), "an array the decoder reads is never refused"
        return
    assert isinstance(whole, list) and got == whole


NOT_ARRAYS = [
    (b"", "shape", "feed.json is empty."),
    (b" \n\t", "shape", "feed.json is empty."),
    (b'{"meetings": []}', "shape", 'an array of meetings (it has a "meetings" list'),
    (b'{"a": 1}', "shape", "holds a JSON object, but a Meeting Guide feed is an array of meetings."),
    (b'"x"', "shape", "holds a JSON string"),
    (b"3", "shape", "holds a JSON number"),
    (b"null", "shape", "holds a JSON null"),
    (b"true", "shape", "holds a JSON boolean"),
    (b"{bad", "syntax", "is not valid JSON"),
    (b"[1] [2]", "syntax", "there is more after the closing bracket."),
    (b"[1, 2", "syntax", "the array is never closed"),
    (b"[1,", "syntax", "the array is never closed"),
    (b"[1 2]", "syntax", "Expecting ',' delimiter at line 1."),
    (b"[1,\n\n2\n3]", "syntax", "Expecting ',' delimiter at line 4."),
    (b"[" * 50_000, "syntax", "nests JSON too deeply"),
]


def test_what_is_not_an_array_of_meetings_is_refused_saying_what_it_is():
    for body, code, words in NOT_ARRAYS:
        with pytest.raises(FeedError) as info:
            streamed(body)
        assert info.value.code == code and words in info.value.message, body[:20]


def test_a_byte_order_mark_and_blank_space_around_the_array_are_fine():
    assert streamed(b'\xef\xbb\xbf \n[1, {"a": []}]\n\n') == [1, {"a": []}]
    assert streamed(b"[]") == [] == streamed(b" [ ] ")
