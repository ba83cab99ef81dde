"""Issue 27: the Meeting Guide feed shows each meeting's fellowship and only its own rules, where
TSML UI 1.8 shows them (it shows no program field, reads every code as an AA code, and describes
"C"/"O" in AA's words), keeps Al-Anon's Alateen and "Families and Friends Only", never exports a
ZIP-centre pin as the place, and answers an empty narrowed feed with 200 and []."""

import io
import json

import pytest

from commonground.catalog.models import Program
from commonground.feeds.meeting_guide.validator import validate_bytes
from commonground.feeds.meeting_guide.writer import feed_queryset, write_feed

AA_CLOSED = "for A.A. members only"  # TSML UI's own description of "C" (its bundled strings)


def feed(**filters) -> list[dict]:
    out = io.StringIO()
    write_feed(feed_queryset(**filters), out)
    return json.loads(out.getvalue())


def by_slug(**filters) -> dict[str, dict]:
    return {row["slug"]: row for row in feed(**filters)}


@pytest.fixture
def meetings(make_meeting):
    make_meeting(slug="naranon", program=Program.objects.get(code="nar-anon"), types=["C", "D"], notes="Side door.")
    make_meeting(slug="alateen", program=Program.objects.get(code="al-anon"), types=["Y", "C", "ST"])
    make_meeting(slug="na", program=Program.objects.get(code="na"), types=["C", "DISC"])
    make_meeting(slug="smart", program=Program.objects.get(code="smart"), types=["O"])
    make_meeting(slug="aa", types=["C", "D"])
    make_meeting(slug="zip", types=["O"], latitude=42.65, longitude=-73.75, coordinates_source="postal_code")
    make_meeting(slug="exact", types=["O"], latitude=42.651, longitude=-73.754, coordinates_source="feed")


@pytest.mark.django_db
def test_each_meeting_names_its_fellowship_where_tsml_ui_shows_it(meetings):
    rows = by_slug()
    assert rows["naranon"]["notes"].startswith("Nar-Anon Family Groups meeting.")
    assert rows["naranon"]["notes"].endswith("\nSide door.")  # the source's own notes kept, after ours
    assert rows["na"]["notes"].startswith("Narcotics Anonymous (NA) meeting.")
    assert rows["smart"]["notes"].startswith("SMART Recovery meeting.")
    assert rows["aa"]["notes"].startswith("Alcoholics Anonymous (AA) meeting.")
    assert validate_bytes(json.dumps(list(rows.values())).encode(), "ours")["problems"] == []


@pytest.mark.django_db
def test_no_aa_rule_on_another_programs_meeting(meetings):
    rows = by_slug()
    for slug in ("naranon", "alateen", "na", "smart"):
        # TSML UI pops up AA's text for C and O: they go out only on AA meetings.
        assert not {"C", "O"} & set(rows[slug]["types"]), (slug, rows[slug]["types"])
        assert "drink" not in rows[slug]["notes"] and AA_CLOSED not in rows[slug]["notes"]
    assert "C" in rows["aa"]["types"] and "D" in rows["aa"]["types"]
    naranon = rows["naranon"]["notes"]
    assert "family members and friends" in naranon and "not for observers" in naranon
    assert "Closed: for people who want help with their own recovery in NA" in rows["na"]["notes"]
    assert "Open: anyone may attend" in rows["smart"]["notes"]
    assert "D" in rows["naranon"]["types"] and "D" in rows["na"]["types"]  # other codes still go out


@pytest.mark.django_db
def test_alateen_and_families_and_friends_only_survive(meetings):
    row = by_slug()["alateen"]
    assert row["notes"].startswith("Al-Anon Family Groups (including Alateen) meeting.")
    assert "Families and Friends Only:" in row["notes"]
    assert "Also: Alateen." in row["notes"]
    assert row["types"] == ["ST"]  # "Y" would read as AA's "Young People", "C" as AA's "Closed"
    assert row["program_types"] == ["Y", "C", "ST"]


@pytest.mark.django_db
def test_zip_centre_coordinates_are_left_out_and_the_address_kept(meetings):
    rows = by_slug()
    assert "latitude" not in rows["zip"] and "longitude" not in rows["zip"]
    assert rows["zip"]["approximate"] == "no"  # "yes" would hide the address in TSML UI
    assert rows["zip"]["formatted_address"] == "1 Main St, Albany, NY 12207, USA"
    assert "coordinates_approximate" not in rows["zip"]
    assert (rows["exact"]["latitude"], rows["exact"]["longitude"]) == (42.651, -73.754)


@pytest.mark.django_db
def test_our_importer_reads_the_meeting_back_as_stored(meetings, tmp_path):
    from commonground.feeds.importing import import_location
    from commonground.meetings.models import Meeting

    path = tmp_path / "ours.json"
    path.write_text(json.dumps(feed()))
    import_location(str(path), name="Back")
    back = {m.name: m for m in Meeting.objects.filter(source__name="Back")}
    for m in Meeting.objects.exclude(source__name="Back"):
        assert (back[m.name].notes, back[m.name].types, back[m.name].program_id) == (m.notes, m.types, m.program_id)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("query", ["program=smart-ff", "region=Nowhere", "program=na&region=Albany"])
def test_an_empty_narrowed_feed_is_an_empty_array(client, meetings, query):
    from commonground.meetings.models import Meeting

    Meeting.objects.filter(program_id="na").delete()
    response = client.get(f"/feeds/meeting-guide.json?{query}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(b"".join(response.streaming_content)) == []


def test_the_embed_address_has_no_raw_comma_for_tsml_ui():
    from commonground.feeds.meeting_guide.embed import tsml_ui_src

    src = tsml_ui_src(
        "https://finder.example.org/feeds/meeting-guide.json", program="na", near="Denver, CO", radius_km=40
    )
    assert src == "https://finder.example.org/feeds/meeting-guide.json?program=na&near=Denver%2C%20CO&radius_km=40"
    assert src.split(",") == [src]  # TSML UI splits data-src on commas: one feed, whole


@pytest.mark.slow
@pytest.mark.django_db
def test_the_feed_reads_an_encoded_comma_in_the_place(client, samples):
    from commonground.feeds.importing import import_location
    from commonground.feeds.meeting_guide.embed import tsml_ui_src

    import_location(str(samples / "bmlt-bronx"), name="Bronx NA")
    response = client.get(tsml_ui_src("/feeds/meeting-guide.json", near="Bronx, NY", radius_km=15))
    assert response.status_code == 200
    assert len(json.loads(b"".join(response.streaming_content))) > 10


def test_validate_warns_when_tsml_ui_would_show_aas_rule_on_another_program():
    rows = [
        {
            "name": "Hope",
            "slug": "hope",
            "day": 1,
            "time": "19:00",
            "timezone": "America/Denver",
            "formatted_address": "1 A St, Denver, CO 80202, USA",
            "types": ["C", "D"],
            "program": program,
        }
        for program in ("nar-anon", "aa")
    ]
    rows[1]["slug"] = "hope-aa"
    result = validate_bytes(json.dumps(rows).encode(), "feed")
    assert result["valid"]  # the spec allows it; clients mislead
    assert [(p["slug"], p["severity"]) for p in result["problems"]] == [("hope", "warning")]
    assert "AA's words" in result["problems"][0]["message"]
