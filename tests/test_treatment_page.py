"""The /treatment page (issue 30, parts 4 and 7): FindTreatment.gov's facilities near a place, with the
API's filters as a plain GET form, a call button and directions for each, what it offers in plain
words, when the listing was last read; a place outside the US shows that country's own help lines."""

from __future__ import annotations

import re

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import translation

from commonground.feeds.importing import import_location
from commonground.meetings.models import Source
from commonground.safety import countries
from commonground.treatment import labels, search
from commonground.treatment.models import Facility
from commonground.treatment.vocabulary import OFFERS, PAYS, SERVES
from tests.treatment.export_fixture import write

FACILITIES = [
    "Harbor Bupe Clinic",
    "Brooklyn Recovery Partners",
    "Newark Harbor Health",
    "Bronx Opioid Treatment Program",
    "Queens Withdrawal Center",
]


@pytest.fixture
def facilities(db, tmp_path):
    search.reset()
    import_location(write(tmp_path / "ny.json"), format="findtreatment", name="FindTreatment NY")
    yield Source.objects.get(name="FindTreatment NY")
    search.reset()


def _main(response) -> str:
    html = response.content.decode()
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def _names(main: str) -> list[str]:
    return [
        re.sub(r"\s*\(.*", "", n) for n in re.findall(r'<li class="meeting facility"[^>]*>\s*<h3>([^<]+)</h3>', main)
    ]


def page(client, query: str, **headers) -> tuple[int, str]:
    response = client.get(f"{reverse('treatment')}?{query}", **headers)
    return response.status_code, _main(response)


def test_the_page_is_named_treatment_and_shows_the_form_first(client, db):
    assert reverse("treatment") == "/treatment"
    response = client.get("/treatment")
    assert response.status_code == 200
    main = _main(response)
    assert 'name="near"' in main and "Find treatment near you" in main
    for name, codes in (("offers", OFFERS), ("pays", PAYS), ("serves", SERVES)):
        for code in codes:
            assert f'type="checkbox" name="{name}" value="{code}"' in main
    assert '<option value="es">Spanish</option>' in main
    assert '<option value="sgn">' in main
    # The home country (the US) reads distances in miles.
    assert 'name="radius_mi"' in main and 'name="radius_km"' not in main
    assert "<script" not in response.content.decode()


def test_nearest_first_with_what_each_result_says(client, facilities):
    status, main = page(client, "near=10001")
    assert status == 200
    assert _names(main) == FACILITIES
    assert "Treatment near New York, NY 10001" in main
    # Miles near a US ZIP, with the distance chooser in miles and the default (50 km) as 30 mi.
    assert " mi away" in main and " km away" not in main
    assert '<option value="30" selected>30 mi</option>' in main
    first = main.split('<li class="meeting facility"', 2)[1]
    assert "450 West 33rd Street, New York, NY 10001" in first
    assert "Buprenorphine (such as Suboxone)" in first and "Medicaid" in first and "Private health insurance" in first
    assert "Pregnant women and new mothers" in first
    assert "Spanish" in first and "Sign language, or services for deaf people" in first
    assert 'href="https://clinic.example.org/"' in first
    assert 'href="geo:40.7506,-73.9972?q=40.7506,-73.9972"' in first
    assert "openstreetmap.org/?mlat=40.7506&amp;mlon=-73.9972" in first
    # The unsafe website of another facility is never a link.
    assert "javascript:" not in main


def test_the_call_button_dials_the_numbers_digits(client, facilities):
    _, main = page(client, "near=10001")
    first = main.split('<li class="meeting facility"', 2)[1]
    assert re.search(r'<a class="button call" href="tel:2125550100">Call 212-555-0100</a>', first)


def test_a_second_button_for_intake_when_the_listing_gives_one(client, facilities):
    Facility.objects.filter(name__startswith="Bronx").update(intake_phone="718-555-0199 ext. 4")
    search.reset()
    _, main = page(client, "near=10001&offers=methadone")
    assert 'class="button secondary call-intake" href="tel:7185550199">Call intake: 718-555-0199 ext. 4</a>' in main
    assert main.count("call-intake") == 1


def test_call_ahead_with_the_date_the_source_was_last_read(client, facilities):
    _, main = page(client, "near=10001")
    expected = date_filter(facilities.last_ok_at, "DATE_FORMAT")
    line = f"Call ahead: listings can be out of date. Updated {expected} from FindTreatment NY."
    assert main.count(line) == len(FACILITIES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("offers=methadone", ["Bronx Opioid Treatment Program"]),
        ("offers=buprenorphine&offers=methadone", ["Bronx Opioid Treatment Program"]),
        ("offers=naltrexone&offers=telehealth", ["Brooklyn Recovery Partners"]),
        ("offers=detox", ["Queens Withdrawal Center"]),
        ("pays=medicaid", ["Harbor Bupe Clinic", "Newark Harbor Health"]),
        ("pays=sliding_fee", ["Bronx Opioid Treatment Program"]),
        ("pays=free", ["Queens Withdrawal Center"]),
        ("serves=pregnant", ["Harbor Bupe Clinic"]),
        ("serves=veterans&serves=lgbtq", ["Brooklyn Recovery Partners"]),
        ("language=es", ["Harbor Bupe Clinic"]),
        ("language=sgn", ["Harbor Bupe Clinic"]),
        ("radius_mi=3", ["Harbor Bupe Clinic"]),
        ("radius_km=10", ["Harbor Bupe Clinic", "Brooklyn Recovery Partners"]),
    ],
)
def test_each_filter(client, facilities, query, expected):
    status, main = page(client, f"near=10001&{query}")
    assert status == 200
    assert _names(main) == expected
    # The choice stays chosen in the form.
    for name, value in re.findall(r"(offers|pays|serves)=(\w+)", query):
        assert f'name="{name}" value="{value}" id="id_{name}_' in main
        assert re.search(rf'name="{name}" value="{value}" id="[^"]+" checked', main)
    for value in re.findall(r"language=(\w+)", query):
        assert f'<option value="{value}" selected>' in main


def test_nothing_found_says_so_and_offers_a_wider_search_or_fewer_filters(client, facilities):
    status, main = page(client, "near=10001&radius_mi=3&offers=methadone&language=es")
    assert status == 200 and _names(main) == []
    assert "No treatment listed within this distance matches your search." in main
    links = dict(
        (text, href.replace("&amp;", "&"))
        for href, text in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', main.split('class="widen"')[1])
    )
    assert links["Search within 150 mi"] == "/treatment?near=10001&offers=methadone&language=es&radius_mi=150"
    assert links["Without: Methadone"] == "/treatment?near=10001&radius_mi=3&language=es"
    assert links["Without: Spanish"] == "/treatment?near=10001&radius_mi=3&offers=methadone"
    # Following the wider one finds the methadone program.
    assert _names(page(client, links["Search within 150 mi"].split("?", 1)[1])[1]) == []  # still Spanish and methadone
    assert _names(
        page(client, links["Without: Spanish"].split("?", 1)[1].replace("radius_mi=3", "radius_mi=30"))[1]
    ) == ["Bronx Opioid Treatment Program"]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("near=10001&offers=heroin", "offers", "Choose the treatment from the list."),
        ("near=10001&pays=cash", "pays", "Choose how you would pay from the list."),
        ("near=10001&serves=everyone", "serves", "Choose who the program is for from the list."),
        ("near=10001&language=klingon", "language", "Choose a language from the list."),
        ("near=10001&radius_mi=lots", "radius", "Choose a distance from the list."),
        ("near=Nowhereville+Zzyzx", "near", "We could not find a place called"),
        ("lat=95&lng=10", "near", "The position sent is not a place on the map."),
    ],
)
def test_a_bad_value_is_shown_in_words_beside_its_field(client, facilities, query, field, words):
    status, main = page(client, query)
    assert status == 400
    assert words in main and "Traceback" not in main
    assert f'id="{field}-error" class="field-error">{words}' in main
    assert f'aria-describedby="{field}-error"' in main
    assert 'class="meeting facility"' not in main


def test_spanish(client, facilities):
    status, main = page(client, "near=10001&offers=buprenorphine", HTTP_ACCEPT_LANGUAGE="es")
    assert status == 200
    assert _names(main) == ["Harbor Bupe Clinic", "Bronx Opioid Treatment Program"]
    with translation.override("es"):
        expected = date_filter(facilities.last_ok_at, "DATE_FORMAT")
        words = {code: str(labels.OFFER_LABELS[code]) for code in ("buprenorphine", "methadone")}
    assert expected and " de " in expected
    assert f"Llame antes: los listados pueden estar desactualizados. Actualizado el {expected}" in main
    assert words["buprenorphine"] != "Buprenorphine (such as Suboxone)" and words["buprenorphine"] in main
    assert words["methadone"] in main
    assert 'href="tel:2125550100">Llamar al 212-555-0100</a>' in main
    assert "Abrir en mi app de mapas" in main
    assert re.search(r" · a \d+,\d mi</p>", main), "a distance in miles, with a decimal comma"
    assert "Tratamiento cerca de" in main
    assert "Call ahead" not in main and "Treatment near" not in main
    _, error = page(client, "near=10001&offers=heroin", HTTP_ACCEPT_LANGUAGE="es")
    assert "Choose the treatment" not in error and 'id="offers-error"' in error


def test_every_code_has_a_label_in_both_languages():
    for name, codes in (("offers", OFFERS), ("pays", PAYS), ("serves", SERVES)):
        for code in codes:
            english = labels.label(name, code)
            with translation.override("es"):
                spanish = labels.label(name, code)
            assert english != code
            if english not in ("Medicaid", "Medicare"):
                assert spanish != english, (name, code)
    with translation.override("es"):
        assert labels.language_label("es") == "Español" or labels.language_label("es").lower() == "español"
        assert labels.language_label("sgn") != "Sign language, or services for deaf people"
    assert labels.labels("languages", ["es", "xx"]) == ["Spanish", "xx"]


def test_a_place_outside_the_us_shows_its_own_lines_and_no_us_facility(client, facilities):
    status, main = page(client, "near=Dublin%2C+Ireland")
    assert status == 200
    ireland = countries.get_country("IE")
    assert "We list treatment in the United States and its territories only" in main
    assert "Dublin, Ireland is outside them" in main
    assert "Help lines in Ireland" in main
    assert f'href="tel:{ireland.emergency}"' in main
    assert f'href="{ireland.crisis_line.tel_href}"' in main
    drugs = ireland.lines_of("drugs")
    assert drugs and all(line.tel_href in main for line in drugs)
    assert 'class="meeting facility"' not in main
    assert not any(name in main for name in FACILITIES)
    assert "tel:988" not in main and "662-4357" not in main
    # The distance chooser speaks kilometres there.
    assert 'name="radius_km"' in main
    # The header's "Help now" and the footer serve Ireland too.
    html = client.get("/treatment?near=Dublin%2C+Ireland").content.decode()
    assert "tel:988" not in html


def test_a_place_outside_the_us_in_spanish(client, facilities):
    status, main = page(client, "near=Dublin%2C+Ireland", HTTP_ACCEPT_LANGUAGE="es")
    assert status == 200
    assert "We list treatment" not in main and "Irlanda" in main
    assert 'class="meeting facility"' not in main


def test_a_country_without_lines_gets_the_directory_and_its_emergency_words(client, facilities, monkeypatch):
    from commonground.web import treatment_views

    monkeypatch.setattr(treatment_views, "_country", lambda query: "ZZ")
    status, main = page(client, "near=Dublin%2C+Ireland")
    assert status == 200
    assert "In an emergency, call your local emergency number." in main
    assert 'class="meeting facility"' not in main


@pytest.mark.parametrize("near", ["Hagatna, Guam", "San Juan, PR"])
def test_us_territories_are_searched(client, facilities, near):
    status, main = page(client, f"near={near}")
    assert status == 200
    assert "No treatment listed within this distance matches your search." in main
    assert "We list treatment in the United States" not in main


@pytest.mark.parametrize(
    ("path", "status"), [(lambda: reverse("help"), 200), (lambda: reverse("programs"), 200)], ids=["help", "programs"]
)
def test_help_now_and_the_programs_page_link_to_treatment(client, db, path, status):
    response = client.get(path())
    assert response.status_code == status
    main = _main(response)
    assert f'<a href="{reverse("treatment")}">Find treatment near you</a>' in main
    spanish = _main(client.get(path(), HTTP_ACCEPT_LANGUAGE="es"))
    assert f'<a href="{reverse("treatment")}">' in spanish and ">Find treatment near you<" not in spanish


def test_the_moud_program_page_links_to_treatment_and_others_do_not(client, db):
    moud = _main(client.get(reverse("program", args=["moud-online"])))
    assert f'<a href="{reverse("treatment")}">Find treatment near you</a>' in moud
    aa = _main(client.get(reverse("program", args=["aa"])))
    assert reverse("treatment") not in aa
