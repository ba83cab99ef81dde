"""The safety layer's rules as properties over the whole answer space (issue 26; docs/safety.md).

The first test walks every combination of the safety-relevant answers (help_with subsets of size 0-2,
their_use, dependence, medication, pregnant, recently_left, crisis, age): the notes the layer decides
must be exactly the ones an oracle written from the rules' own words expects, in order of urgency.
The words themselves are checked once per note and variant, in every country we list and in both
languages; the ranking-level rules (moderation held back, online-only without a place, family
members never sent to meetings for people with their own use) run over the full ranking.
"""

from __future__ import annotations

from itertools import combinations, product

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground import safety
from commonground.fit.answers import CHOICES, Answers, parse_answers
from commonground.safety import countries
from commonground.safety.guidance import URGENCY, decide
from commonground.safety.situation import SUBSTANCES, Moment, Situation

HELP = CHOICES["help_with"]
SUBSETS = [()] + [(a,) for a in HELP] + list(combinations(HELP, 2))
THEIR = (None, "drinking", "drugs", "both", "gambling")
DEPENDENCE = (None, "yes", "no", "unsure")
MEDICATION = ((), ("moud",), ("alcohol_medication",), ("none",), ("moud", "psychiatric"))
PREGNANT = (None, "yes", "no", "undisclosed")
LEFT = ((), ("prison",), ("detox", "hospital"), ("none",))
CRISIS = (None, "yes", "no")
AGE = (None, "under_18", "25_64")
OWN_DRUGS = {"drugs", "both", "opioids", "stimulants", "sedatives"}


def expected_notes(a: dict) -> list[str]:
    """The rules of issue 26, written again from their words, independently of the layer's code."""
    helped = set(a.get("help_with", ()))
    own = helped - {"someone_else"}
    family = "someone_else" in helped
    their = a.get("their_use")
    drinks = bool(own & {"alcohol", "both"})
    own_drugs = bool(own & OWN_DRUGS)
    moud = "moud" in a.get("medication", ())
    dep = a.get("dependence")
    out = set()
    if a.get("crisis") == "yes":
        out.add("crisis")  # rule 1
    if own_drugs or moud or (family and their in ("drugs", "both")):
        out.add("overdose")  # rule 2 (opioid medication: the mixing and tolerance risks are the same)
    if "sedatives" in own or (drinks and dep in ("yes", "unsure")):
        out.add("withdrawal")  # rule 3
    elif drinks and dep is None:
        out.add("withdrawal-question")
    if (drinks or "sedatives" in own) and ("opioids" in own or moud):
        out.add("mixing")  # rule 5
    if a.get("pregnant") == "yes" and (drinks or own_drugs or "cannabis" in own):
        out.add("pregnancy")  # rule 6
    if a.get("age") == "under_18":
        out.add("youth")  # rule 8
    if "gambling" in own or (family and their == "gambling"):
        out.add("gambling")
    return sorted(out, key=URGENCY.index)


def _grid():
    for helped in SUBSETS:
        for their in THEIR if "someone_else" in helped else (None,):
            for dep, med, preg, left, crisis, age in product(DEPENDENCE, MEDICATION, PREGNANT, LEFT, CRISIS, AGE):
                a = {
                    "help_with": helped,
                    "their_use": their,
                    "dependence": dep,
                    "medication": med,
                    "pregnant": preg,
                    "recently_left": left,
                    "crisis": crisis,
                    "age": age,
                }
                yield {k: v for k, v in a.items() if v not in (None, ())}


def _answers(a: dict) -> Answers:
    return Answers(values={k: (v if isinstance(v, tuple) else (v,)) for k, v in a.items()})


GRID_SIZE = 276_480


def settings_help_country() -> str:
    from django.conf import settings as django_settings

    return django_settings.HELP_COUNTRY


@pytest.mark.slow
def test_every_combination_of_safety_answers_gets_exactly_the_notes_its_rules_call_for(capsys):
    checked = 0
    for a in _grid():
        situation = _answers(a).situation()
        decision = decide(situation)
        want = expected_notes(a)
        assert list(decision.notes) == want, (a, decision.notes)
        if a.get("crisis") == "yes":
            assert decision.notes[0] == "crisis"  # rule 1: nothing before it
        left = set(a.get("recently_left", ())) - {"none"}
        own_drug_use = bool(set(a.get("help_with", ())) & OWN_DRUGS) or "moud" in a.get("medication", ())
        assert decision.tolerance_first == bool(left and own_drug_use), a  # rule 7
        # Rule 4's input: moderation is unsafe exactly when stopping may bring dangerous withdrawal.
        assert situation.withdrawal_risk == ("withdrawal" in want), a
        checked += 1
    with capsys.disabled():
        print(f"\n  safety rules 1-3, 5-8: {checked:,} combinations of answers checked")
    assert checked == GRID_SIZE


def test_the_country_grid_lines_are_the_countrys_own_and_the_crisis_line_comes_first():
    listed = countries.all_countries()
    unlisted = sorted(countries.iso_codes() - set(listed) - {t for c in listed.values() for t in c.territories})[:3]
    checked = 0
    for code in [*listed, *unlisted, ""]:
        for crisis, helped in product(CRISIS, (("alcohol",), ("opioids",), ("gambling",), ("someone_else",))):
            a = {"help_with": helped, **({"crisis": crisis} if crisis else {})}
            g = safety.guidance(_answers(a).situation(country=code))
            if crisis == "yes":
                assert g.notes[0].id == "crisis"
            if code in listed:
                assert g.country is listed[code] and g.country_known
                assert g.emergency == listed[code].emergency
                assert g.lines[0].tel == listed[code].crisis_line.tel_href  # rule 1 and 9
                assert {line.id for line in g.lines} <= {line.id for line in listed[code].lines}
            elif code:
                assert g.country is None and g.lines == []  # no invented number
                assert any(href == g.directory_url for n in g.notes for _label, href in n.links) or crisis != "yes"
            else:  # unknown: the home country's lines, and the page says so (country_known is False)
                assert not g.country_known and g.country is countries.get_country(settings_help_country())
            numbers = " ".join(line.number + line.tel for line in g.lines) + " ".join(
                n.text + " ".join(h for _l, h in n.links) for n in g.notes
            )
            serves_988 = g.country is not None and g.country.code in ("US", "CA")
            if not serves_988:
                assert "988" not in numbers, code
            if g.country is None or g.country.code != "US":
                assert "662-4357" not in numbers and "6624357" not in numbers, code
            if "911" in numbers:
                assert g.emergency == "911", code
            checked += 1
    assert checked >= (len(listed) + 4) * 12


SITUATIONS_BY_NOTE = {
    "crisis": Situation(crisis="yes"),
    "struggling": Situation(moment=Moment("checkin", mood=1, craving=3)),
    "overdose": Situation(own=frozenset({"stimulants"})),
    "withdrawal": Situation(own=frozenset({"sedatives"})),
    "withdrawal-question": Situation(own=frozenset({"alcohol"})),
    "mixing": Situation(own=frozenset({"alcohol", "opioids"}), dependence="no"),
    "pregnancy": Situation(own=frozenset({"alcohol"}), dependence="no", pregnant="yes"),
    "youth": Situation(age="under_18"),
    "gambling": Situation(own=frozenset({"gambling"})),
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_note_is_written_sourced_and_in_the_countrys_terms(language):
    assert set(SITUATIONS_BY_NOTE) == set(URGENCY)
    for code in [*countries.all_countries(), "", "KE"]:
        for note_id, situation in SITUATIONS_BY_NOTE.items():
            with translation.override(language):
                g = safety.guidance(Situation(**{**situation.__dict__, "country": code}))
            note = g.note(note_id)
            assert note is not None and note.title and len(note.text) > 60, (code, note_id)
            assert note.sources or note_id == "gambling", note_id
            for row in note.source_rows():
                assert row["url"].startswith("https://") and row["checked"]
            if g.emergency and note_id in ("crisis", "overdose", "withdrawal"):
                assert g.emergency in note.text + " ".join(h for _l, h in note.links), (code, note_id)


def test_the_overdose_note_says_what_rule_2_asks_and_leads_with_tolerance_after_a_break():
    own = safety.guidance(Situation(own=frozenset({"stimulants"}), country="US")).note("overdose").text
    for words in ("naloxone", "alone", "Fentanyl", "cocaine", "pills", "break"):
        assert words in own, words
    after = safety.guidance(Situation(own=frozenset({"opioids"}), recently_left=frozenset({"prison"}))).note("overdose")
    assert after.text.startswith("After any break"), after.text
    slip = safety.guidance(Situation(moment=Moment("reset", substance="opioids"))).note("overdose")
    assert slip.text.startswith("After any break")
    family = safety.guidance(Situation(family=frozenset({"drugs"}))).note("overdose").text
    for words in ("naloxone", "alone", "Fentanyl", "break"):
        assert words in family, words


MOMENT_NOTES = ["", "I had a good day at work", "I just want to die", "ya no quiero vivir", "me muero de risa"]


def test_every_companion_moment_leads_with_what_it_must(capsys):
    checked = 0
    for substance in (*SUBSTANCES, "other"):
        d = decide(Situation(moment=Moment("reset", substance=substance)))
        drug = substance in ("opioids", "stimulants", "sedatives", "drugs")
        assert (d.notes[:1] == ("overdose",)) == drug, substance
        assert d.tolerance_first == drug
        assert ("withdrawal" in d.notes) == (substance in ("alcohol", "sedatives")), substance
        checked += 1
    for mood, craving, note in product(range(1, 6), range(0, 11), MOMENT_NOTES):
        s = Situation(moment=Moment("checkin", mood=mood, craving=craving, note=note))
        d = decide(s)
        words = note in ("I just want to die", "ya no quiero vivir")
        hard = mood <= 2 or craving >= 8
        if words:
            assert d.notes[0] == "crisis", (mood, craving, note)
        elif hard:
            assert d.notes[0] == "struggling", (mood, craving, note)
        else:
            assert d.notes == (), (mood, craving, note)
        checked += 1
    with capsys.disabled():
        print(f"\n  companion moments: {checked} checked")


# --- the ranking-level rules (4, 10, 11), over the full ranking ---------------------------------


def _moderation(code_facts) -> bool:
    return code_facts.get("goal", {}).get("value") == "moderation-or-abstinence"


@pytest.mark.slow
@pytest.mark.django_db
def test_rule_4_10_and_11_hold_for_every_help_with_subset_and_dependence(fit_demo_data, capsys):
    from commonground.fit.ranking import rank

    checked = 0
    for helped, dep in product(SUBSETS, DEPENDENCE):
        theirs = ("drugs",) if helped == ("someone_else",) else ()
        a = {
            "help_with": helped,
            "goal": "moderation",
            **({"dependence": dep} if dep else {}),
            **({"their_use": theirs[0]} if theirs else {}),
        }
        result = rank(
            parse_answers({k: list(v) if isinstance(v, tuple) else v for k, v in a.items()}), now="2026-06-09T18:00:00Z"
        )
        _ranking_rules(result)
        checked += 1
    with capsys.disabled():
        print(f"\n  ranking rules 4, 10, 11: {checked} rankings checked")


def _ranking_rules(result) -> None:
    situation = result.guidance.situation
    if situation.withdrawal_risk:  # rule 4
        top = result.ranking[:3]
        assert not [r.program.code for r in top if _moderation(r.program.facts)]
        for r in result.ranking:
            if _moderation(r.program.facts):
                assert r.excluded
            for reason in r.reasons:
                if reason.kind == "plus":
                    text = reason.text.lower().replace(r.program.name.lower(), "")
                    assert not any(
                        w in text for w in ("cut down", "cutting down", "moderat", "own goal", "choose your")
                    ), reason.text
        fitting = {m["program"]["code"] for m in result.meetings}
        assert not {r.program.code for r in result.ranking if _moderation(r.program.facts)} & fitting
    if not result.answers.near:  # rule 10
        assert all(m["mode"] in ("online", "hybrid") for m in result.meetings), [m["mode"] for m in result.meetings]
    if situation.family and not situation.own:  # rule 11
        for m in result.meetings:
            facts = next(r.program.facts for r in result.ranking if r.program.code == m["program"]["code"])
            assert facts.get("family_of", {}).get("value") != ["not-applicable"], m["program"]["code"]
    if situation.crisis == "yes":  # rule 1, on the result
        assert result.notes[0].id == "crisis"


PLACES = ["", "", "10001", "Denver, CO", "London, United Kingdom", "Sydney, Australia"]
answer_st = st.fixed_dictionaries(
    {},
    optional={
        **{
            name: (
                st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)
                if name in ("help_with", "medication", "group", "day", "time_of_day", "recently_left")
                else st.sampled_from(values)
            )
            for name, values in CHOICES.items()
        },
        "near": st.sampled_from(PLACES),
        "country": st.sampled_from(["US", "GB", "CA", "AU", "KE"]),
        "tz": st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney"]),
    },
)


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(a=answer_st)
def test_every_rule_holds_for_any_answers_at_all(fit_demo_data, a):
    from commonground.fit.ranking import rank

    result = rank(parse_answers({k: v for k, v in a.items() if v != ""}), now="2026-06-09T18:00:00Z")
    _ranking_rules(result)
    flat = {k: (tuple(v) if isinstance(v, list) else v) for k, v in a.items()}
    assert [n.id for n in result.notes] == expected_notes(flat)


@pytest.mark.parametrize("code", ["US", "GB", "KE", ""])
def test_the_help_pages_basics_are_the_layers_overdose_withdrawal_and_mixing_notes(code):
    g = safety.basics(code)
    assert [n.id for n in g.notes] == ["overdose", "withdrawal", "mixing"]
    entry = countries.get_country(code) if code else countries.get_country(settings_help_country())
    if entry is not None:
        assert [line.id for line in g.lines] == [
            line.id for kind in ("crisis", "drugs", "gambling", "youth") for line in entry.lines_of(kind)
        ]
