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
from commonground.meetings import types
from commonground.meetings.models import Meeting

EXPECTED = Path(__file__).parent / "expected-variants-export.json"
COMPARED = (
    "program_id",
    "name",
    "group",
    "notes",
    "weekday",
    "start_time",
    "duration_minutes",
    "timezone",
    "location",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "formatted_address",
    "approximate",
    "regions",
    "attendance_mode",
    "temporarily_closed",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "types",
    "languages",
    "tag_bits",
    "updated_at",
    "url",
    "entity",
    "entity_url",
    "contacts",
)


def export(**filters) -> str:
    out = io.StringIO()
    write_feed(feed_queryset(**filters), out)
    return out.getvalue()


def meetings_by_key(spec_only: bool = False):
    """Stored meetings by key. ``spec_only``: as Meeting Guide clients can know them, types reduced
    to the codes that have a spec equal (the others are, by design, not exported)."""
    rows = {}
    for m in Meeting.objects.select_related("program").order_by("key"):
        values = {f: getattr(m, f) for f in COMPARED}
        if spec_only:
            values["types"] = [c for c in m.types if types.spec_code(m.program.type_table, c)]
            values["tag_bits"] = types.bits_for(m.program.type_table, tuple(values["types"]))
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
    import time_machine

    with time_machine.travel("2026-11-01 12:00:00Z", tick=False):  # "updated" for rows that gave none
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
    first = meetings_by_key()  # every code comes back: program_types carries the program's own codes
    feed = tmp_path / "export.json"
    feed.write_text(export())
    Meeting.objects.all().delete()
    report = import_location(str(feed), name="round trip")
    assert report.skipped == 0 and not report.errors
    second = meetings_by_key()
    for key, values in first.items():  # our feed says when a row last changed; the source did not
        if values["updated_at"] is None and key in second:
            second[key]["updated_at"] = None
    if sample == "bmlt-bronx":  # BMLT ids become our slugs (name-id); compare by content instead
        for values in (*first.values(), *second.values()):
            values.pop("updated_at")  # BMLT gives none; our feed then says when the row last changed
        assert sorted(map(repr, first.values())) == sorted(map(repr, second.values()))
    else:
        assert second == first


def test_filters_by_program(imported):
    rows = json.loads(export(program="na"))
    assert len(rows) == 113 and {r["program"] for r in rows} == {"na"}


def test_no_last_names_and_no_html_go_out(db, tmp_path):
    feed = tmp_path / "f.json"
    feed.write_text(
        json.dumps(
            [
                {
                    "name": "<i>Hope</i>",
                    "slug": "hope",
                    "day": 2,
                    "time": "19:00",
                    "timezone": "America/Denver",
                    "formatted_address": "1 A St, Denver, CO 80202, USA",
                    "contact_1_name": "Robert Smith",
                    "contact_1_email": "bob@example.org",
                    "notes": "<p>Side door</p>",
                }
            ]
        )
    )
    import_location(str(feed))
    row = json.loads(export())[0]
    assert row["name"] == "Hope" and row["notes"] == f"{row['program_notes']}\nSide door"
    assert row["contact_1_name"] == "Robert S."


def test_each_programs_codes_go_out_only_as_the_spec_code_with_the_same_meaning():
    from commonground.catalog.loader import program_type_tables

    spec = types.type_table("spec")
    for table in set(program_type_tables().values()):
        for code, info in types.type_table(table).items():
            out = types.spec_code(table, code)
            if out is None:
                continue
            # The same meaning: the same unified tags, and the spec's name or a listed synonym.
            assert spec[out].tags == info.tags, (table, code, out)
            name = info.name.strip().lower()
            assert spec[out].name.lower() in (name, types.SPEC_SYNONYMS.get(name)), (table, code, out)
    assert types.spec_code("al-anon", "C") is None, "Families and Friends Only is not AA's Closed"
    assert types.spec_code("al-anon", "Y") is None, "Alateen is not Young People"
    assert (
        types.spec_code("na", "DISC"),
        types.spec_code("na", "SPK"),
        types.spec_code("na", "STEP"),
        types.spec_code("na", "BEG"),
        types.spec_code("na", "X"),
    ) == ("D", "SP", "ST", "BE", "X")


def test_every_programs_table_round_trips_through_the_spec_codes(db, tmp_path):
    """Each program: a meeting with every code of its table goes out and comes back (into a new
    source) with the same program, the same codes, meaning (tags) and languages. Clients get only
    the codes that have a spec equal; our importer reads the program's own (program_types)."""
    from commonground.catalog.loader import program_type_tables
    from commonground.catalog.models import Program
    from commonground.meetings.models import Source

    source = Source.objects.create(name="Every code", format="meeting-guide")
    for n, (program, table) in enumerate(sorted(program_type_tables().items())):
        codes = sorted(types.type_table(table))
        Meeting(
            program=Program.objects.get(code=program),
            source=source,
            key=program,
            slug=f"every-{program}",
            name=f"Every {program} code",
            weekday=n % 7,
            start_time="19:00",
            timezone="America/Chicago",
            formatted_address="1 Main St, Dallas, TX 75201, USA",
            address="1 Main St",
            city="Dallas",
            types=[c for c in codes if not types.type_table(table)[c].language and c != "O"],  # C wins over O
            languages=sorted(
                {types.type_table(table)[c].language for c in codes if types.type_table(table)[c].language}
                & {"es", "fr", "en"}
            ),
        ).save()
    feed = tmp_path / "ours.json"
    feed.write_text(export())
    assert validate_bytes(feed.read_bytes(), "ours")["problems"] == []
    import_location(str(feed), name="Read back")
    back = {m.program_id: m for m in Meeting.objects.filter(source__name="Read back")}
    for m in Meeting.objects.filter(source=source).select_related("program"):
        table = m.program.type_table
        kept = [c for c in m.types if c != types.ONLINE_CODE]  # ONL is worked out from the links again
        returned = back[m.program_id]
        assert returned.types == kept, m.program_id
        assert returned.tags == types.tags_from_bits(types.bits_for(table, tuple(kept))), m.program_id
        assert sorted(returned.languages) == sorted(m.languages), m.program_id
        # Read back into the program's own table (spec BA -> Recovery Dharma's CC), meaning kept.
        assert {types.spec_code(table, c) for c in returned.types} == {types.spec_code(table, c) for c in kept}, (
            m.program_id
        )
