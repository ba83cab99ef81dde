"""Our exported feed: validator-clean, lossless for what we store, one query, stable output."""

import io
import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.validator import validate_bytes
from commonground.feeds.meeting_guide.writer import feed_queryset, write_feed
from commonground.meetings.models import Meeting

EXPECTED = Path(__file__).parent / "expected-variants-export.json"
COMPARED = ("program_id", "name", "group", "notes", "weekday", "start_time", "duration_minutes", "timezone",
            "location", "address", "city", "region", "postal_code", "country", "formatted_address", "approximate",
            "regions", "attendance_mode", "temporarily_closed", "conference_url", "conference_url_notes",
            "conference_phone", "conference_phone_notes", "types", "languages", "tag_bits", "updated_at", "url",
            "entity", "entity_url", "contacts")


def export(**filters) -> str:
    out = io.StringIO()
    write_feed(feed_queryset(**filters), out)
    return out.getvalue()


def meetings_by_key():
    rows = {}
    for m in Meeting.objects.order_by("key"):
        values = {f: getattr(m, f) for f in COMPARED}
        if m.coordinates_source == "feed":
            values["coordinates"] = (round(m.latitude, 6), round(m.longitude, 6))
        rows[m.key] = values
    return rows


@pytest.fixture
def imported(db, samples):
    for name in ("meeting-guide-variants.json", "tsml-template-san-jose.csv", "bmlt-bronx"):
        import_location(str(samples / name))


def test_the_export_passes_the_validator(imported):
    result = validate_bytes(export().encode(), "export")
    assert result["problems"] == [] and result["meetings"] == Meeting.objects.count()


def test_the_export_matches_the_stored_expected_file(db, samples):
    import_location(str(samples / "meeting-guide-variants.json"))
    produced = json.loads(export())
    if os.environ.get("CG_UPDATE_EXPECTED"):  # regenerate deliberately, then review the diff
        EXPECTED.write_text(json.dumps(produced, indent=1, ensure_ascii=False) + "\n")
    assert produced == json.loads(EXPECTED.read_text())


def test_export_reads_the_programs_and_the_meetings_once_each(imported):
    with CaptureQueriesContext(connection) as queries:
        export()
    assert len(queries) == 2  # the program tables, then the meetings in chunks from one cursor


@pytest.mark.parametrize("sample", ["meeting-guide-variants.json", "tsml-template-san-jose.csv", "bmlt-bronx"])
def test_round_trip_import_export_import_gives_the_same_meetings(db, samples, tmp_path, sample):
    import_location(str(samples / sample))
    first = meetings_by_key()
    feed = tmp_path / "export.json"
    feed.write_text(export())
    Meeting.objects.all().delete()
    report = import_location(str(feed), name="round trip")
    assert report.skipped == 0 and not report.errors
    second = meetings_by_key()
    if sample == "bmlt-bronx":  # BMLT ids become our slugs (name-id); compare by content instead
        assert sorted(map(repr, first.values())) == sorted(map(repr, second.values()))
    else:
        assert second == first


def test_filters_by_program(imported):
    rows = json.loads(export(program="na"))
    assert len(rows) == 113 and {r["program"] for r in rows} == {"na"}


def test_no_last_names_and_no_html_go_out(db, tmp_path):
    feed = tmp_path / "f.json"
    feed.write_text(json.dumps([{
        "name": "<i>Hope</i>", "slug": "hope", "day": 2, "time": "19:00", "timezone": "America/Denver",
        "formatted_address": "1 A St, Denver, CO 80202, USA", "contact_1_name": "Robert Smith",
        "contact_1_email": "bob@example.org", "notes": "<p>Side door</p>",
    }]))
    import_location(str(feed))
    row = json.loads(export())[0]
    assert row["name"] == "Hope" and row["notes"] == "Side door"
    assert row["contact_1_name"] == "Robert S."
