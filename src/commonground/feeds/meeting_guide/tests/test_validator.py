"""The feed validator: every rule, one row at a time."""

import json

import pytest

from commonground.feeds.errors import FeedError
from commonground.feeds.meeting_guide.validator import has_last_name, validate_bytes, validate_rows

OK = {
    "name": "Hope",
    "slug": "hope",
    "day": 1,
    "time": "19:00",
    "end_time": "20:00",
    "timezone": "America/Denver",
    "formatted_address": "1 A St, Denver, CO 80202, USA",
    "types": ["O", "D"],
    "approximate": "no",
}


def problems(row):
    result = validate_bytes(json.dumps([row]).encode(), "t")
    return [(p["field"], p["severity"]) for p in result["problems"]]


def test_a_good_row_has_no_problems():
    assert problems(OK) == []


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"slug": "has space"}, "slug"),
        ({"slug": "x" * 65}, "slug"),
        ({"day": 7}, "day"),
        ({"day": [1, 9]}, "day"),
        ({"time": "7:00 PM"}, "time"),
        ({"end_time": "24:00"}, "end_time"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"types": ["O", "ZZZ"]}, "types"),
        ({"approximate": True}, "approximate"),
        ({"updated": "yesterday"}, "updated"),
        ({"notes": "<b>bold</b>"}, "notes"),
        ({"conference_url": "https://example.net/x"}, "conference_url"),
        ({"conference_phone": "call me maybe"}, "conference_phone"),
        ({"latitude": 95.0, "longitude": 10.0}, "latitude"),
        ({"feedback_emails": ["not-an-email"]}, "feedback_emails"),
        ({"entity_email": "a@b.org"}, "entity"),
        ({"contact_1_name": "Robert Smith"}, "contact_1_name"),
        ({"formatted_address": ""}, "formatted_address"),
    ],
)
def test_each_rule(change, field):
    assert (field, "error") in problems({**OK, **change})


def test_missing_timezone_and_duplicate_slugs():
    result = validate_bytes(json.dumps([{**OK, "timezone": None}, OK, OK]).encode(), "t")
    fields = [p["field"] for p in result["problems"]]
    assert fields.count("slug") == 2 and "timezone" in fields


def test_long_names_are_only_a_warning():
    assert problems({**OK, "name": "N" * 80}) == [("name", "warning")]


def test_codes_are_checked_as_clients_read_them():
    # Clients read every code as a spec code, whatever "program" says: NA's own DISC means nothing to them.
    assert problems({**OK, "program": "na", "types": ["S", "D"]}) == []
    # O is a spec code, but TSML UI describes it in AA's words: a warning on another program's row.
    assert problems({**OK, "program": "na", "types": ["O", "S", "D"]}) == [("types", "warning")]
    assert ("types", "error") in problems({**OK, "program": "na", "types": ["DISC"]})
    na = [(p.field, p.severity) for p in validate_rows([{**OK, "types": ["DISC", "D"]}], "na")]
    assert na == [("types", "error")]  # with NA's table (validate --program na), D is the stranger


def test_not_an_array_is_a_feed_error():
    with pytest.raises(FeedError):
        validate_bytes(b'{"a": 1}', "t")


def test_last_name_rule():
    assert not has_last_name("Bill W.") and not has_last_name("Anne") and has_last_name("Anne Smith")
