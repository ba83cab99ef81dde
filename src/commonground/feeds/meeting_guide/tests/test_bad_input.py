"""Bad input gets a clear, structured error; the stored meetings stay exactly as they were."""

import json

import pytest

from commonground.feeds.errors import FeedError
from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.reader import parse
from commonground.meetings.models import Meeting, Source

GOOD = [
    {
        "name": "Keep It Simple",
        "slug": "kis",
        "day": 1,
        "time": "19:00",
        "timezone": "America/Chicago",
        "formatted_address": "1 Main St, Dallas, TX 75201, USA",
    }
]


def write(tmp_path, content, name="feed.json"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


@pytest.fixture
def stored(db, tmp_path):
    """A source that synced once, so each failure can be shown to leave it untouched."""
    location = write(tmp_path, json.dumps(GOOD))
    import_location(location, name="Dallas")
    return location


def snapshot():
    return list(Meeting.objects.order_by("key").values_list("key", "name", "content_hash"))


@pytest.mark.parametrize(
    "content, code, words",
    [
        ('[{"name": "x",', "syntax", "is not valid JSON"),
        ('{"meetings": []}', "shape", "a Meeting Guide feed is an array"),
        ('"just a string"', "shape", "a Meeting Guide feed is an array"),
        (b'[{"name": "Caf\xe9"}]', "encoding", "is not UTF-8"),
    ],
)
def test_a_broken_feed_fails_the_sync_and_keeps_the_old_meetings(stored, content, code, words):
    before = snapshot()
    with open(stored, "wb") as fh:
        fh.write(content if isinstance(content, bytes) else content.encode())
    report = import_location(stored, name="Dallas")
    assert report.failed and report.errors[0]["code"] == code
    assert words in report.errors[0]["message"]
    assert snapshot() == before
    source = Source.objects.get(name="Dallas")
    assert source.last_status == "failed" and words in source.last_error


def test_an_oversized_feed_is_refused(stored, settings):
    settings.FEED_MAX_BYTES = 1024
    with open(stored, "w") as fh:
        json.dump(GOOD * 50, fh)
    report = import_location(stored, name="Dallas")
    assert report.errors[0]["code"] == "too-large" and "FEED_MAX_BYTES" in report.errors[0]["message"]
    assert Meeting.objects.count() == 1


def test_a_missing_file(db, tmp_path):
    report = import_location(str(tmp_path / "nope.json"))
    assert report.errors == [{"code": "not-found", "message": f"There is no file at {tmp_path / 'nope.json'}."}]


@pytest.mark.slow
def test_http_errors_and_timeouts(stored, http_server, settings):
    settings.FEED_TIMEOUT_SECONDS = 1
    http_server.add("/gone.json", "not here", status=404, content_type="text/plain")
    http_server.add("/slow.json", json.dumps(GOOD), delay=3)
    report = import_location(f"{http_server.url}/gone.json")
    assert report.errors[0]["code"] == "http" and "HTTP 404" in report.errors[0]["message"]
    report = import_location(f"{http_server.url}/slow.json")
    assert report.errors[0]["code"] == "timeout" and "within 1 seconds" in report.errors[0]["message"]
    assert Meeting.objects.count() == 1


def test_an_unreachable_server(db, settings):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True  # loopback, port 9: nothing listens there
    report = import_location("http://127.0.0.1:9/feed.json")
    assert report.errors[0]["code"] in ("unreachable", "timeout")


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"day": 8}, "day", "day 8 is outside 0–6"),
        ({"day": -1}, "day", "outside 0–6"),
        ({"day": "Funday"}, "day", "not a weekday name"),
        ({"timezone": "Mars/Olympus"}, "timezone", "not an IANA time zone"),
        ({"time": "7pm-ish"}, "time", "not a time like"),
        ({"slug": ""}, "slug", "has no slug"),
    ],
)
def test_bad_rows_are_skipped_with_a_reason(db, tmp_path, change, field, words):
    rows = GOOD + [{**GOOD[0], "slug": "bad", **change}]
    report = import_location(write(tmp_path, json.dumps(rows)))
    assert report.added == 1 and report.skipped == 1
    problem = next(p for p in report.warnings if p.skipped)
    assert problem.field == field and words in problem.message


def test_out_of_range_coordinates_are_dropped_not_trusted(db, tmp_path):
    rows = [{**GOOD[0], "latitude": 123.4, "longitude": -96.8}]
    report = import_location(write(tmp_path, json.dumps(rows)))
    assert report.added == 1
    assert any(p.field == "latitude" and "out of range" in p.message for p in report.warnings)
    meeting = Meeting.objects.get()
    assert meeting.coordinates_source == "postal_code"  # placed by its ZIP instead


def test_a_script_tag_in_a_name_never_reaches_the_database(db, tmp_path):
    rows = [{**GOOD[0], "name": "Hope <script>document.location='https://evil.example'</script>Group"}]
    import_location(write(tmp_path, json.dumps(rows)))
    assert Meeting.objects.get().name == "Hope Group"


def test_rows_that_are_not_objects_are_skipped(db, tmp_path):
    report = import_location(write(tmp_path, json.dumps([1, "x", None, GOOD[0]])))
    assert report.added == 1 and report.skipped == 3


def test_parse_rejects_non_utf8_with_the_byte_position():
    with pytest.raises(FeedError) as info:
        parse(b'[{"name": "\xff"}]', "feed.json")
    assert "0xff at position 11" in info.value.message
