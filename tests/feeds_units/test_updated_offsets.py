"""A feed's ``updated`` time with a UTC offset is read at that offset (found by issue 28's tests: the
offset was dropped, and a stamp written in Madrid at 14:32 read as 14:32 UTC, two hours late)."""

from datetime import UTC, datetime

import pytest

from commonground.feeds.fields import parse_updated


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-05-31T14:32:23+02:00", datetime(2024, 5, 31, 12, 32, 23, tzinfo=UTC)),
        ("2024-05-31T14:32:23-05:00", datetime(2024, 5, 31, 19, 32, 23, tzinfo=UTC)),
        ("2024-05-31 14:32:23 +0530", datetime(2024, 5, 31, 9, 2, 23, tzinfo=UTC)),
        ("2024-05-31T14:32:23.250Z", datetime(2024, 5, 31, 14, 32, 23, tzinfo=UTC)),
        ("2024-05-31T00:10:00+01:00", datetime(2024, 5, 30, 23, 10, tzinfo=UTC)),
        ("2024-05-31 14:32:23", datetime(2024, 5, 31, 14, 32, 23, tzinfo=UTC)),  # the spec's form: UTC
        ("20240531 14:32", None),
    ],
)
def test_an_offset_is_applied_and_a_stamp_without_one_is_utc(text, utc):
    assert parse_updated(text) == utc


def test_an_offset_no_zone_has_is_not_read():
    assert parse_updated("2024-05-31T14:32:23+25:00") is None
