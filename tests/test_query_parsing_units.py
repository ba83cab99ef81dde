"""``parse_query`` one parameter at a time, and the one error shape its refusals are answered in.

tests/test_search_edges.py checks a dozen refusals name their field and that searches find the
right meetings; here every parameter's refusal, the bounds just inside and just outside, the
time windows worked out by hand, that the cleaned parameters give the same search again, and,
over any dictionary of parameters, that nothing but ``QueryError`` ever comes out.
"""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.errors import CODES, error_body, error_response
from commonground.meetings import types
from commonground.search.query import MODES, QueryError, SearchQuery, parse_query

# Wednesday 4 March 2026, noon UTC (1 January 2026 was a Thursday; 1 March a Sunday). New York
# is on EST (UTC-5) until Sunday 8 March, then on EDT (UTC-4).
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
PARAMETERS = (
    "now",
    "lat",
    "lng",
    "near",
    "radius_km",
    "radius_mi",
    "tz",
    "mode",
    "program",
    "approach",
    "type",
    "language",
    "q",
    "starting_within",
    "day",
    "time_from",
    "time_to",
    "sort",
    "limit",
    "offset",
)


def refusal(params) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse_query(params, now=NOW)
    return info.value


REFUSALS = [
    ({"lat": "91", "lng": "0"}, "lat", "lat must be at most 90."),
    ({"lat": "-90.5", "lng": "0"}, "lat", "lat must be at least -90."),
    ({"lat": "abc", "lng": "0"}, "lat", "lat must be a number; got 'abc'."),
    ({"lat": "1e999", "lng": "0"}, "lat", "lat must be a finite number."),
    ({"lat": "٣", "lng": "0"}, "lat", "lat must be a number; got '٣'."),
    ({"lat": "0", "lng": "180.5"}, "lng", "lng must be at most 180."),
    ({"lng": "10"}, "lat", "Give both lat and lng, or neither."),
    ({"radius_km": "0.05"}, "radius_km", "radius_km must be at least 0.1."),
    ({"radius_mi": "311"}, "radius_mi", "radius_mi must be at most 310.686."),  # 500 km / 1.609344 km a mile
    ({"radius_km": "5", "radius_mi": "5"}, "radius_mi", "Give radius_km or radius_mi, not both."),
    ({"mode": "bus"}, "mode", "mode must be one of any, in_person, online, hybrid."),
    ({"approach": "magic"}, "approach", "approach must be one of "),
    ({"type": "open,fluffy"}, "type", "Unknown meeting type 'fluffy'; use "),
    ({"language": "e"}, "language", "language must be an ISO 639-1 code such as es; got 'e'."),
    ({"language": "es,engl"}, "language", "got 'engl'."),
    ({"language": "e1"}, "language", "got 'e1'."),
    ({"q": "x" * 101}, "q", "q must be at most 100 characters."),
    ({"starting_within": "0"}, "starting_within", "starting_within must be at least 1."),
    ({"starting_within": "10081"}, "starting_within", "starting_within must be at most 10080."),  # a week
    ({"starting_within": "1.5"}, "starting_within", "starting_within must be a whole number; got '1.5'."),
    ({"starting_within": "30", "time_to": "10:00"}, "starting_within", "(starting_within) or a day and times"),
    ({"day": "mon"}, "day", "day must be 0–6 (0 = Sunday), today or tomorrow."),
    ({"day": "7"}, "day", "day must be 0–6"),
    ({"day": "-1"}, "day", "day must be 0–6"),
    ({"day": "²"}, "day", "day must be 0–6"),
    ({"day": "1,yesterday"}, "day", "day must be 0–6"),
    ({"time_from": "7pm"}, "time_from", "time_from must be a time like 18:00 (24-hour clock); got '7pm'."),
    ({"time_to": "24:30"}, "time_to", "time_to must be a time like 18:00"),
    ({"time_to": "9:60"}, "time_to", "time_to must be a time like 18:00"),
    ({"time_from": "18:00:00"}, "time_from", "got '18:00:00'"),
    ({"sort": "random"}, "sort", "sort must be one of soonest, nearest, name."),
    ({"sort": "nearest", "tz": "UTC"}, "sort", "sort=nearest needs a place"),
    ({"limit": "0"}, "limit", "limit must be at least 1."),
    ({"limit": "201"}, "limit", "limit must be at most 200."),
    ({"limit": "1.0"}, "limit", "limit must be a whole number"),
    ({"limit": "1_0"}, "limit", "limit must be a whole"),
    ({"limit": "9" * 40}, "limit", f"limit must be a whole number; got {'9' * 32!r}."),  # quoted at most 32 long
    ({"offset": "-1"}, "offset", "offset must be at least 0."),
    ({"offset": "x"}, "offset", "offset must be a whole"),
    ({"now": "2026-06-01"}, "now", "now must include a UTC offset"),
    ({"now": "soon"}, "now", "now must be an ISO 8601 time"),
    ({"now": "2200-01-01T00:00:00Z"}, "now", "now must be between 1970 and 2199."),
    ({"now": "1969-12-31T23:59:59Z"}, "now", "now must be between 1970 and 2199."),
    ({"now": "0001-01-01T00:00:00+01:00"}, "now", "now must be between 1970 and 2199."),  # before year 1 in UTC
]


def test_every_refusal_names_its_parameter_and_says_what_to_give():
    for params, field, message in REFUSALS:
        error = refusal(params)
        assert error.field == field and message in error.message and field in error.message, (params, error.message)
        assert str(error) == error.message
    assert {field for _, field, _ in REFUSALS} == set(PARAMETERS) - {"near", "tz", "program"}, (
        "every parameter but these three (tested below and in tests/test_search_edges.py)"
    )


def test_a_zone_refusal_quotes_the_zone_it_was_given():
    # The message quotes the value rather than the parameter's name; the field names it.
    error = refusal({"tz": "america/new_york"})
    assert error.field == "tz" and "'america/new_york'" in error.message and "IANA" in error.message


TAKEN = [
    ({"radius_km": "500"}, "radius_km", 500.0),
    ({"radius_km": "0.1"}, "radius_km", 0.1),
    ({"radius_mi": "310"}, "radius_km", 310 * 1.609344),
    ({"limit": "200"}, "limit", 200),
    ({"limit": "+5"}, "limit", 5),
    ({"limit": "005"}, "limit", 5),
    ({"limit": ["9", "7"]}, "limit", 7),
    ({"offset": "0"}, "offset", 0),
    ({"offset": " 40 "}, "offset", 40),
    ({"lat": " -90 ", "lng": "180"}, "latitude", -90.0),
    ({"language": "ES, fr,es"}, "languages", ("es", "fr")),
    ({"type": "open, open"}, "tags", ("open",)),
    ({"mode": "any"}, "mode", "any"),
    ({"q": "  café  "}, "q", "café"),
    ({"q": "x" * 100}, "q", "x" * 100),
    ({"now": "2026-03-04T07:00:00-05:00"}, "now", NOW),
    ({"now": "2199-12-31T23:59:59Z"}, "now", datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)),
]


def test_values_just_inside_the_bounds_are_taken():
    for params, attribute, value in TAKEN:
        assert getattr(parse_query(params, now=NOW), attribute) == value, params


def test_the_default_sort_follows_what_was_asked():
    assert parse_query({"lat": "40", "lng": "-74", "starting_within": "60"}, now=NOW).sort == "soonest"
    assert parse_query({"lat": "40", "lng": "-74"}, now=NOW).sort == "nearest"
    assert parse_query({"lat": "40", "lng": "-74", "sort": "name"}, now=NOW).sort == "name"


# --- time windows, worked out by hand ------------------------------------------------------------


def utc(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


WINDOWS = [
    # In the next half hour, counting meetings that began up to ten minutes ago.
    ({"starting_within": "30"}, [(utc(4, 11, 50), utc(4, 12, 30))]),
    # Monday from 09:00 to the end of the day: next Monday, 9 March.
    ({"day": "1", "time_from": "09:00"}, [(utc(9, 9), utc(10, 0))]),
    # Today until 11:00 is over (noon less ten minutes is 11:50): next Wednesday instead.
    ({"day": "today", "time_to": "11:00"}, [(utc(11, 0), utc(11, 11))]),
    # Today until 11:55 is not over: from ten minutes ago until 11:55.
    ({"day": "today", "time_to": "11:55"}, [(utc(4, 11, 50), utc(4, 11, 55))]),
    # From 22:00 to 02:00 runs past midnight.
    ({"time_from": "22:00", "time_to": "02:00"}, [(utc(4, 22), utc(5, 2))]),
    # 24:00 is midnight; today's 00:00 to 00:30 is long over, so next Wednesday's.
    ({"time_from": "24:00", "time_to": "0:30"}, [(utc(11, 0), utc(11, 0, 30))]),
    # Several days, one given twice, each its own window, in order.
    ({"day": "3,1,3,TOMORROW"}, [(utc(4, 11, 50), utc(5, 0)), (utc(5, 0), utc(6, 0)), (utc(9, 0), utc(10, 0))]),
    # New York is UTC-5 today, and UTC-4 from Sunday 8 March: 18:00 there is 23:00 UTC, then 22:00.
    ({"tz": "America/New_York", "day": "today", "time_from": "18:00", "time_to": "19:00"}, [(utc(4, 23), utc(5, 0))]),
    ({"tz": "America/New_York", "day": "1", "time_from": "18:00", "time_to": "19:00"}, [(utc(9, 22), utc(9, 23))]),
]


def test_time_windows():
    for params, windows in WINDOWS:
        query = parse_query(params, now=NOW)
        assert query.windows == windows, params
        assert (query.window_start, query.window_end) == (windows[0][0], max(end for _, end in windows))


def test_without_a_time_there_is_no_window():
    query = parse_query({"mode": "online"}, now=NOW)
    assert query.windows == [] and query.window_start is None and not query.has_time


# --- the cleaned parameters give the same search again -------------------------------------------

valid = st.fixed_dictionaries(
    {},
    optional={
        "mode": st.sampled_from(MODES),
        "type": st.lists(st.sampled_from(types.TAGS), max_size=3).map(",".join),
        "language": st.lists(st.sampled_from(["en", "es", "FR", "ase"]), max_size=3),
        "q": st.text(st.characters(codec="ascii", categories=["L", "N", "Zs"]), max_size=20),
        "limit": st.integers(1, 200).map(str),
        "offset": st.integers(0, 500).map(str),
        "tz": st.sampled_from(["UTC", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]),
        "radius_km": st.floats(0.1, 500).map(lambda r: f"{r:.3f}"),
        "place": st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
        "when": st.one_of(
            st.integers(1, 7 * 1440).map(lambda m: {"starting_within": str(m)}),
            st.fixed_dictionaries(
                {},
                optional={
                    "day": st.lists(st.sampled_from(["0", "3", "6", "today", "tomorrow"]), min_size=1, max_size=3),
                    "time_from": st.sampled_from(["00:00", "7:30", "18:00", "23:59", "24:00"]),
                    "time_to": st.sampled_from(["00:30", "12:00", "21:00"]),
                },
            ),
        ),
        "sort": st.sampled_from(["soonest", "name"]),
    },
)


def _flatten(drawn: dict) -> dict:
    params = {k: v for k, v in drawn.items() if k not in ("place", "when")}
    if "place" in drawn:
        params.update(lat=repr(drawn["place"][0]), lng=repr(drawn["place"][1]))
    params.update(drawn.get("when", {}))
    return params


def _resolved(query: SearchQuery) -> dict:
    return {k: v for k, v in vars(query).items() if k not in ("offset", "params")}


@pytest.mark.slow
@given(valid.map(_flatten))
@settings(max_examples=60, deadline=None)
def test_the_cleaned_parameters_give_the_same_search_again(params):
    first = parse_query(params, now=NOW)
    again = parse_query(first.params, now=NOW)
    assert _resolved(again) == _resolved(first) and again.params == first.params
    assert set(first.params) <= set(PARAMETERS)


# --- whatever arrives, a search or a QueryError that names a parameter ---------------------------

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "24:00",
            "1e999",
            "nan",
            "today",
            "tomorrow",
            "10001",
            "aa",
            "open",
            "es",
            "2026-03-04T12:00:00Z",
            "٣",
        ]
    ),
)
values = st.one_of(texts, st.lists(texts, max_size=3), st.integers(-(10**6), 10**6), st.none(), st.floats())


# Every parameter but program, which reads the catalog from the database, and near, which loads the
# gazetteer (both fuzzed through the API in tests/test_api_fuzz.py, and refused in tests/test_search_edges.py).
@pytest.mark.slow
@given(
    st.dictionaries(
        st.sampled_from(tuple(p for p in PARAMETERS if p not in ("program", "near")) + ("view", "")), values, max_size=6
    )
)
@settings(max_examples=80, deadline=None)
def test_any_parameters_give_a_search_or_a_refusal_naming_one_of_them(params):
    try:
        query = parse_query(params, now=NOW)
    except QueryError as error:
        assert error.field in PARAMETERS and error.message.strip()
        assert error.field in params or {error.field, "lat", "lng"} & set(params), "it names what was sent"
        return
    assert isinstance(query, SearchQuery) and 1 <= query.limit <= 200 and query.offset >= 0
    assert query.window_start is None or query.window_start <= query.window_end
    assert set(query.params) <= set(PARAMETERS)


# --- the one error shape ------------------------------------------------------------------------


def test_every_error_has_the_same_four_keys():
    for status in [*CODES, 418, 429]:
        body = error_body(status, "Say what to do.")
        assert list(body) == ["error"]
        assert body["error"] == {
            "status": status,
            "code": CODES.get(status, "error"),
            "message": "Say what to do.",
            "field": None,
        }, status


def test_an_error_names_its_field_its_own_code_and_candidates_only_when_there_are_some():
    assert error_body(400, "m", field="near", candidates=[])["error"] == {
        "status": 400,
        "code": "invalid_parameter",
        "message": "m",
        "field": "near",
    }
    assert error_body(400, "m", field="near", candidates=["Portland, OR", "Portland, ME"])["error"]["candidates"] == [
        "Portland, OR",
        "Portland, ME",
    ]
    assert error_body(429, "m", code="too_many_requests")["error"]["code"] == "too_many_requests"


def test_an_error_response_is_its_body_as_json_with_its_status():
    response = error_response(404, "No meeting here.", field="slug")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == error_body(404, "No meeting here.", field="slug")


def test_a_query_refusal_as_the_api_answers_it():
    error = refusal({"limit": "0"})
    body = json.loads(error_response(400, error.message, field=error.field, candidates=error.candidates).content)
    assert body == {
        "error": {"status": 400, "code": "invalid_parameter", "message": "limit must be at least 1.", "field": "limit"}
    }
