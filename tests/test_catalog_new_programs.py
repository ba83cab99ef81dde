"""Three programs added for issue 26: Cocaine Anonymous (the `stimulants` answer's own fellowship),
Wellbriety (White Bison, for Native communities) and Millati Islami (twelve steps grounded in Islam).

Each must load and validate, rest every fact on the program's own material or a paper, carry its
Spanish text, have its page, and rank where the person's answers point.
"""

import json
import re

import pytest

from commonground.catalog.loader import FACT_VALUES, PROGRAMS_DIR, read_program_file
from commonground.catalog.models import Program
from commonground.fit.answers import parse_answers
from commonground.fit.ranking import rank
from tests.tiers import sweep

NOW = "2026-06-09T18:00:00Z"
NEW = ("ca", "wellbriety", "millati-islami")
CONFIRMING = ("primary", "peer-reviewed")


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(800, seed=5)


def _ranking(spec):
    return [r.program.code for r in rank(parse_answers({**spec, "now": NOW}), now=NOW).ranking]


@pytest.mark.parametrize("code", NEW)
def test_each_new_program_validates_and_every_fact_rests_on_its_own_material_or_a_paper(code):
    data = read_program_file(PROGRAMS_DIR / f"{code}.toml")  # raises CatalogError on any problem
    sources = data["sources"]
    for name in FACT_VALUES:
        kinds = {sources[sid]["kind"] for sid in data["facts"][name]["sources"]}
        assert kinds & set(CONFIRMING), f"{code}: facts.{name} has no primary or peer-reviewed source"
    for sid, source in sources.items():
        assert source["checked"] == "2026-12-07", f"{code}: source {sid} not checked today"
    for link in ("website", "meeting_finder"):
        if link in data:
            assert data[link]["url"].startswith("https://") and data[link]["sources"], f"{code}: {link}"
    es = data["i18n"]["es"]
    assert es["summary"] and es["first_meeting"]
    assert set(es["notes"]) >= {n for n, f in data["facts"].items() if f.get("note")}, "every note in Spanish"


@pytest.mark.django_db
def test_the_new_programs_are_loaded_with_their_facts():
    programs = {p.code: p for p in Program.objects.filter(code__in=NEW)}
    assert set(programs) == set(NEW)
    assert programs["ca"].type_table == "ca" and "stimulants" in programs["ca"].value("focus")
    assert programs["ca"].approach == "twelve-step" and programs["ca"].online == "yes"
    assert programs["wellbriety"].spiritual_content == "indigenous"
    assert programs["millati-islami"].spiritual_content == "islamic"


@pytest.mark.slow
def test_a_cocaine_user_sees_cocaine_anonymous_first_and_crystal_meth_anonymous_still_near(demo):
    order = _ranking({"help_with": "stimulants"})
    assert order[0] == "ca" and "cma" in order[:3], order
    ranked = {r.program.code: r for r in rank(parse_answers({"help_with": "stimulants"}), now=NOW).ranking}
    ca_reasons = {x.rule: x for x in ranked["ca"].reasons}
    assert ca_reasons["focus-cocaine"].kind == "plus" and ca_reasons["focus-cocaine"].confirmed
    assert "crystal meth" not in ca_reasons["focus-cocaine"].text
    assert any(x.rule == "focus-stimulants" for x in ranked["cma"].reasons)


@pytest.mark.slow
def test_the_results_page_and_the_api_put_cocaine_anonymous_above_crystal_meth_anonymous(client, demo):
    html = client.get("/fit/results", {"help_with": "stimulants", "now": NOW}).content.decode()
    positions = [m.group(1) for m in re.finditer(r'id="program-([a-z-]+)"', html)]
    assert positions.index("ca") < positions.index("cma") and positions.index("cma") < 3, positions
    body = json.loads(client.get("/api/v1/fit", {"help_with": "stimulants"}).content)
    codes = [r["program"] for r in body["ranking"]]
    assert codes.index("ca") < codes.index("cma")


@pytest.mark.slow
def test_indigenous_spirituality_brings_wellbriety_into_the_top_three(demo):
    assert "wellbriety" in _ranking({"spirituality": "indigenous"})[:3]
    assert "wellbriety" in _ranking({"spirituality": "indigenous", "help_with": "alcohol"})[:3]
    ranked = {r.program.code: r for r in rank(parse_answers({"spirituality": "indigenous"}), now=NOW).ranking}
    reason = next(x for x in ranked["wellbriety"].reasons if x.rule == "indigenous-wanted")
    assert reason.kind == "plus" and reason.confirmed and reason.sources


@pytest.mark.slow
def test_muslim_faith_brings_millati_islami_into_the_top_three(demo):
    assert "millati-islami" in _ranking({"spirituality": "muslim"})[:3]
    assert "millati-islami" in _ranking({"spirituality": "muslim", "help_with": "drugs"})[:3]


@pytest.mark.slow
def test_no_religion_gets_a_warning_on_the_faith_grounded_programs(demo):
    ranked = {r.program.code: r for r in rank(parse_answers({"spirituality": "none"}), now=NOW).ranking}
    for code in ("wellbriety", "millati-islami"):
        assert any(
            x.fact == "spiritual_content" and x.kind in ("caution", "minus") and ranked[code].score < 0
            for x in ranked[code].reasons
        ), code
    # A Christian is not told that an Islamic program is Christ-centred.
    ranked = {r.program.code: r for r in rank(parse_answers({"spirituality": "christian"}), now=NOW).ranking}
    assert not any("Christ" in x.text for x in ranked["millati-islami"].reasons)


@pytest.mark.django_db
@sweep("code", NEW)
def test_each_new_program_has_its_page_in_english_and_spanish(client, code):
    program = Program.objects.get(code=code)
    html = client.get(f"/programs/{code}").content.decode()
    assert program.name in html and "checked" in html
    spanish = client.get(f"/programs/{code}", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert program.translations["es"]["summary"].split()[0] in spanish


@pytest.mark.slow
def test_cocaine_anonymous_is_not_called_a_one_drug_group_for_alcohol(demo):
    ranked = {r.program.code: r for r in rank(parse_answers({"help_with": "alcohol"}), now=NOW).ranking}
    focus = [x for x in ranked["ca"].reasons if x.fact == "focus"]
    assert [x.rule for x in focus] == ["focus-cocaine-other-substance"] and "welcomes anyone" in focus[0].text


@pytest.mark.slow
def test_faith_and_culture_grounded_programs_do_not_lead_for_people_who_did_not_ask(demo):
    for spec in (
        {"help_with": "drugs", "structure": "steps"},
        {"help_with": "alcohol"},
        {"help_with": "both", "spirituality": "christian"},
    ):
        top = _ranking(spec)[:3]
        assert "wellbriety" not in top and "millati-islami" not in top, (spec, top)
    assert "millati-islami" not in _ranking({"spirituality": "indigenous"})[:3]
    assert "wellbriety" not in _ranking({"spirituality": "muslim"})[:3]
