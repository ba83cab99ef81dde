"""Issue 27: `commonground check-clients` judges what TSML UI (from our Meeting Guide feed) and
crouton (from our BMLT API) would show of every meeting, and runs in CI on the demo data, the San
Jose CSV, the Bronx BMLT sample and the Meeting Guide variants, expecting no misleading row."""

import io

import pytest
from django.core.management import call_command

from commonground.api.bmlt import formats as bmlt_formats
from commonground.api.clients import check, judge_crouton, judge_tsml
from commonground.catalog.models import Program
from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.selection import FeedSelection
from commonground.feeds.meeting_guide.writer import meeting_to_feed

SAMPLES = ["demo", "tsml-template-san-jose.csv", "bmlt-bronx", "meeting-guide-variants.json"]


def row_of(m):
    """The meeting as the feed writer reads it (the same selection the feed is built from)."""
    return next(r for r in FeedSelection(ids=frozenset({m.pk})))


def reasons(found):
    return {reason for reason, _ in found}


@pytest.mark.django_db
def test_tsml_ui_judge_sees_what_the_tester_saw(make_meeting):
    naranon = row_of(make_meeting(program=Program.objects.get(code="nar-anon"), types=["C"]))
    as_before = {**meeting_to_feed(naranon), "types": ["C"], "notes": ""}  # the feed before issue 27
    assert reasons(judge_tsml(naranon, as_before)) == {"fellowship_not_shown", "other_program_rule"}
    assert judge_tsml(naranon, meeting_to_feed(naranon)) == []

    alateen = row_of(make_meeting(program=Program.objects.get(code="al-anon"), types=["Y", "C"]))
    as_before = {**meeting_to_feed(alateen), "types": [], "notes": "Al-Anon meeting."}
    assert {d for r, d in judge_tsml(alateen, as_before) if r == "own_type_lost"} == {
        "Y (Alateen)",
        "C (Families and Friends Only)",
    }
    assert judge_tsml(alateen, meeting_to_feed(alateen)) == []

    zip_centre = row_of(
        make_meeting(
            latitude=42.65,
            longitude=-73.75,
            coordinates_source="postal_code",
            address="1 Main St",
            attendance_mode="in_person",
        )
    )
    row = meeting_to_feed(zip_centre)
    assert judge_tsml(zip_centre, row) == []
    assert reasons(judge_tsml(zip_centre, {**row, "latitude": 42.65, "longitude": -73.75})) == {"approximate_as_exact"}
    assert reasons(judge_tsml(zip_centre, {**row, "approximate": "yes"})) == {"no_street"}
    assert reasons(judge_tsml(zip_centre, {**row, "timezone": "America/Chicago"})) == {"wrong_time_zone"}


@pytest.mark.django_db
def test_crouton_judge_sees_another_programs_rule_and_contradictions(make_meeting):
    m = row_of(make_meeting(program=Program.objects.get(code="nar-anon"), name="Hope Nar-Anon", types=["C"]))
    stock = {k: f for k, f in bmlt_formats.table().items() if not getattr(f, "program", "")}
    closed = next(k for k, f in stock.items() if f.world_id == "CLOSED")
    speaker = next(k for k, f in stock.items() if f.world_id == "SPK")
    discussion = next(k for k, f in stock.items() if f.world_id == "DISC")
    item = {
        "meeting_name": m.name,
        "formats": f"{closed},{speaker},{discussion}",
        "time_zone": m.timezone,
        "location_street": "1 Main St",
        "latitude": "",
        "longitude": "",
    }
    found = reasons(judge_crouton(m, [item], stock))
    assert {"other_program_rule", "contradictory_formats"} <= found  # NA's "closed to non-addicts"
    assert "not_listed" in reasons(judge_crouton(m, [], stock))


@pytest.mark.django_db
def test_the_command_exits_non_zero_and_names_the_reason(make_meeting):
    make_meeting(timezone="Mars/Olympus_Mons")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_clients", "--client", "tsml-ui", stdout=out)
    assert exit_.value.code == 1
    assert "tsml-ui: wrong_time_zone" in out.getvalue() and "Mars/Olympus_Mons" in out.getvalue()


def _load(sample, samples, demo_meetings):
    if sample == "demo":
        demo_meetings(800, seed=5)
    else:
        import_location(str(samples / sample))


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("sample", SAMPLES)
def test_no_row_misleads_in_tsml_ui(sample, samples, demo_meetings):
    _load(sample, samples, demo_meetings)
    out = io.StringIO()
    call_command("check_clients", "--client", "tsml-ui", stdout=out)  # SystemExit(1) if any row misleads
    assert " 0 would mislead." in out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("sample", SAMPLES)
def test_no_row_misleads_in_crouton(sample, samples, demo_meetings):
    """crouton reads our BMLT API (another part of issue 27): its fellowship formats, its own
    programs' words, kept source formats, split streets and withheld ZIP-centre pins."""
    _load(sample, samples, demo_meetings)
    report = check(FeedSelection(), ("crouton",))
    assert report.misleading_rows == 0, {k: report.examples[k] for k in report.counts}


@pytest.mark.django_db
def test_an_na_code_shown_under_its_bmlt_world_format_is_not_lost(make_meeting):
    m = row_of(make_meeting(program=Program.objects.get(code="na"), name="Ladies Day NA", types=["VAR", "IP"]))
    stock = {k: f for k, f in bmlt_formats.table().items() if not getattr(f, "program", "")}
    varies = next(k for k, f in stock.items() if f.world_id == "VAR")  # "Rotating Format"
    item = {"meeting_name": m.name, "formats": varies, "time_zone": m.timezone, "location_street": "1 Main St"}
    assert {d for r, d in judge_crouton(m, [item], stock) if r == "own_type_lost"} == {"IP (IP Study)"}
