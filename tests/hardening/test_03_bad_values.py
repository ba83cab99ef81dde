"""Item 3: one bad value never aborts a source, and `sync` goes on past a failed source.

Each value below used to raise out of a row parser (a traceback, the source still "ok", every
later source unsynced). Now each bad row is skipped with a reason and the good row is imported.
"""

import json
import string
import sys

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.feeds import normalize
from commonground.feeds.bmlt.reader import parse_answers
from commonground.feeds.errors import FeedError, RowSkip
from commonground.feeds.fields import Context
from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.reader import parse as parse_json
from commonground.feeds.normalize import to_meetings
from commonground.feeds.tsml_csv.reader import parse as parse_csv
from commonground.meetings.models import Meeting, Source
from tests.hardening.conftest import good_row
from tests.tiers import sweep

HOSTILE_DAYS = ["²", "--1", "9" * 5000, "٣", "1_0", "+-2", "6.0.0", "\u0661"]
HOSTILE_DURATIONS = ["1e999", "-1e999", "NaN", "²0", "9" * 5000, "0x10"]


@pytest.mark.django_db
@sweep("day", HOSTILE_DAYS)
def test_item03_a_hostile_day_skips_only_its_row(feed_path, day):
    report = import_location(feed_path([good_row("bad", day=day), good_row("ok")]))
    assert not report.failed and report.added == 1 and report.skipped == 1
    skipped = [w for w in report.warnings if w.skipped]
    assert skipped[0].key == "bad" and skipped[0].field == "day" and len(skipped[0].message) < 200


@pytest.mark.django_db
@sweep("duration", HOSTILE_DURATIONS)
def test_item03_a_hostile_duration_is_ignored_with_a_warning(feed_path, duration):
    report = import_location(feed_path([good_row("ok", duration=duration)]))
    assert report.added == 1 and Meeting.objects.get().duration_minutes is None
    assert any(w.field == "duration" for w in report.warnings)


@pytest.mark.django_db
@sweep("raw_number", ["1e400", "-1e400", "9" * 5000, "-" + "9" * 4400, "1" + "0" * 30])
def test_item03_json_numbers_out_of_range_skip_the_row_not_the_feed(feed_path, raw_number):
    rows = json.dumps([good_row("bad"), good_row("ok")]).replace('"day": 1', f'"day": {raw_number}', 1)
    report = import_location(feed_path(None, raw=rows))
    assert not report.failed and report.added == 1 and report.skipped == 1
    raw = json.dumps([good_row("odd")]).replace('"day": 1', f'"day": 1, "duration": {raw_number}', 1)
    assert import_location(feed_path(None, raw=raw)).added == 1


@pytest.mark.django_db
def test_item03_csv_hostile_values(feed_path):
    sheet = (
        "ID,Name,Day,Time,Duration,Address,Timezone\n"
        'a,Bad day,²,19:00,60,"1 Main St, Dallas, TX 75201, USA",America/Chicago\n'
        f'b,Long day,{"9" * 5000},19:00,60,"1 Main St, Dallas, TX 75201, USA",America/Chicago\n'
        'c,Bad time,1,²9:00,60,"1 Main St, Dallas, TX 75201, USA",America/Chicago\n'
        'd,Good,1,19:00,1e999,"1 Main St, Dallas, TX 75201, USA",America/Chicago\n'
    )
    report = import_location(feed_path(None, raw=sheet, suffix=".csv"))
    assert not report.failed and report.added == 1 and report.skipped == 3


@pytest.mark.django_db
def test_item03_bmlt_hostile_weekday_and_duration(tmp_path):
    meetings = [
        {
            "id_bigint": "1",
            "meeting_name": "Bad weekday",
            "weekday_tinyint": "²",
            "start_time": "19:00:00",
            "time_zone": "America/New_York",
            "location_street": "1 A St",
            "location_municipality": "Bronx",
            "location_province": "NY",
            "location_postal_code_1": "10451",
        },
        {
            "id_bigint": "2",
            "meeting_name": "Bad duration",
            "weekday_tinyint": "2",
            "start_time": "19:00:00",
            "duration_time": "01:³0:00",
            "time_zone": "America/New_York",
            "location_street": "1 A St",
            "location_municipality": "Bronx",
            "location_province": "NY",
            "location_postal_code_1": "10451",
        },
    ]
    (tmp_path / "GetSearchResults.json").write_text(json.dumps(meetings))
    (tmp_path / "GetFormats.json").write_text("[]")
    report = import_location(str(tmp_path))
    assert not report.failed and report.added == 1 and report.skipped == 1
    assert Meeting.objects.get().duration_minutes is None


@pytest.mark.django_db
def test_item03_sync_records_a_failed_source_and_goes_on(feed_path, monkeypatch):
    import_location(feed_path([good_row("a")]), name="A")
    import_location(feed_path([good_row("b")]), name="B")
    Meeting.objects.update(source_hash="")  # make the next sync read every row again
    real = normalize.to_meetings

    def crash_for_a(row, ctx):
        if row.get("slug") == "a":
            raise RuntimeError("a bug nobody foresaw")
        return real(row, ctx)

    monkeypatch.setattr("commonground.feeds.parallel.to_meetings", crash_for_a)
    monkeypatch.setattr("commonground.feeds.sync._Pass._check", lambda *a, **k: None)
    Meeting.objects.filter(key="b").update(name="Stale", content_hash="stale")
    with pytest.raises(SystemExit) as exit_info:
        call_command("sync", "--full", stdout=sys.stdout, stderr=sys.stderr)
    assert exit_info.value.code == 1
    a, b = Source.objects.get(name="A"), Source.objects.get(name="B")
    assert a.last_status == "failed" and "unexpected error" in a.last_error
    assert b.last_status == "ok" and Meeting.objects.get(key="b").name == "Good Group", "B was still synced"


# --- property tests: arbitrary Unicode and number strings in every field of every format -------

CTX = Context("aa", "spec", programs={"aa": "spec", "na": "na"})
number_text = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=string.digits + "-+.eE_", max_size=12),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6),
    st.sampled_from(["9" * 5000, "1e999", "²", "--1", "NaN", "Infinity", "01:³0:00", "²3:00"]),
)
anything = st.one_of(
    number_text,
    st.text(max_size=40),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.none(),
    st.booleans(),
    st.lists(st.one_of(number_text, st.integers(-9, 9)), max_size=3),
)
MG_FIELDS = [
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
    "notes",
    "program",
    "entity_url",
    "feedback_url",
    "feedback_emails",
    "contact_1_name",
    "contact_1_email",
    "website",
    "venmo",
    "entity_email",
]
MG_OPTIONAL = [f for f in MG_FIELDS if f not in ("slug", "name")]


def only_row_skips(rows):
    for row in rows:
        CTX.warnings = []
        try:
            to_meetings(row, CTX)
        except RowSkip:
            pass


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({"slug": st.just("s"), "name": st.just("N")}, optional={f: anything for f in MG_OPTIONAL}))
def test_item03_property_any_meeting_guide_row_is_imported_or_skipped(row):
    only_row_skips([row])
    only_row_skips(parse_json(json.dumps([row], default=str).encode(), "fuzz").rows)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(*[st.one_of(number_text, st.text(max_size=20))] * 6), min_size=1, max_size=3))
def test_item03_property_any_csv_row_is_imported_or_skipped(lines):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ID", "Name", "Day", "Time", "Duration", "Timezone"])
    writer.writerows(lines)
    try:
        only_row_skips(parse_csv(out.getvalue().encode(), "fuzz").rows)
    except FeedError:
        pass  # a sheet the csv module cannot read is a clear feed error, never a crash


BMLT_FIELDS = [
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
    "phone_meeting_number",
    "location_postal_code_1",
    "contact_name_1",
]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries({}, optional={f: st.one_of(number_text, st.text(max_size=20)) for f in BMLT_FIELDS}),
        max_size=3,
    )
)
def test_item03_property_any_bmlt_row_is_imported_or_skipped(meetings):
    only_row_skips(parse_answers(meetings, [], []).rows)
