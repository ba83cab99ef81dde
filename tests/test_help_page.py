"""The /help page, the "Help now" link in every header, the footer's lines, and the fit's safety answers.

Issue 26, section 2: help that fits the person's country. The numbers come from the safety layer's
data (safety/countries.toml); nothing here is hard-coded but what the tests compare against it.
"""

import json
import re

import pytest
from django.urls import reverse

from commonground.meetings.models import Meeting
from commonground.safety import countries
from tests.tiers import sweep

NOW = "2026-06-09T22:00:00Z"
ALL = sorted(countries.all_countries())
SAMHSA = ("1-800-662-4357", "18006624357")


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(300, seed=4)


def _html(response) -> str:
    return response.content.decode()


def _main(html: str) -> str:
    """The page's main content (the footer and header say the same lines again)."""
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


@sweep("code", ALL)
def test_help_shows_the_countrys_emergency_number_and_crisis_line(client, db, code):
    entry = countries.get_country(code)
    response = client.get(reverse("help"), {"country": code})
    assert response.status_code == 200
    html = _html(response)
    main = _main(html)
    assert entry.emergency in main and f'href="tel:{entry.emergency}"' in main
    line = entry.crisis_line
    assert line.call in main and f'href="{line.tel_href}"' in main
    if line.sms_href:
        assert f'href="{line.sms_href}"' in main
    # The lines come before the overdose and withdrawal basics.
    assert main.index(line.call) < main.index('id="safety-overdose"') < main.index('id="safety-withdrawal"')
    if code not in ("US", "CA"):
        own = html
        for other in entry.lines:  # a number of the country's own that holds the digits 988 is not 988
            own = own.replace(other.call, "").replace(other.tel, "").replace(other.text or "\0", "")
        assert not re.search(r"(?<![\d-])988(?![\d-])", own), f"988 shown for {code}"
        assert "tel:988" not in html
    if code != "US":
        assert not any(n in html for n in SAMHSA), f"the SAMHSA line shown for {code}"
    assert entry.label("en") in main
    assert "<script" not in html


def test_an_unknown_code_still_shows_help_with_a_message(client, db):
    response = client.get(reverse("help"), {"country": "XX"})
    html = _html(response)
    main = _main(html)
    assert response.status_code == 400
    assert "not a country code we know" in main
    home = countries.get_country("US")
    assert home.crisis_line.call in main and home.emergency in main
    assert 'id="safety-overdose"' in main and "findahelpline.com" in main
    assert '<select name="country"' in main


def test_a_country_with_no_entry_is_told_so_with_the_directory(client, db):
    code = next(c for c in ("JP", "KE", "PL", "TH") if countries.get_country(c) is None)
    main = _main(_html(client.get(reverse("help"), {"country": code})))
    assert "We do not list help lines for" in main and "findahelpline.com" in main
    assert "your local emergency number" in main
    assert "tel:988" not in main and not any(n in main for n in SAMHSA)


def test_the_time_zone_chooses_the_country(client, db):
    main = _main(_html(client.get(reverse("help"), {"tz": "Europe/London"})))
    assert "116 123" in main and "999" in main and "tel:988" not in main
    assert "These lines serve" not in main


def test_a_place_chooses_the_country(client, db):
    main = _main(_html(client.get(reverse("help"), {"near": "Dublin, Ireland"})))
    ireland = countries.get_country("IE")
    assert ireland.crisis_line.call in main and ireland.emergency in main


def test_no_country_shows_the_home_lines_says_so_and_asks(client, db):
    html = _html(client.get(reverse("help")))
    main = _main(html)
    home = countries.get_country("US")
    assert home.crisis_line.call in main and home.emergency in main
    assert "These lines serve the United States" in main
    assert "findahelpline.com" in main
    assert "<form" in main and 'method="get"' in main and '<select name="country"' in main


@sweep("how", ["accept-language", "switch"])
def test_spanish_says_press_2_and_ayuda(client, db, how):
    if how == "switch":
        client.post(reverse("set_language"), {"language": "es", "next": "/help"})
        response = client.get(reverse("help"), {"country": "US"})
    else:
        response = client.get(reverse("help"), {"country": "US"}, HTTP_ACCEPT_LANGUAGE="es")
    html = _html(response)
    assert '<html lang="es">' in html
    assert "Marque 2" in _main(html) and "AYUDA" in _main(html)
    footer = html.split('<footer class="crisis"', 1)[1]
    assert "Marque 2" in footer and "AYUDA" in footer and "Ayuda ahora" in html


@pytest.mark.slow
def test_the_footer_takes_its_lines_from_the_layer_and_says_whose(client, db):
    html = _html(client.get("/", {"country": "GB"}))
    footer = html.split('<footer class="crisis"', 1)[1]
    assert "116 123" in footer and "tel:988" not in footer and "United Kingdom" in footer
    html = _html(client.get("/"))
    footer = html.split('<footer class="crisis"', 1)[1]
    assert "tel:988" in footer and "1-800-662-4357" in footer and "These lines serve the United States" in footer
    assert f'href="{reverse("help")}' in footer


def _help_link_first(html: str) -> bool:
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    first = re.search(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    return first is not None and first.group(1).startswith(reverse("help")) and first.group(2).strip() == "Help now"


@pytest.mark.slow
def test_every_public_page_links_to_help_first_in_its_header(client, demo):
    meeting = Meeting.objects.order_by("pk").first()
    pages = [
        "/",
        "/meetings",
        "/programs",
        "/programs/aa",
        "/fit",
        f"/fit/results?now={NOW}",
        reverse("help"),
        reverse("treatment"),
        meeting.get_absolute_url(),
        "/me/",
    ]
    for path in pages:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert _help_link_first(_html(response)), path


@pytest.mark.slow
def test_fit_results_put_the_crisis_block_before_the_heading(client, demo):
    response = client.get("/fit/results", {"crisis": "yes", "country": "GB", "help_with": "alcohol", "now": NOW})
    main = _main(_html(response))
    assert response.status_code == 200
    assert main.index('id="safety-crisis"') < main.index("<h1")
    crisis = main.split('id="safety-crisis"', 1)[1].split("</section>", 1)[0]
    assert "116 123" in crisis and "tel:988" not in main
    # The help link is near the top, and the country's lines are shown.
    assert main.index(f'href="{reverse("help")}') < main.index('class="ranking"')


@pytest.mark.slow
def test_fit_results_say_whose_lines_when_the_country_is_unknown(client, demo):
    main = _main(_html(client.get("/fit/results", {"help_with": "opioids", "now": NOW})))
    assert "These lines serve the United States" in main
    assert "Add a place to see in-person meetings" in main


@pytest.mark.slow
def test_fit_results_hide_sources_behind_one_disclosure_per_card(client, demo):
    main = _main(_html(client.get("/fit/results", {"spirituality": "none", "medication": "moud", "now": NOW})))
    ranking = main.split('<ol class="ranking">', 1)[1].split("</ol>", 1)[0]
    cards = ranking.split('<li class="ranked')[1:]
    assert cards
    for card in cards:
        if 'class="reasons"' in card:
            assert card.count("<details") == 1 and 'class="sources"' in card


def test_the_questionnaire_asks_the_new_questions(client, db):
    html = _html(client.get("/fit"))
    for name, value in [
        ("help_with", "sedatives"),
        ("pregnant", "yes"),
        ("age", "under_18"),
        ("recently_left", "prison"),
        ("crisis", "yes"),
        ("group", "asl"),
        ("spirituality", "indigenous"),
        ("spirituality", "muslim"),
    ]:
        assert f'name="{name}" value="{value}"' in html, (name, value)
    assert '<select id="q-country" name="country"' in html
    assert "Benzodiazepines or sleeping pills" in html
    assert "Do you drink or use first thing in the morning?" in html
    # The crisis question comes near the top: before the goal.
    assert html.index('name="crisis"') < html.index('name="goal"')


@sweep(
    "name, value",
    [("pregnant", "maybe"), ("country", "XX"), ("age", "12"), ("recently_left", "jail"), ("crisis", "perhaps")],
)
def test_the_api_refuses_bad_safety_answers(client, db, name, value):
    got = client.get("/api/v1/fit", {name: value, "now": NOW})
    posted = client.post("/api/v1/fit", json.dumps({name: value}), content_type="application/json")
    for response in (got, posted):
        assert response.status_code == 400, (name, response.content[:200])
        error = response.json()["error"]
        assert error["field"] == name and error["status"] == 400 and error["code"] == "invalid_parameter"


@pytest.mark.slow
def test_the_api_takes_the_safety_answers(client, demo):
    body = {
        "help_with": ["opioids", "sedatives"],
        "pregnant": "yes",
        "age": "18_24",
        "recently_left": ["prison", "detox"],
        "crisis": "yes",
        "country": "GB",
        "group": "asl",
        "now": NOW,
    }
    posted = client.post("/api/v1/fit", json.dumps(body), content_type="application/json")
    assert posted.status_code == 200, posted.content[:300]
    data = posted.json()
    assert data["notes"][0]["id"] == "crisis" and data["safety"]["country"] == "GB"
    assert {"overdose", "withdrawal", "mixing", "pregnancy"} <= {n["id"] for n in data["notes"]}
    got = client.get("/api/v1/fit", {**body, "help_with": "opioids,sedatives", "recently_left": "prison,detox"})
    assert got.status_code == 200 and got.json()["notes"] == data["notes"]


def test_the_openapi_schema_lists_the_new_answers(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    fit = schema["components"]["schemas"]["FitAnswers"]["properties"]
    assert {"pregnant", "age", "recently_left", "crisis", "country"} <= set(fit)
    get_params = {p["name"] for p in schema["paths"]["/api/v1/fit"]["get"]["parameters"]}
    assert {"pregnant", "age", "recently_left", "crisis", "country"} <= get_params
