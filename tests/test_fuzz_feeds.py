"""Fuzzing the readers: whatever bytes or rows arrive, only structured errors come out."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.feeds.bmlt.reader import parse_answers
from commonground.feeds.errors import FeedError, RowSkip
from commonground.feeds.fields import Context
from commonground.feeds.meeting_guide.reader import parse as parse_json
from commonground.feeds.normalize import to_meetings
from commonground.feeds.tsml_csv.reader import parse as parse_csv

pytestmark = pytest.mark.slow  # subprocesses or many generated cases: `scripts/test --fast` skips them

CTX = Context("aa", "spec", programs={"aa": "spec", "na": "na"})

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(allow_nan=True), st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
FIELDS = [
    "name",
    "slug",
    "day",
    "time",
    "end_time",
    "duration",
    "timezone",
    "latitude",
    "longitude",
    "coordinates",
    "approximate",
    "types",
    "languages",
    "conference_url",
    "conference_phone",
    "formatted_address",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "updated",
    "regions",
    "region",
    "contact_1_name",
    "feedback_emails",
    "notes",
    "program",
    "entity_url",
]
plausible = {
    "day": st.one_of(
        st.integers(-2, 9),
        st.sampled_from(["Monday", "sun", "7", "", "Funday"]),
        st.lists(st.integers(-1, 8), max_size=4),
    ),
    "time": st.one_of(
        st.sampled_from(["19:00", "7:30 PM", "25:99", "noon", "24:00", "12 am", ""]), st.text(max_size=8)
    ),
    "timezone": st.sampled_from(["America/New_York", "Asia/Kathmandu", "Mars/Base", "", "UTC"]),
    "latitude": st.one_of(st.floats(-200, 200), st.text(max_size=6)),
    "longitude": st.one_of(st.floats(-400, 400), st.text(max_size=6)),
}
rows = st.fixed_dictionaries({}, optional={f: plausible.get(f, values) for f in FIELDS})


def check_row(row):
    try:
        meetings = to_meetings(row, CTX)
    except RowSkip as skip:
        assert skip.message
        return
    for m in meetings:
        assert m["timezone"] and m["name"] and m["key"]
        assert m["weekday"] is None or 0 <= m["weekday"] <= 6


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_any_row_is_imported_or_skipped_with_a_reason(row):
    CTX.warnings = []
    check_row(row)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_feed_or_a_feed_error(body):
    for parse in (parse_json, parse_csv):
        try:
            feed = parse(body, "fuzz")
        except FeedError as exc:
            assert exc.code and exc.message
            continue
        for row in feed.rows:
            CTX.warnings = []
            check_row(row)


@settings(max_examples=150, deadline=None)
@given(st.lists(values, max_size=5))
def test_any_json_array_gives_rows_or_reasons(data):
    feed = parse_json(json.dumps(data).encode(), "fuzz")
    for row in feed.rows:
        CTX.warnings = []
        check_row(row)


bmlt_meeting = st.fixed_dictionaries(
    {},
    optional={
        k: st.text(max_size=10)
        for k in (
            "id_bigint",
            "meeting_name",
            "weekday_tinyint",
            "start_time",
            "duration_time",
            "formats",
            "venue_type",
            "latitude",
            "longitude",
            "time_zone",
            "published",
            "location_street",
            "service_body_bigint",
            "virtual_meeting_link",
        )
    },
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(bmlt_meeting, values), max_size=4), st.lists(values, max_size=3), st.lists(values, max_size=3)
)
def test_any_bmlt_answers_give_rows_or_reasons(meetings, formats, bodies):
    feed = parse_answers(meetings, formats, bodies)
    for row in feed.rows:
        CTX.warnings = []
        check_row(row)
