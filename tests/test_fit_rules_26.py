"""Issue 26, section 3: ranking and catalog fixes, checked over every combination they concern.

- Moderation is never endorsed to a person whose answers mean withdrawal risk (alcohol, or
  alcohol and drugs, with dependence "yes" or "unsure"): Moderation Management is "not for you",
  out of the top three and out of the meetings, and no plus speaks of cutting down or of
  choosing your own goals.
- Gambling with any substance: Gamblers Anonymous ranks for the gambling; a gambling-only
  program is "not for you" to a person who said nothing of gambling, and none of its meetings fit.
- Celebrate Recovery says it is Christ-centred whenever Christian support was not asked for.
- Online medication treatment tells a person with opioids who is not on medication that they can
  start it there, and never cautions that it is meant for people already on medication.
- Catalog corrections, each with its source.
"""

import itertools
import re

import pytest

from commonground.catalog.loader import PROGRAMS_DIR, read_program_file
from commonground.catalog.models import Program
from commonground.fit.answers import CHOICES, parse_answers
from commonground.fit.ranking import TOP, rank
from commonground.fit.rules import load_rules
from tests.tiers import sweep

NOW = "2026-06-09T18:00:00Z"
MODERATION_WORDS = re.compile(
    r"cut(ting)? down|cut back|moderat|choose your own|own goals|reducir|moderaci|elige sus propias metas", re.I
)
CHRIST = re.compile(r"Christ-cent(red|ered)|centrado en Cristo", re.I)


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(1500, seed=9)


def codes(result, n=TOP):
    return [r.program.code for r in result.ranking[:n]]


def by_code(result):
    return {r.program.code: r for r in result.ranking}


def meeting_codes(result):
    return {m["program"]["code"] for m in result.meetings}


# --- 1. Moderation and withdrawal risk ---------------------------------------------------------
GOALS = (*CHOICES["goal"], None)
MEDICATIONS = (*CHOICES["medication"], None)
WITHDRAWAL_RISK = list(itertools.product(("alcohol", "both"), ("yes", "unsure"), GOALS, MEDICATIONS))


def test_every_moderation_friendly_rule_is_guarded_by_dependence():
    friendly = [
        r
        for r in load_rules()
        if r.kind == "plus"
        and (
            set(r.program.get("goal", ())) & {"moderation-or-abstinence", "self-chosen"}
            or "moderation" in r.when.get("goal", ())
        )
    ]
    assert friendly, "there are moderation-friendly rules to guard"
    for rule in friendly:
        assert {"yes", "unsure"} <= set(rule.unless.get("dependence", ())), rule.id
        assert "withdrawal_risk" in rule.unless.get("needs", ()), rule.id  # sedatives too
    # A minus on an abstinence program for wanting to cut down is moderation-friendly too.
    for rule in load_rules():
        if "moderation" in rule.when.get("goal", ()) and rule.kind in ("minus", "caution"):
            assert {"yes", "unsure"} <= set(rule.unless.get("dependence", ())), rule.id


# Sedatives (benzodiazepines, sleeping pills) are a withdrawal risk whatever the dependence answer.
SEDATIVES = list(itertools.product(("sedatives",), ("no", None), GOALS, MEDICATIONS))


@pytest.mark.slow
def test_withdrawal_risk_never_meets_moderation(demo):
    """Every combination of help_with x dependence x goal x medication (96, and 48 for sedatives),
    in English and Spanish."""
    checked = 0
    for help_with, dependence, goal, medication in WITHDRAWAL_RISK + SEDATIVES:
        spec = {"help_with": help_with, **({"dependence": dependence} if dependence else {})}
        if goal:
            spec["goal"] = goal
        if medication:
            spec["medication"] = medication
        for language in ("en", "es"):
            result = rank(parse_answers(spec), language=language, now=NOW)
            ranked = by_code(result)
            label = (spec, language)
            assert "mm" not in codes(result), label
            assert any(x.kind == "not_for" and x.fact == "audience" for x in ranked["mm"].reasons), label
            assert ranked["mm"].excluded and "mm" not in meeting_codes(result), label
            assert "mm" not in result.meeting_programs, label
            for r in result.ranking:
                for x in r.reasons:
                    if x.kind == "plus" or (x.kind == "caution" and not x.confirmed):
                        text = x.text.replace(r.program.text("name", language), "{program}")  # "Moderation M."
                        assert not MODERATION_WORDS.search(text), (label, r.program.code, x.rule, x.text)
            checked += 1
    assert checked == (len(WITHDRAWAL_RISK) + len(SEDATIVES)) * 2 == 288


@pytest.mark.slow
def test_mm_not_for_cites_clinical_guidance(demo):
    result = rank(parse_answers({"help_with": "alcohol", "dependence": "unsure", "goal": "moderation"}), now=NOW)
    reason = next(x for x in by_code(result)["mm"].reasons if x.kind == "not_for")
    assert any("niaaa.nih.gov" in s["url"] for s in reason.sources), reason.sources


@pytest.mark.slow
def test_without_dependence_moderation_still_fits(demo):
    for dependence in ("no", None):
        spec = {"help_with": "alcohol", "goal": "moderation", **({"dependence": dependence} if dependence else {})}
        result = rank(parse_answers(spec), now=NOW)
        assert codes(result, 1) == ["mm"], spec


# --- 2. Gambling ---------------------------------------------------------------------------------
SUBSTANCES = ("alcohol", "drugs", "both", "opioids", "stimulants", "cannabis")


@sweep("substance", SUBSTANCES)
def test_gambling_with_a_substance_ranks_ga_for_the_gambling(demo, substance):
    result = rank(parse_answers({"help_with": ["gambling", substance]}), now=NOW)
    ga = by_code(result)["ga"]
    assert any(x.rule == "focus-gambling" and x.kind == "plus" for x in ga.reasons), ga.reasons
    assert not any(x.kind == "not_for" for x in ga.reasons), ga.reasons
    assert "ga" in codes(result)


NO_GAMBLING = (
    [{"help_with": h} for h in ("alcohol", "drugs", "both", "opioids", "stimulants", "cannabis", "behavior")]
    + [{"help_with": "someone_else", "their_use": t} for t in ("drinking", "drugs", "both")]
    + [{"help_with": ["someone_else", "alcohol"], "their_use": "drugs"}]
)


@pytest.mark.slow
@pytest.mark.parametrize("spec", NO_GAMBLING, ids=lambda s: "-".join(str(v) for v in s.values()))
def test_a_gambling_only_program_is_not_for_a_person_without_gambling(demo, spec):
    result = rank(parse_answers(spec), now=NOW)
    for code in ("ga", "gam-anon"):
        ranked = by_code(result)[code]
        assert any(x.kind == "not_for" for x in ranked.reasons), (code, ranked.reasons)
        assert code not in meeting_codes(result) and code not in codes(result)


@pytest.mark.slow
def test_family_of_a_gambler_keeps_gam_anon(demo):
    result = rank(parse_answers({"help_with": "someone_else", "their_use": "gambling"}), now=NOW)
    assert codes(result, 1) == ["gam-anon"]
    assert not any(x.kind == "not_for" for x in by_code(result)["gam-anon"].reasons)


# --- 3. Celebrate Recovery is Christ-centred ---------------------------------------------------------
SPIRITUALITY = [s for s in (*CHOICES["spirituality"], None) if s != "christian"]
WHO = [
    {},
    {"help_with": "alcohol"},
    {"help_with": "drugs"},
    {"help_with": "behavior"},
    *({"help_with": "someone_else", "their_use": t} for t in CHOICES["their_use"]),
    {"help_with": "someone_else"},
]


@pytest.mark.slow
def test_celebrate_recovery_says_it_is_christ_centred_unless_christian_support_was_asked(demo):
    checked = 0
    for who, spirituality in itertools.product(WHO, SPIRITUALITY):
        spec = {**who, **({"spirituality": spirituality} if spirituality else {})}
        for language in ("en", "es"):
            cr = by_code(rank(parse_answers(spec), language=language, now=NOW))["cr"]
            said = [x for x in cr.reasons if CHRIST.search(x.text)]
            assert said and all(x.kind in ("caution", "minus", "not_for") for x in said), (spec, language)
            assert any(x.fact == "spiritual_content" for x in said)
            checked += 1
    assert checked == len(WHO) * len(SPIRITUALITY) * 2


@pytest.mark.slow
def test_celebrate_recovery_is_not_second_for_every_family_member(demo):
    for their_use in ("drinking", "drugs", "gambling"):
        result = rank(parse_answers({"help_with": "someone_else", "their_use": their_use}), now=NOW)
        assert codes(result, 2)[1] != "cr", their_use


@pytest.mark.slow
def test_christian_support_asked_is_still_a_plus(demo):
    cr = by_code(rank(parse_answers({"spirituality": "christian", "help_with": "alcohol"}), now=NOW))["cr"]
    assert any(x.rule == "christian-wanted" and x.kind == "plus" for x in cr.reasons)


# --- 4. Online medication treatment can start medication ----------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("medication", ["none", "undisclosed", "psychiatric", None])
@pytest.mark.parametrize("help_with", ["opioids", ["opioids", "alcohol"]])
def test_online_moud_tells_a_person_not_on_medication_they_can_start(demo, help_with, medication):
    spec = {"help_with": help_with, **({"medication": medication} if medication else {})}
    for language in ("en", "es"):
        result = rank(parse_answers(spec), language=language, now=NOW)
        moud = by_code(result)["moud-online"]
        assert not any(x.rule == "medication-only-audience" for x in moud.reasons), moud.reasons
        assert not any(
            re.search(r"meant for people on medication|pensado para personas que toman", x.text) and x.kind != "plus"
            for x in moud.reasons
        ), moud.reasons
        audience = [x for x in moud.reasons if x.fact == "audience"]
        assert audience and audience[0].kind == "plus", moud.reasons
        assert re.search(r"start|empezar", audience[0].text), audience[0].text
    if help_with == "opioids":  # with alcohol too it ties at the third place, and ties go by meetings listed
        assert "moud-online" in codes(result)


# --- 5. Catalog corrections --------------------------------------------------------------------
def program_file(code):
    return read_program_file(PROGRAMS_DIR / f"{code}.toml")


def fact_urls(data, fact):
    return [data["sources"][s]["url"] for s in data["facts"][fact]["sources"]]


def test_smart_supports_prescribed_psychiatric_medication_in_its_own_words():
    data = program_file("smart")
    fact = data["facts"]["psychiatric_medication"]
    assert fact["value"] == "welcoming" and fact.get("confirmed", True)
    assert any(
        data["sources"][s]["kind"] == "primary" and "smartrecovery" in data["sources"][s]["url"]
        for s in fact["sources"]
    )


def test_wfs_statement_8_is_cited_from_its_own_site():
    data = program_file("wfs")
    assert any("womenforsobriety.org" in u for u in fact_urls(data, "spiritual_content"))
    assert "reprint" not in data["facts"]["spiritual_content"]["note"]


def test_telehealth_buprenorphine_rule_extended_through_2026():
    data = program_file("moud-online")
    assert "31 December 2026" in data["facts"]["online"]["note"]
    assert "31 de diciembre de 2026" in data["i18n"]["es"]["notes"]["online"]
    assert "Which rules apply in 2026 is not confirmed" not in data["facts"]["online"]["note"]
    assert any(
        "hhs.gov" in u or "federalregister.gov" in u or "govinfo.gov/content/pkg/FR-2025-12" in u
        for u in fact_urls(data, "online")
    )


def test_mm_not_for_is_attributed_to_clinical_guidance():
    data = program_file("mm")
    assert "niaaa" in data["not_for"].lower() or "National Institute on Alcohol" in data["not_for"]
    assert any("niaaa.nih.gov" in u for u in fact_urls(data, "audience"))
    # Its summary and page no longer put the older wording in MM's mouth as its current text.
    assert "MM says its program is not meant" not in data["not_for"]


@pytest.mark.django_db
def test_spanish_names():
    # Meeting-finder links for DRA, MARA, SMART Family & Friends, MM and Gam-Anon are not here: none
    # could be confirmed on the programs' own pages on 2026-12-07 (see the issue 26 report).
    for code in ("al-anon", "moud-online"):
        program = Program.objects.get(code=code)
        assert program.text("name", "es") != program.name, code
