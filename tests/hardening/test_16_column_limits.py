"""Issue 25, item 3: one over-long or unstorable value never fails a whole source's sync.

Text was cut to 500 characters, but the columns hold 32–255 (`state` and the key were not cut at
all). SQLite stored the long value; PostgreSQL refused the COPY, the sync failed, and after
SOURCE_DISCONNECT_DAYS the region left search. Now every limit is read from the model; text is
cut to its column on a character (grapheme) boundary with a warning, a value that a cut would make
wrong (a link, an e-mail address, a phone number) is dropped with a warning, and a key that does
not fit skips its row (a cut key could collide with another). Found alongside: NUL, which
PostgreSQL cannot store in text or JSON, and lone surrogates (from JSON escapes), which neither
database can encode, failed the whole source the same way, on PostgreSQL or on both.

The database tests run on SQLite and, with DATABASE_URL set, on PostgreSQL (`.ci/run` runs both).
"""

import csv
import io
import json

import pytest
from django.db.models import CharField
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.catalog.models import Program
from commonground.feeds import columns
from commonground.feeds.bmlt.reader import parse_answers
from commonground.feeds.errors import RowSkip
from commonground.feeds.fields import Context, make_slug
from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.reader import parse as parse_json
from commonground.feeds.normalize import to_meetings
from commonground.feeds.sync import NORMALIZE_VERSION
from commonground.feeds.tsml_csv.reader import parse as parse_csv
from commonground.meetings import schedule
from commonground.meetings.models import Meeting, Source
from tests.hardening.conftest import good_row
from tests.tiers import sweep

# Accents written both ways, a flag, a family joined by zero-width joiners, CJK: many bytes each,
# and graphemes of several code points that a cut must not split.
LONG = "Café Cafe\u0301 🇫🇷 👩\u200d👩\u200d👧 東京 " * 150
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".example"  # valid, and over 255 characters
LONG_PHONE = "+1 555 123 4567 " * 20

CHAR_LIMIT = {f.attname: f.max_length for f in Meeting._meta.concrete_fields if isinstance(f, CharField)}
# feed field -> (column, the value sent, cut or dropped)
MG_CASES = {
    "name": ("name", LONG, "cut"),
    "group": ("group", LONG, "cut"),
    "location": ("location", LONG, "cut"),
    "address": ("address", LONG, "cut"),
    "city": ("city", LONG, "cut"),
    "state": ("region", LONG, "cut"),
    "postal_code": ("postal_code", LONG, "cut"),
    "country": ("country", LONG, "cut"),
    "formatted_address": ("formatted_address", LONG, "cut"),
    "entity": ("entity", LONG, "cut"),
    "entity_location": ("entity_location", LONG, "cut"),
    "entity_phone": ("entity_phone", LONG_PHONE, "dropped"),
    "entity_email": ("entity_email", LONG_EMAIL, "dropped"),
    "conference_phone": ("conference_phone", LONG_PHONE * 10, "dropped"),
    "url": ("url", "https://example.org/" + "a" * 2000, "dropped"),
}
BMLT_NAMES = {
    "name": "meeting_name",
    "location": "location_text",
    "address": "location_street",
    "city": "location_municipality",
    "state": "location_province",
    "postal_code": "location_postal_code_1",
    "country": "location_nation",
    "conference_phone": "phone_meeting_number",
}


def mg_feed(feed_path, *rows):
    return feed_path(list(rows))


def csv_feed(feed_path, *rows):
    headers = sorted({k for row in rows for k in row} - {"types"})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row[h] for h in headers])
    return feed_path(None, raw=out.getvalue(), suffix=".csv")


def bmlt_meeting(id_, **fields):
    meeting = {
        "id_bigint": id_,
        "meeting_name": "Good Group",
        "weekday_tinyint": "2",
        "start_time": "19:00:00",
        "time_zone": "America/New_York",
        "location_street": "1 A St",
        "location_municipality": "Bronx",
        "location_province": "NY",
        "location_postal_code_1": "10451",
    }
    meeting.update(fields)
    return meeting


def bmlt_feed(tmp_path, *meetings):
    (tmp_path / "GetSearchResults.json").write_text(json.dumps(list(meetings)))
    (tmp_path / "GetFormats.json").write_text("[]")
    return str(tmp_path)


def stored_fits(meeting: Meeting):
    for column, limit in CHAR_LIMIT.items():
        value = getattr(meeting, column)
        assert value is None or len(value) <= limit, f"{column} holds {len(value)} characters"


def check_cut_or_dropped(report, field, column, sent, how):
    assert not report.failed, report.errors
    assert report.added == 2 and report.skipped == 0
    meeting = Meeting.objects.get(key="long")
    stored = getattr(meeting, column)
    stored_fits(meeting)
    warning = next(w for w in report.warnings if w.key == "long" and w.field == field)
    if how == "cut":
        assert 0 < len(stored) <= CHAR_LIMIT[column] and " ".join(sent.split()).startswith(stored)
        assert len(stored) > CHAR_LIMIT[column] - 12, "cut at the limit, less at most a grapheme and a space"
        assert f"cut to {CHAR_LIMIT[column]} characters" in warning.message
    else:
        assert stored == "" and "dropped" in warning.message
    assert Source.objects.get().last_status == "warnings"


@pytest.mark.django_db
@sweep("field", MG_CASES)
def test_item25_3_meeting_guide_long_text_is_cut_to_its_column(feed_path, field):
    column, sent, how = MG_CASES[field]
    report = import_location(mg_feed(feed_path, good_row("long", **{field: sent}), good_row("ok")))
    check_cut_or_dropped(report, field, column, sent, how)


@pytest.mark.django_db
@sweep("field", MG_CASES)
def test_item25_3_csv_long_text_is_cut_to_its_column(feed_path, field):
    column, sent, how = MG_CASES[field]
    report = import_location(csv_feed(feed_path, good_row("long", **{field: sent}), good_row("ok")))
    check_cut_or_dropped(report, field, column, sent, how)


@pytest.mark.django_db
@sweep("field", BMLT_NAMES)
def test_item25_3_bmlt_long_text_is_cut_to_its_column(tmp_path, field):
    column, sent, how = MG_CASES[field]
    report = import_location(bmlt_feed(tmp_path, bmlt_meeting("long", **{BMLT_NAMES[field]: sent}), bmlt_meeting("ok")))
    check_cut_or_dropped(report, field, column, sent, how)


@pytest.mark.django_db
def test_item25_3_every_text_field_long_at_once(feed_path):
    row = good_row("long", **{field: sent for field, (_, sent, _) in MG_CASES.items()})
    row.update(notes=LONG * 20, contact_1_name=LONG, venmo="@" + "v" * 1000, regions=[LONG], group_notes=LONG)
    report = import_location(mg_feed(feed_path, row, good_row("ok")))
    assert not report.failed and report.added == 2
    stored_fits(Meeting.objects.get(key="long"))
    assert {w.field for w in report.warnings if w.key == "long"} >= set(MG_CASES)


KEY_LIMIT = CHAR_LIMIT["key"]


@pytest.mark.django_db
@pytest.mark.parametrize("make_feed", ["json", "csv"])
def test_item25_3_a_key_too_long_skips_only_its_row(feed_path, make_feed):
    write = mg_feed if make_feed == "json" else csv_feed
    fits, too_long = "k" * KEY_LIMIT, "k" * (KEY_LIMIT + 1)
    report = import_location(write(feed_path, good_row(too_long), good_row(fits), good_row("ok")))
    assert not report.failed and report.added == 2 and report.skipped == 1
    skipped = next(w for w in report.warnings if w.skipped)
    assert skipped.field == "slug" and "at most 255" in skipped.message and len(skipped.key) <= KEY_LIMIT + 1
    assert Meeting.objects.filter(key=fits).exists()


@pytest.mark.django_db
def test_item25_3_a_key_made_too_long_by_its_day_skips_only_its_row(feed_path):
    # A meeting on several days is stored once a day, keyed "<slug>-<day>".
    report = import_location(
        mg_feed(
            feed_path,
            good_row("k" * (KEY_LIMIT - 1), day=[1, 2]),
            good_row("k" * (KEY_LIMIT - 2), day=[3, 4]),
            good_row("ok"),
        )
    )
    assert not report.failed and report.added == 3 and report.skipped == 1
    assert Meeting.objects.filter(key="k" * (KEY_LIMIT - 2) + "-3").exists()


@pytest.mark.django_db
def test_item25_3_bmlt_a_key_too_long_skips_only_its_row(tmp_path):
    report = import_location(bmlt_feed(tmp_path, bmlt_meeting("9" * (KEY_LIMIT + 1)), bmlt_meeting("1")))
    assert not report.failed and report.added == 1 and report.skipped == 1


# --- what no database can store: NUL (PostgreSQL) and lone surrogates (both) ----------------


def raw_row(slug, **escaped):
    """A Meeting Guide row as JSON text, with values given as JSON source (escapes kept)."""
    text = json.dumps(good_row(slug))[:-1]
    return text + "".join(f', "{k}": {v}' for k, v in escaped.items()) + "}"


UNSTORABLE = {
    "location": '"a\\u0000b"',
    "name": '"N\\u0000ame\\ud800"',
    "notes": '"line\\u0000\\udc00"',
    "regions": '["North\\u0000", "\\ud83d"]',
    "types": '["O", "Q\\u0000"]',
    "venmo": '"@a\\u0000b"',
    "contact_1_name": '"Ann\\u0000 B"',
    "entity_email": '"a@b\\ud800.example"',
    "feedback_emails": '["x@y\\ud800.org"]',
    "group_notes": '"\\u0000"',
    "languages": '["e\\u0000", "es"]',
    "postal_code": '"\\ud800\\u0000"',
}


@pytest.mark.django_db
@sweep("field", UNSTORABLE)
def test_item25_3_nul_and_lone_surrogates_never_fail_the_source(feed_path, field):
    raw = "[" + raw_row("odd", **{field: UNSTORABLE[field]}) + "," + json.dumps(good_row("ok")) + "]"
    report = import_location(feed_path(None, raw=raw))
    assert not report.failed, report.errors
    assert report.added == 2
    meeting = Meeting.objects.get(key="odd")
    for f in Meeting._meta.concrete_fields:
        text = json.dumps(getattr(meeting, f.attname), default=str, ensure_ascii=False)
        assert "\x00" not in text and "\\u0000" not in text
        text.encode("utf-8")  # no lone surrogate
    assert Source.objects.get().last_warnings is not None


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ['"k\\u0000"', '"k\\udc00"'])
def test_item25_3_a_key_that_cannot_be_stored_skips_only_its_row(feed_path, slug):
    raw = (
        "["
        + json.dumps(good_row("x"))[:-1].replace('"slug": "x"', f'"slug": {slug}')
        + "},"
        + json.dumps(good_row("ok"))
        + "]"
    )
    report = import_location(feed_path(None, raw=raw))
    assert not report.failed and report.added == 1 and report.skipped == 1
    stored = json.dumps(Source.objects.get().last_warnings)
    assert "\\u0000" not in stored and "\\udc00" not in stored.lower()


@pytest.mark.django_db
def test_item25_3_nul_in_csv_and_bmlt(feed_path, tmp_path):
    report = import_location(csv_feed(feed_path, good_row("odd", location="a\x00b", notes="\x00"), good_row("ok")))
    assert not report.failed and report.added == 2
    assert Meeting.objects.get(key="odd").location == "ab"
    bmlt = bmlt_feed(
        tmp_path, bmlt_meeting("7", location_text="x\x00y", formats="O,\x00", worldid_mixed="\x00"), bmlt_meeting("8")
    )
    report = import_location(bmlt)
    assert not report.failed and report.added == 2
    assert Meeting.objects.get(key="7").location == "xy"


# --- the other table a sync writes -----------------------------------------------------------


@pytest.mark.django_db
def test_item25_3_a_sources_default_name_fits_its_column(tmp_path):
    path = tmp_path / ("f" * 240 + ".json")
    path.write_text(json.dumps([good_row("ok")]))
    report = import_location(str(path))
    assert not report.failed, report.errors
    assert len(Source.objects.get().name) <= Source._meta.get_field("name").max_length


@pytest.mark.django_db
def test_item25_3_stored_warnings_are_storable(feed_path):
    # A warning quotes what a feed sent: the unknown type code "Q<NUL>" went into last_warnings.
    raw = "[" + raw_row("odd", types='["Q\\u0000\\ud800"]') + "]"
    report = import_location(feed_path(None, raw=raw))
    assert not report.failed and report.added == 1
    stored = Source.objects.get().last_warnings
    assert stored and any("Q" in w["message"] for w in stored)
    assert "\\u0000" not in json.dumps(stored) and "\\ud800" not in json.dumps(stored)


# --- every limit comes from the model ---------------------------------------------------------

CTX = Context("aa", "spec", default_timezone="America/Chicago", programs={"aa": "spec", "na": "na"})


def test_item25_3_the_limits_are_read_from_the_model(monkeypatch):
    field = Meeting._meta.get_field("city")
    monkeypatch.setattr(field, "max_length", 10)
    columns.clear_cache()
    try:
        CTX.warnings = []
        [meeting] = to_meetings(good_row("s", city="Llanfairpwllgwyngyll"), CTX)
        assert meeting["city"] == "Llanfairpw" and any(f == "city" for f, _ in CTX.warnings)
    finally:
        monkeypatch.undo()
        columns.clear_cache()


def test_item25_3_values_the_sync_makes_fit_their_columns():
    assert max(map(len, schedule.valid_zone_names())) <= CHAR_LIMIT["timezone"]
    assert 64 + len("-s") + 12 + len("-999999") <= CHAR_LIMIT["slug"], "make_slug's 64, and the fallback's suffixes"
    # Source.last_feed_digest: the body's SHA-256, then the program, its table, the zone, the version.
    program = Program._meta
    longest = 64 + len(
        "|".join(
            [
                "",
                "p" * program.get_field("code").max_length,
                "t" * program.get_field("type_table").max_length,
                "z" * Source._meta.get_field("default_timezone").max_length,
                NORMALIZE_VERSION,
            ]
        )
    )
    assert longest <= Source._meta.get_field("last_feed_digest").max_length


# --- property tests over every text field of every format (no database: fast) ------------------

any_char = st.characters(codec=None, categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf", "Cs", "Co"])
text = st.one_of(
    st.text(any_char, max_size=30),
    st.tuples(st.text(any_char, min_size=1, max_size=8), st.integers(1, 400)).map(lambda t: t[0] * t[1]),
)


def assert_storable_and_fits(meetings):
    for meeting in meetings:
        meeting["slug"] = make_slug(meeting.pop("slug_hint") or meeting["key"])  # as the sync makes it
        for key, value in meeting.items():
            if isinstance(value, str) and key in CHAR_LIMIT:
                assert len(value) <= CHAR_LIMIT[key], f"{key}: {len(value)} > {CHAR_LIMIT[key]}"
            as_json = json.dumps(value, default=str, ensure_ascii=False)
            assert "\x00" not in as_json and "\\u0000" not in as_json, key
            as_json.encode("utf-8")


def read_all(rows):
    for row in rows:
        CTX.warnings = []
        try:
            assert_storable_and_fits(to_meetings(row, CTX))
        except RowSkip:
            pass


MG_TEXT = [
    "slug",
    "name",
    "group",
    "location",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "formatted_address",
    "entity",
    "entity_location",
    "entity_phone",
    "entity_email",
    "conference_phone",
    "conference_url",
    "url",
    "notes",
    "location_notes",
    "venmo",
    "website",
    "contact_1_name",
    "contact_1_email",
    "contact_1_phone",
    "feedback_url",
    "entity_url",
    "group_notes",
    "district",
]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"slug": text, "name": text},
        optional={
            **{f: text for f in MG_TEXT[2:]},
            "types": st.lists(text, max_size=3),
            "regions": st.lists(text, max_size=3),
            "languages": st.lists(text, max_size=3),
            "feedback_emails": st.lists(text, max_size=2),
            "day": st.sampled_from([1, [1, 2], None]),
        },
    )
)
def test_item25_3_property_meeting_guide_rows_fit_and_store(row):
    read_all([{"time": "19:00", "day": 1, **row}])
    read_all(parse_json(json.dumps([row], default=str).encode("utf-8", "surrogatepass"), "fuzz").rows)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                f: text.map(lambda t: t.encode("utf-8", "replace").decode())
                for f in [
                    "ID",
                    "Name",
                    "Location",
                    "Address",
                    "City",
                    "State",
                    "Postal Code",
                    "Country",
                    "Group",
                    "Entity",
                    "Conference Phone",
                    "Notes",
                ]
            }
        ),
        min_size=1,
        max_size=2,
    )
)
def test_item25_3_property_csv_rows_fit_and_store(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*rows[0], "Day", "Time"])
    writer.writeheader()
    writer.writerows([{**row, "Day": "1", "Time": "19:00"} for row in rows])
    read_all(parse_csv(out.getvalue().encode(), "fuzz").rows)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                f: text
                for f in [
                    "id_bigint",
                    "meeting_name",
                    "location_text",
                    "location_street",
                    "location_municipality",
                    "location_province",
                    "location_postal_code_1",
                    "location_nation",
                    "phone_meeting_number",
                    "comments",
                    "formats",
                    "worldid_mixed",
                    "contact_name_1",
                    "contact_email_1",
                    "virtual_meeting_link",
                ]
            }
        ),
        min_size=1,
        max_size=2,
    )
)
def test_item25_3_property_bmlt_rows_fit_and_store(meetings):
    read_all(parse_answers([{"weekday_tinyint": "2", "start_time": "19:00:00", **m} for m in meetings], [], []).rows)
