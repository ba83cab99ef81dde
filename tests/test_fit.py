"""The fit finder: a table of scenarios, and the promises it keeps for every answer."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.catalog.models import Program
from commonground.fit.answers import CHOICES, parse_answers
from commonground.fit.ranking import rank
from commonground.fit.rules import load_rules
from commonground.search import engine
from commonground.search.query import QueryError

NOW = "2026-06-09T22:00:00Z"


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(1500, seed=9)


def answers_of(spec):
    return parse_answers(spec)


@pytest.mark.slow
def test_legacy_programs_appear_with_their_status(demo):
    ranking = rank(answers_of({}), now=NOW).ranking
    sos = next(r for r in ranking if r.program.code == "sos")
    assert any("mostly inactive" in x.text for x in sos.reasons)


@pytest.mark.slow
def test_a_place_is_one_text_never_split_on_commas(demo):
    maine = parse_answers({"near": "Portland, ME", "attend": "in_person"})
    assert maine.near == "Portland, ME"
    assert "Maine" in rank(maine, now=NOW).place_label or ", ME" in rank(maine, now=NOW).place_label
    assert rank(parse_answers({"near": "Springfield, IL", "attend": "in_person"}), now=NOW).place_label


@pytest.mark.slow
def test_a_plus_on_an_unconfirmed_fact_is_only_good_to_know(demo):
    # NA's meeting formats are not confirmed by NA's own pages.
    ranked = {r.program.code: r for r in rank(answers_of({"structure": "discussion"}), now=NOW).ranking}
    reason = next(x for x in ranked["na"].reasons if x.rule == "structure-discussion")
    assert reason.kind == "caution" and "not confirmed by the program" in reason.text and not reason.confirmed


def test_ties_are_broken_by_available_meetings(demo):
    ranking = rank(answers_of({"attend": "in_person", "near": "10001"}), now=NOW).ranking
    zero_score = [r for r in ranking if r.score == 0]
    available = [r.meetings_available for r in zero_score]
    assert available == sorted(available, reverse=True) and available[0] > 0


answer_st = st.fixed_dictionaries(
    {},
    optional={
        name: (
            st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)
            if name in ("help_with", "medication", "group", "day", "time_of_day")
            else st.sampled_from(values)
        )
        for name, values in CHOICES.items()
    },
)


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_st)
def test_every_program_appears_in_every_ranking_and_every_reason_has_a_source(answers):
    engine.reset()
    result = rank(parse_answers(answers), now=NOW)
    assert sorted(r.program.code for r in result.ranking) == sorted(Program.objects.values_list("code", flat=True))
    for ranked in result.ranking:
        facts = [x.fact for x in ranked.reasons]
        assert len(facts) == len(set(facts)), "one fact counts once"
        for reason in ranked.reasons:
            assert reason.sources and reason.text and reason.kind in ("plus", "minus", "caution", "not_for")
            assert reason.kind != "plus" or reason.confirmed
    excluded = {r.program.code for r in result.ranking if r.excluded}
    assert not {m["program"]["code"] for m in result.meetings} & excluded
    # Best score first; a program the safety layer holds back (moderation with a withdrawal risk) comes last.
    scores = [(-r.held_back, r.score) for r in result.ranking]
    assert all(a >= b for a, b in zip(scores, scores[1:], strict=False))


@pytest.mark.slow
def test_every_rule_cites_a_fact_with_sources_for_every_program_it_can_reach(db):
    for rule in load_rules():
        if rule.fact == "meetings":
            continue  # our own listings
        for program in Program.objects.all():
            assert program.fact(rule.fact)["sources"], (rule.id, program.code)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"goal": "sometimes"}, "goal"),
        ({"colour": "blue"}, "colour"),
        ({"spirituality": ["none", "christian"]}, "spirituality"),
        ({"language": "spanish"}, "language"),
        ({"their_use": "cake"}, "their_use"),
        ({"dependence": "maybe"}, "dependence"),
        ({"gender": "x"}, "gender"),
        ({"medication": "aspirin"}, "medication"),
        ({"tz": "Mars/Base"}, "tz"),
        ({"help_with": "heroin"}, "help_with"),
    ],
)
def test_bad_answers_name_their_field(params, field):
    with pytest.raises(QueryError) as info:
        parse_answers(params)
    assert info.value.field == field


@pytest.mark.slow
def test_api_get_and_post_agree(client, demo):
    query = {
        "help_with": "opioids",
        "medication": "moud",
        "their_use": "drugs",
        "dependence": "no",
        "gender": "woman",
        "tz": "America/Denver",
        "now": NOW,
    }
    got = json.loads(client.get("/api/v1/fit", query).content)
    posted = json.loads(client.post("/api/v1/fit", json.dumps(query), content_type="application/json").content)
    assert got == posted
    assert set(got) >= {"ranking", "meetings", "search_url", "notes", "help_now"}
    assert len(got["ranking"]) == Program.objects.count()
    first = got["ranking"][0]
    assert {"program", "name", "score", "reasons", "meetings_that_fit"} <= set(first)
    assert {"kind", "text", "sources", "fact", "confirmed"} <= set(first["reasons"][0])
    assert got["search_url"].startswith("/meetings?")
    assert "overdose" in {n["id"] for n in got["notes"]} and {"us-988", "us-samhsa"} <= {
        n["id"] for n in got["help_now"]
    }


@pytest.mark.slow
def test_api_answers_new_names_and_refuses_bad_values(client, demo):
    for name, value in [
        ("help_with", "gambling"),
        ("their_use", "both"),
        ("dependence", "unsure"),
        ("medication", "alcohol_medication"),
        ("gender", "nonbinary"),
        ("tz", "Asia/Kathmandu"),
    ]:
        assert client.get("/api/v1/fit", {name: value, "now": NOW}).status_code == 200, name
    for name, value in [("their_use", "friend"), ("dependence", "1"), ("gender", "female"), ("tz", "Nowhere/City")]:
        response = client.get("/api/v1/fit", {name: value, "now": NOW})
        assert response.status_code == 400 and response.json()["error"]["field"] == name, name


@pytest.mark.slow
def test_api_errors_share_the_shape(client, demo):
    body = json.loads(client.post("/api/v1/fit", json.dumps({"goal": "x"}), content_type="application/json").content)
    assert body["error"]["field"] == "goal" and body["error"]["status"] == 400
    body = json.loads(client.post("/api/v1/fit", "{not json", content_type="application/json").content)
    assert body["error"]["status"] == 400 and "JSON" in body["error"]["message"]


@pytest.mark.slow
def test_pages(client, demo):
    assert client.get("/fit").status_code == 200
    html = client.get("/fit/results", {"spirituality": "none", "medication": "moud", "now": NOW}).content.decode()
    assert "Programs that may fit you" in html and "Change my answers" in html and "Source:" in html
    assert html.count('class="ranked') == Program.objects.count()
    assert "988" in html and "1-800-662-4357" in html
    linked = client.get("/fit/results", {"attend": "online", "now": NOW}).content.decode()
    assert 'href="/meetings?mode=online&amp;now=' in linked and "&amp;program=" in linked
    bad = client.get("/fit/results", {"near": "Springfield", "attend": "in_person"})
    assert bad.status_code == 400 and "could be several places" in bad.content.decode()
    spanish = client.get("/fit/results", {"spirituality": "christian"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "está centrado en Cristo" in spanish


def test_the_questionnaire_has_at_most_thirteen_questions(client):
    html = client.get("/fit").content.decode()
    assert html.count('<fieldset class="question"') <= 13
    for name in ("help_with", "their_use", "dependence", "medication", "gender", "tz", "time_of_day", "near"):
        assert f'name="{name}"' in html, name
