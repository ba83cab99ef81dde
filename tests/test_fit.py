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

# answers, programs expected in the top three (any one of them, unless "all"), expected reasons
SCENARIOS = [
    ("secular, on buprenorphine", {"spirituality": "none", "medication": "moud"},
     {"smart", "lifering", "mara"}, "all", [("na", "caution", "leaves it to each group"),
                                            ("lifering", "plus", "welcomes people who take medication")]),
    ("Christian faith", {"spirituality": "christian"}, {"cr"}, "first", [("cr", "plus", "Christ-centered")]),
    ("family member", {"help_with": "someone_else"}, {"al-anon", "nar-anon"}, "first",
     [("aa", "minus", "family groups fit better")]),
    ("family of someone using drugs", {"help_with": ["someone_else", "drugs"]}, {"nar-anon"}, "first",
     [("nar-anon", "plus", "someone else's drug use")]),
    ("family of someone drinking", {"help_with": ["someone_else", "alcohol"]}, {"al-anon"}, "first", []),
    ("co-occurring, twelve-step", {"mental_health": "yes", "structure": "steps"}, {"dra"}, "first",
     [("dra", "plus", "both substance use and a mental-health condition")]),
    ("women-only, secular", {"group": "women", "spirituality": "none"}, {"wfs"}, "first",
     [("wfs", "plus", "women only")]),
    ("moderation", {"goal": "moderation", "help_with": "alcohol"}, {"mm"}, "all",
     [("mm", "caution", "not meant for people who are dependent"), ("smart", "plus", "choose your own goals")]),
    ("Buddhist-inspired", {"spirituality": "buddhist"}, {"rd"}, "first", [("rd", "plus", "Buddhist-inspired")]),
    ("alcohol, steps, spiritual", {"help_with": "alcohol", "structure": "steps", "spirituality": "spiritual"},
     {"aa"}, "all", [("aa", "plus", "twelve steps")]),
    ("drugs, steps", {"help_with": "drugs", "structure": "steps"}, {"na"}, "all",
     [("aa", "minus", "focuses on alcohol")]),
    ("on MOUD, wants steps", {"medication": "moud", "structure": "steps"}, {"mara"}, "first",
     [("mara", "plus", "made for people on medication")]),
    ("gambling", {"help_with": "behavior"}, {"smart", "cr", "rd"}, "all",
     [("aa", "minus", "not other behaviours")]),
    ("tools, no religion", {"structure": "tools", "spirituality": "none"}, {"smart"}, "first",
     [("smart", "plus", "practical tools")]),
    ("discussion, secular", {"structure": "discussion", "spirituality": "none"}, {"lifering"}, "first",
     [("lifering", "plus", "open conversations")]),
    ("a man", {"group": "men"}, set(), "any", [("wfs", "caution", "women only")]),
    ("psychiatric medication, co-occurring", {"medication": "psychiatric", "mental_health": "yes"}, {"dra"}, "first",
     [("dra", "plus", "psychiatric medication")]),
    ("online, secular", {"attend": "online", "spirituality": "none"}, {"smart", "lifering", "wfs"}, "any",
     [("cr", "caution", "limited or not confirmed")]),
]


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(1500, seed=9)


def answers_of(spec):
    return parse_answers(spec)


@pytest.mark.parametrize("name, answers, expected, how, reasons", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenarios(demo, name, answers, expected, how, reasons):
    result = rank(answers_of(answers), now=NOW)
    codes = [r.program.code for r in result.ranking]
    top = set(codes[:3])
    if how == "first":
        assert codes[0] in expected, codes[:5]
    elif how == "all":
        assert expected <= top, codes[:5]
    elif expected:
        assert expected & top, codes[:5]
    by_code = {r.program.code: r for r in result.ranking}
    for code, kind, words in reasons:
        texts = [(x.kind, x.text) for x in by_code[code].reasons]
        assert any(k == kind and words in t for k, t in texts), (code, texts)


def test_moderation_with_signs_of_dependence_shows_a_plain_note(demo):
    result = rank(answers_of({"goal": "moderation", "medication": "moud"}), now=NOW)
    assert result.cautions and "1-800-662-4357" in result.cautions[0]
    assert not rank(answers_of({"goal": "abstinence", "medication": "moud"}), now=NOW).cautions


def test_legacy_programs_appear_with_their_status(demo):
    ranking = rank(answers_of({}), now=NOW).ranking
    sos = next(r for r in ranking if r.program.code == "sos")
    assert any("largely inactive" in x.text for x in sos.reasons)


def test_ties_are_broken_by_available_meetings(demo):
    ranking = rank(answers_of({"attend": "in_person", "near": "10001"}), now=NOW).ranking
    zero_score = [r for r in ranking if r.score == 0]
    available = [r.meetings_available for r in zero_score]
    assert available == sorted(available, reverse=True) and available[0] > 0


answer_st = st.fixed_dictionaries({}, optional={
    name: (st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)
           if name in ("help_with", "medication", "group", "day", "time_of_day") else st.sampled_from(values))
    for name, values in CHOICES.items()})


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_st)
def test_every_program_appears_in_every_ranking_and_every_reason_has_a_source(answers):
    engine.reset()
    result = rank(parse_answers(answers), now=NOW)
    assert sorted(r.program.code for r in result.ranking) == sorted(Program.objects.values_list("code", flat=True))
    for ranked in result.ranking:
        assert ranked.score == sum(r.score for r in load_rules() if r.applies(parse_answers(answers), ranked.program))
        for reason in ranked.reasons:
            assert reason.source and reason.text and reason.kind in ("plus", "minus", "caution")
    scores = [(r.score, r.meetings_available) for r in result.ranking]
    assert scores == sorted(scores, key=lambda s: (-s[0], -s[1])) or all(
        a[0] >= b[0] for a, b in zip(scores, scores[1:], strict=False))


def test_every_rule_cites_a_fact_with_sources_for_every_program_it_can_reach(db):
    for rule in load_rules():
        for program in Program.objects.all():
            assert program.fact(rule.fact)["sources"], (rule.id, program.code)


@pytest.mark.parametrize("params, field", [({"goal": "sometimes"}, "goal"), ({"colour": "blue"}, "colour"),
                                           ({"spirituality": ["none", "christian"]}, "spirituality"),
                                           ({"language": "spanish"}, "language")])
def test_bad_answers_name_their_field(params, field):
    with pytest.raises(QueryError) as info:
        parse_answers(params)
    assert info.value.field == field


def test_api_get_and_post_agree(client, demo):
    query = {"spirituality": "none", "medication": "moud", "now": NOW}
    got = json.loads(client.get("/api/v1/fit", query).content)
    posted = json.loads(client.post("/api/v1/fit", json.dumps(query), content_type="application/json").content)
    assert got == posted
    assert set(got) >= {"ranking", "meetings", "search_url"} and len(got["ranking"]) == 14
    first = got["ranking"][0]
    assert {"program", "name", "score", "reasons"} <= set(first)
    assert {"kind", "text", "source"} <= set(first["reasons"][0])
    assert got["search_url"].startswith("/meetings?")


def test_api_errors_share_the_shape(client, demo):
    body = json.loads(client.post("/api/v1/fit", json.dumps({"goal": "x"}), content_type="application/json").content)
    assert body["error"]["field"] == "goal" and body["error"]["status"] == 400
    body = json.loads(client.post("/api/v1/fit", "{not json", content_type="application/json").content)
    assert body["error"]["status"] == 400 and "JSON" in body["error"]["message"]


def test_pages(client, demo):
    assert client.get("/fit").status_code == 200
    html = client.get("/fit/results", {"spirituality": "none", "medication": "moud", "now": NOW}).content.decode()
    assert "Programs that may fit you" in html and "Change my answers" in html and "Source:" in html
    assert html.count('class="ranked') == 14
    linked = client.get("/fit/results", {"attend": "online", "now": NOW}).content.decode()
    assert 'href="/meetings?mode=online&amp;now=' in linked and "&amp;program=smart" in linked
    bad = client.get("/fit/results", {"near": "Springfield", "attend": "in_person"})
    assert bad.status_code == 400 and "could be several places" in bad.content.decode()
    spanish = client.get("/fit/results", {"spirituality": "christian"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "está centrado en Cristo" in spanish
