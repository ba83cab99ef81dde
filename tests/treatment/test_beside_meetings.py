"""Treatment beside the meetings (issue 30, part 5): the fit results, the companion's "I'm struggling"
and a meeting's page show nearby treatment from FindTreatment.gov's listings when the rule says so.

- Fit: opioids, opioid medication, or pregnancy with drug use, and a place in the US or its
  territories: the three nearest providers of methadone, buprenorphine or naltrexone (pregnancy: those
  that serve pregnant women first, when one is near); sedatives, or alcohol with withdrawal risk: the
  nearest detox. Never without a place, never outside the US, never above the safety notes.
- The companion: an opioid clock and a place the account has (saved fit answers, else a saved
  in-person meeting): the nearest buprenorphine or methadone provider, never stored.
- A meeting page: an opioid treatment program (methadone) within 2 km of an in-person meeting, as a
  fact about the program, never a claim about the meeting.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from commonground.feeds.importing import import_location
from commonground.treatment import search
from tests.journal import conftest as journal_fixtures
from tests.treatment.export_fixture import OM, OT, ROWS, SG, TC, row, svc, write

person = journal_fixtures.person  # a signed-up person and their client (the companion's own fixture)

# A program just north of the Mexican border: near Tijuana in distance, but in another country.
SAN_YSIDRO = row(
    "San Ysidro Recovery Clinic",
    32.5560,
    -117.0470,
    svc(*OT, "Federally-certified Opioid Treatment Program", "Methadone maintenance"),
    svc(*OM, "Methadone used in Treatment"),
    svc(*TC, "Detoxification"),
    svc(*SG, "Pregnant/postpartum women"),
    city="San Ysidro",
    state="CA",
    zip="92173",
    phone="(619) 555-0142",
)
MEDICATION_BLOCK = 'data-block="treatment-medication"'
DETOX_BLOCK = 'data-block="treatment-detox"'


@pytest.fixture
def facilities(db, tmp_path):
    search.reset()
    import_location(write(tmp_path / "us.json", [*ROWS, SAN_YSIDRO]), format="findtreatment", name="FindTreatment")
    yield
    search.reset()


def page(client, query: str) -> str:
    response = client.get(f"/fit/results?{query}")
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def block(html: str, marker: str) -> str:
    at = html.find(marker)
    assert at >= 0, marker
    return html[at : html.find("</section>", at)]


def shown(html: str, marker: str) -> list[str]:
    return [n.split(" (")[0] for n in re.findall(r'data-provider="([^"]*)"', block(html, marker))]


def api(client, query: str) -> dict:
    response = client.get(f"/api/v1/fit?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def api_names(answer: dict, kind: str = "medication") -> list[str]:
    return [p["name"].split(" (")[0] for p in answer["treatment"] if p["for"] == kind]


# --- 1. the fit results --------------------------------------------------------------------------------
NEAREST_MOUD_TO_10001 = ["Harbor Bupe Clinic", "Brooklyn Recovery Partners", "Bronx Opioid Treatment Program"]


def test_opioids_near_a_zip_gives_the_three_nearest_medication_providers(client, facilities):
    html = page(client, "help_with=opioids&near=10001")
    medication = block(html, MEDICATION_BLOCK)
    assert "Medication treatment near you" in medication
    assert shown(html, MEDICATION_BLOCK) == NEAREST_MOUD_TO_10001
    assert 'href="tel:212-555-0100"' in medication or 'href="tel:2125550100"' in medication
    assert "Call ahead: listings can be out of date" in medication
    offers = re.findall(r"Offers: ([^<]*)<", medication)
    # the one table of plain words (treatment/labels.py), as on /treatment
    assert offers[0] == "Buprenorphine (such as Suboxone), Outpatient: you live at home", offers
    assert "Naltrexone" in offers[1], offers
    assert " mi away" in medication  # the unit people read in the US
    assert DETOX_BLOCK not in html  # no withdrawal risk was said
    answer = api(client, "help_with=opioids&near=10001")
    assert api_names(answer) == NEAREST_MOUD_TO_10001
    first = answer["treatment"][0]
    assert set(first) >= {
        "name",
        "address",
        "phone",
        "website",
        "distance_km",
        "offers",
        "pays",
        "serves",
        "languages",
        "source",
    }
    assert first["source"]["name"] == "FindTreatment" and first["source"]["updated"]
    distances = [p["distance_km"] for p in answer["treatment"]]
    assert distances == sorted(distances) and distances[0] < 1
    assert all(set(p["offers"]) & {"methadone", "buprenorphine", "naltrexone"} for p in answer["treatment"])


def test_opioid_medication_alone_is_enough_and_spanish_says_it_in_spanish(client, facilities):
    assert shown(page(client, "medication=moud&help_with=alcohol&near=10001"), MEDICATION_BLOCK) == (
        NEAREST_MOUD_TO_10001
    )
    html = client.get("/fit/results?help_with=opioids&near=10001", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    medication = block(html, MEDICATION_BLOCK)
    assert "Tratamiento con medicamentos cerca de usted" in medication
    assert "Llame antes" in medication


def test_pregnancy_puts_a_provider_that_serves_pregnant_women_first(client, facilities):
    # From the Bronx the nearest is the Bronx program; the Midtown clinic, farther, serves pregnant women.
    assert shown(page(client, "help_with=opioids&near=10460"), MEDICATION_BLOCK)[0] == "Bronx Opioid Treatment Program"
    html = page(client, "help_with=opioids&pregnant=yes&near=10460")
    assert shown(html, MEDICATION_BLOCK) == [
        "Harbor Bupe Clinic",
        "Bronx Opioid Treatment Program",
        "Brooklyn Recovery Partners",
    ]
    assert "serve pregnant women are listed first" in block(html, MEDICATION_BLOCK)
    answer = api(client, "help_with=opioids&pregnant=yes&near=10460")
    assert api_names(answer) == shown(html, MEDICATION_BLOCK)
    assert [p["priority"] for p in answer["treatment"]] == ["pregnant", None, None]
    # Pregnancy with any drug use asks for the block too (stimulants here).
    assert shown(page(client, "help_with=stimulants&pregnant=yes&near=10460"), MEDICATION_BLOCK)[0] == (
        "Harbor Bupe Clinic"
    )
    assert MEDICATION_BLOCK not in page(client, "help_with=stimulants&near=10460")


def test_sedatives_give_the_nearest_detox(client, facilities):
    html = page(client, "help_with=sedatives&near=10001")
    assert shown(html, DETOX_BLOCK) == ["Queens Withdrawal Center"]
    assert MEDICATION_BLOCK not in html
    assert api_names(api(client, "help_with=sedatives&near=10001"), "detox") == ["Queens Withdrawal Center"]
    # Alcohol with withdrawal risk (dependence yes or not sure) too; without it, nothing.
    for dependence in ("yes", "unsure"):
        assert shown(page(client, f"help_with=alcohol&dependence={dependence}&near=10001"), DETOX_BLOCK) == [
            "Queens Withdrawal Center"
        ]
    html = page(client, "help_with=alcohol&dependence=no&near=10001")
    assert DETOX_BLOCK not in html and MEDICATION_BLOCK not in html
    assert api(client, "help_with=alcohol&dependence=no&near=10001")["treatment"] == []
    # Opioids and sedatives: both blocks, medication first.
    html = page(client, "help_with=opioids&help_with=sedatives&near=10001")
    assert html.find(MEDICATION_BLOCK) < html.find(DETOX_BLOCK)


def test_no_place_no_block(client, facilities):
    html = page(client, "help_with=opioids&help_with=sedatives&pregnant=yes")
    assert MEDICATION_BLOCK not in html and DETOX_BLOCK not in html
    assert api(client, "help_with=opioids")["treatment"] == []
    # A place with online meetings only is still a place.
    assert shown(page(client, "help_with=opioids&near=10001&attend=online"), MEDICATION_BLOCK) == (
        NEAREST_MOUD_TO_10001
    )


def test_outside_the_us_no_block_even_with_a_program_a_few_km_away(client, facilities):
    html = page(client, "help_with=opioids&help_with=sedatives&near=Tijuana%2C+Mexico")
    assert MEDICATION_BLOCK not in html and DETOX_BLOCK not in html
    assert "San Ysidro" not in html
    assert api(client, "help_with=opioids&near=Tijuana%2C+Mexico")["treatment"] == []
    # The same program just over the border, searched from its own ZIP: shown, with a call link.
    html = page(client, "help_with=opioids&near=92173")
    assert shown(html, MEDICATION_BLOCK) == ["San Ysidro Recovery Clinic"]
    assert re.search(r'href="tel:\(?619\)?[ -]?555-?0142"', html) or 'href="tel:6195550142"' in html


def test_the_block_comes_after_the_crisis_help_and_every_safety_note(client, facilities):
    html = page(client, "help_with=opioids&help_with=sedatives&crisis=yes&pregnant=yes&near=10001")
    at = html.find(MEDICATION_BLOCK)
    assert 0 < html.find('id="safety-crisis"') < html.find('class="help-now-top"') < at
    notes = [m.start() for m in re.finditer(r'id="safety-[a-z-]+"', html)]
    assert len(notes) >= 4 and max(notes) < at < html.find(DETOX_BLOCK)


# --- 2. the companion's "I'm struggling" -------------------------------------------------------------


def new_clock(client, substance):
    response = client.post(
        "/me/clocks/new",
        {
            "name": "my clock",
            "substance": substance,
            "start_date": "2026-09-01",
            "start_time": "",
            "timezone": "America/New_York",
            "convention": "plain",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def everything_stored() -> str:
    """Every table's rows as the database holds them (the companion's are encrypted)."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("journal_", "auth_", "django_session")):
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
                out.append(repr(cursor.fetchall()))
    return "\n".join(out)


def test_struggling_with_an_opioid_clock_and_a_place_shows_the_nearest_medication_provider(person, facilities):
    client = person(timezone="America/New_York")
    new_clock(client, "opioids")
    html = client.get("/me/help").content.decode()
    assert 'data-block="treatment"' not in html  # no place: nothing (the zone is not a place)
    client.post("/me/fit/save", {"answers": "help_with=opioids&near=10460"})
    before = everything_stored()
    html = client.get("/me/help").content.decode()
    part = block(html, 'data-block="treatment"')
    assert re.findall(r'data-provider="([^"]*)"', part) == ["Bronx Opioid Treatment Program"]
    assert 'href="tel:' in part and "Call ahead: listings can be out of date" in part
    # The people and the lines come first; the provider is never stored.
    assert html.find('data-block="lines"') < html.find('data-block="treatment"')
    assert everything_stored() == before and "Bronx Opioid" not in before


def test_struggling_takes_a_saved_in_person_meeting_as_the_place(person, facilities, make_meeting):
    from commonground.journal.models import Favourite

    client = person(timezone="America/New_York")
    new_clock(client, "opioids")
    meeting = make_meeting(latitude=40.8409, longitude=-73.8794, formatted_address="1 Main St, Bronx, NY 10460, USA")
    Favourite.objects.create(
        user=get_user_model().objects.get(),
        data={"meeting": f"{meeting.source.slug}/{meeting.key}", "name": meeting.name, "added_on": "2026-12-01"},
    )
    part = block(client.get("/me/help").content.decode(), 'data-block="treatment"')
    assert "Bronx Opioid Treatment Program" in part


def test_struggling_without_an_opioid_clock_shows_no_provider(person, facilities):
    client = person(timezone="America/New_York")
    new_clock(client, "stimulants")
    client.post("/me/fit/save", {"answers": "help_with=stimulants&near=10460"})
    assert 'data-block="treatment"' not in client.get("/me/help").content.decode()


# --- 3. a meeting's page --------------------------------------------------------------------------------


def test_a_meeting_near_a_methadone_program_names_the_program_not_the_meeting(client, facilities, make_meeting):
    near = make_meeting(latitude=40.8430, longitude=-73.8700, formatted_address="2 Main St, Bronx, NY 10460, USA")
    html = client.get(near.get_absolute_url()).content.decode()
    part = block(html, 'data-block="treatment-nearby"')
    assert "Medication treatment nearby" in part and "Bronx Opioid Treatment Program" in part
    assert 'href="tel:' in part and " mi away" in part
    # Only the program: no word that would judge the meeting.
    for claim in ("MOUD", "friendly", "welcom", "this meeting", "this group"):
        assert claim.lower() not in part.lower(), claim


def test_no_program_block_far_from_methadone_online_or_at_an_area_only_address(client, facilities, make_meeting):
    # Near Midtown: a buprenorphine clinic 0.3 km away, but no methadone within 2 km.
    midtown = make_meeting(latitude=40.7490, longitude=-73.9960)
    online = make_meeting(
        latitude=40.8430,
        longitude=-73.8700,
        approximate=True,
        formatted_address="Bronx, NY, USA",
        conference_url="https://zoom.us/j/123456789",
    )
    assert online.attendance_mode == "online"
    centre = make_meeting(latitude=40.8430, longitude=-73.8700, coordinates_source="city")
    for meeting in (midtown, online, centre):
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert 'data-block="treatment-nearby"' not in html, meeting.attendance_mode
