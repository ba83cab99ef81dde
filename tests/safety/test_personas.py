"""Fifty-six people walk through the fit finder, as a peer specialist would walk them (issue 26).

Each persona's answers are ranked in English and in Spanish; the checks are what a reviewer would
look at: what comes first on the page, which safety notes show, whose help lines, which programs
lead or must not, and where the meetings that fit are. Every class of the review is here: a slip
after prison, benzodiazepines and sleeping pills, stimulants, families, mixing with MOUD, people
abroad, crises, moderation with withdrawal risk, the ranking gaps, pregnancy, youth, ASL, night.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from commonground.fit.answers import parse_answers
from commonground.fit.ranking import rank

NOW = "2026-06-09T18:00:00Z"  # a Tuesday, 12:00 in Denver, 19:00 in London
US = {"first_line": "988", "emergency": "911"}

P = {
    # --- overdose, tolerance, a break -------------------------------------------------------------
    "01 heroin, just out of prison": dict(
        a={"help_with": "opioids", "recently_left": "prison"}, notes=["overdose"], tolerance_first=True, **US
    ),
    "02 fentanyl, left detox and hospital": dict(
        a={"help_with": "opioids", "recently_left": ["detox", "hospital"]}, first_note="overdose", tolerance_first=True
    ),
    "03 cocaine user": dict(a={"help_with": "stimulants"}, notes=["overdose"], first="ca", top=["cma"]),
    "04 meth, left treatment": dict(
        a={"help_with": "stimulants", "recently_left": "treatment"},
        notes=["overdose"],
        tolerance_first=True,
        top=["ca", "cma"],
    ),
    "05 pills from a friend (other drugs)": dict(a={"help_with": "drugs"}, notes=["overdose"]),
    "06 cannabis only": dict(a={"help_with": "cannabis"}, no_notes=["overdose", "withdrawal", "mixing"]),
    "07 parent of someone who uses drugs": dict(
        a={"help_with": "someone_else", "their_use": "drugs"}, notes=["overdose"], family_only=True
    ),
    "08 partner drinks and uses": dict(
        a={"help_with": "someone_else", "their_use": "both"},
        notes=["overdose"],
        family_only=True,
        no_notes=["withdrawal", "withdrawal-question"],
    ),
    # --- sedatives and withdrawal -----------------------------------------------------------------
    "09 benzodiazepines, says no withdrawal": dict(
        a={"help_with": "sedatives", "dependence": "no"}, notes=["withdrawal", "overdose"]
    ),
    "10 sleeping pills, unsure": dict(a={"help_with": "sedatives", "dependence": "unsure"}, notes=["withdrawal"]),
    "11 drinks daily, shakes in the morning": dict(
        a={"help_with": "alcohol", "dependence": "yes"}, notes=["withdrawal"], no_notes=["withdrawal-question"]
    ),
    "12 drinks, did not answer withdrawal": dict(a={"help_with": "alcohol"}, notes=["withdrawal-question"]),
    "13 drinks, no withdrawal signs": dict(
        a={"help_with": "alcohol", "dependence": "no"}, no_notes=["withdrawal", "withdrawal-question"]
    ),
    "14 benzos and alcohol": dict(
        a={"help_with": ["sedatives", "alcohol"], "dependence": "no"},
        notes=["withdrawal", "overdose"],
        no_notes=["mixing"],
    ),
    # --- mixing -----------------------------------------------------------------------------------
    "15 on methadone, drinks": dict(
        a={"help_with": "alcohol", "medication": "moud", "dependence": "no"}, notes=["mixing", "overdose"]
    ),
    "16 on buprenorphine, drinks with shakes": dict(
        a={"help_with": "alcohol", "medication": "moud", "dependence": "yes"}, notes=["mixing", "withdrawal"]
    ),
    "17 opioids and sleeping pills": dict(
        a={"help_with": ["opioids", "sedatives"]}, notes=["mixing", "withdrawal", "overdose"], first_note="overdose"
    ),
    "18 heroin and alcohol": dict(
        a={"help_with": ["opioids", "alcohol"], "dependence": "unsure"}, notes=["mixing", "withdrawal", "overdose"]
    ),
    # --- moderation with withdrawal risk ----------------------------------------------------------
    "19 wants to cut down, shakes": dict(
        a={"help_with": "alcohol", "goal": "moderation", "dependence": "yes"},
        not_top=["mm"],
        no_meetings=["mm"],
        notes=["withdrawal"],
        no_goal_plus=True,
    ),
    "20 wants to cut down, unsure": dict(
        a={"help_with": "alcohol", "goal": "moderation", "dependence": "unsure"},
        not_top=["mm"],
        no_meetings=["mm"],
        no_goal_plus=True,
    ),
    "21 wants to cut down, not asked": dict(
        a={"help_with": "alcohol", "goal": "moderation"}, notes=["withdrawal-question"]
    ),
    "22 wants to cut down, no signs": dict(
        a={"help_with": "alcohol", "goal": "moderation", "dependence": "no"}, top=["mm"], no_notes=["withdrawal"]
    ),
    "23 cut down, both, shakes": dict(
        a={"help_with": "both", "goal": "moderation", "dependence": "yes"},
        not_top=["mm"],
        notes=["withdrawal", "overdose"],
        no_goal_plus=True,
    ),
    # --- people abroad ----------------------------------------------------------------------------
    "24 Londoner, drinking": dict(
        a={"help_with": "alcohol", "near": "London, United Kingdom"},
        first_line="116 123",
        emergency="999",
        never=["988", "662-4357"],
    ),
    "25 Londoner in crisis, no place, London zone": dict(
        a={"crisis": "yes", "tz": "Europe/London"},
        first_note="crisis",
        first_line="116 123",
        emergency="999",
        never=["988"],
    ),
    "26 Sydney, opioids": dict(
        a={"help_with": "opioids", "near": "Sydney, Australia"},
        first_line="13 11 14",
        emergency="000",
        never=["988", "911"],
    ),
    "27 Dublin, crisis": dict(
        a={"crisis": "yes", "country": "IE"}, first_note="crisis", first_line="116 123", never=["988"]
    ),
    "28 Toronto, opioids": dict(
        a={"help_with": "opioids", "near": "Toronto, Canada"}, first_line="988", emergency="911", never=["662-4357"]
    ),
    "29 Mexico City, alcohol": dict(
        a={"help_with": "alcohol", "near": "Mexico City, Mexico"}, emergency="911", never=["988", "662-4357"]
    ),
    "30 Madrid, opioids": dict(
        a={"help_with": "opioids", "country": "ES"}, emergency="112", first_line="024", never=["988", "911"]
    ),
    "31 Paris, crisis": dict(
        a={"crisis": "yes", "country": "FR"}, first_note="crisis", first_line="3114", emergency="112"
    ),
    "32 Berlin, gambling": dict(a={"help_with": "gambling", "country": "DE"}, emergency="112", never=["988"]),
    "33 São Paulo, crisis": dict(
        a={"crisis": "yes", "country": "BR"}, first_note="crisis", first_line="188", emergency="192"
    ),
    "34 Buenos Aires, drugs": dict(a={"help_with": "drugs", "country": "AR"}, never=["988"]),
    "35 Mumbai, alcohol": dict(a={"help_with": "alcohol", "country": "IN"}, first_line="14416", never=["988"]),
    "36 Auckland, crisis": dict(
        a={"crisis": "yes", "country": "NZ"}, first_note="crisis", first_line="1737", emergency="111"
    ),
    "37 Nairobi, crisis (a country we do not list)": dict(
        a={"crisis": "yes", "country": "KE"}, first_note="crisis", no_lines=True, never=["988", "911"]
    ),
    "38 Rome, sedatives": dict(a={"help_with": "sedatives", "country": "IT"}, notes=["withdrawal"], emergency="112"),
    # --- crisis -----------------------------------------------------------------------------------
    "39 veteran in crisis, drinking": dict(a={"help_with": "alcohol", "crisis": "yes"}, first_note="crisis", **US),
    "40 everything at once, in the UK": dict(
        a={
            "help_with": ["opioids", "alcohol"],
            "crisis": "yes",
            "pregnant": "yes",
            "recently_left": "prison",
            "country": "GB",
        },
        first_note="crisis",
        notes=["overdose", "mixing", "pregnancy", "withdrawal-question"],
        tolerance_first=True,
        first_line="116 123",
        never=["988"],
    ),
    "41 says no crisis": dict(a={"help_with": "alcohol", "crisis": "no"}, no_notes=["crisis"]),
    # --- pregnancy, age ---------------------------------------------------------------------------
    "42 pregnant, opioids": dict(
        a={"help_with": "opioids", "pregnant": "yes"}, notes=["pregnancy", "overdose"], top=["moud-online"]
    ),
    "43 pregnant, drinks with shakes": dict(
        a={"help_with": "alcohol", "pregnant": "yes", "dependence": "yes"}, notes=["pregnancy", "withdrawal"]
    ),
    "44 pregnant, gambling only": dict(a={"help_with": "gambling", "pregnant": "yes"}, no_notes=["pregnancy"]),
    "45 sixteen, cannabis": dict(a={"help_with": "cannabis", "age": "under_18"}, notes=["youth"]),
    "46 teen whose parent drinks": dict(
        a={"help_with": "someone_else", "their_use": "drinking", "age": "under_18"},
        notes=["youth"],
        top=["al-anon"],
        family_only=True,
    ),
    "47 seventy, drinks": dict(a={"help_with": "alcohol", "age": "65_plus"}, notes=["withdrawal-question"]),
    # --- the ranking gaps -------------------------------------------------------------------------
    "48 gambles and drinks": dict(
        a={"help_with": ["gambling", "alcohol"], "dependence": "no"}, top=["ga"], not_not_for=["ga"], notes=["gambling"]
    ),
    "49 uses drugs, never gambled": dict(
        a={"help_with": "drugs"}, not_for=["ga", "gam-anon"], no_meetings=["ga", "gam-anon"]
    ),
    "50 family of a drinker, secular": dict(
        a={"help_with": "someone_else", "their_use": "drinking", "spirituality": "none"},
        says={"cr": "Christ"},
        family_only=True,
    ),
    "51 family of a drinker, no spirituality answer": dict(
        a={"help_with": "someone_else", "their_use": "drinking"}, says={"cr": "Christ"}, family_only=True
    ),
    "52 opioids, not yet on medication": dict(
        a={"help_with": "opioids", "medication": "none"},
        top=["moud-online"],
        not_cautioned={"moud-online": "medication"},
    ),
    "53 wants in person, gave no place": dict(a={"help_with": "alcohol", "attend": "in_person"}, online_only=True),
    "54 deaf, wants ASL meetings": dict(a={"help_with": "alcohol", "group": "asl"}, online_only=True),
    "55 Indigenous, drinking": dict(a={"help_with": "alcohol", "spirituality": "indigenous"}, top=["wellbriety"]),
    "56 Muslim, drugs": dict(a={"help_with": "drugs", "spirituality": "muslim"}, top=["millati-islami"]),
}


def _ids(result) -> list[str]:
    return [n.id for n in result.notes]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", sorted(P))
def test_persona(name, language, fit_demo_data):
    case = P[name]
    with translation.override(language):
        result = rank(parse_answers(case["a"]), language=language, now=NOW)
        english = None
        if language == "es":
            with translation.override("en"):
                english = rank(parse_answers(case["a"]), language="en", now=NOW)
    g = result.guidance
    order = [r.program.code for r in result.ranking]
    by_code = {r.program.code: r for r in result.ranking}
    shown = f"{name}: notes {_ids(result)}; ranking {[(r.program.code, r.score) for r in result.ranking][:6]}"
    ids = _ids(result)
    for note in case.get("notes", []):
        assert note in ids, shown
    for note in case.get("no_notes", []):
        assert note not in ids, shown
    if "first_note" in case:
        assert ids and ids[0] == case["first_note"], shown
    if case.get("tolerance_first"):
        overdose = g.note("overdose")
        assert overdose is not None and overdose.title == _tolerance_title(language), shown
    if "first_line" in case:
        assert g.lines and g.lines[0].number.replace(" ", "") == case["first_line"].replace(" ", ""), (
            shown,
            [line.number for line in g.lines],
        )
        assert g.lines[0].kind == "crisis"
    if "emergency" in case:
        assert g.emergency == case["emergency"], shown
    if case.get("no_lines"):
        assert g.lines == [] and g.directory_url.startswith("https://"), shown
    page = " ".join(
        [
            *(line.number + " " + line.tel for line in g.lines),
            *(n.text for n in g.notes),
            *(h for n in g.notes for _label, h in n.links),
        ]
    )
    for number in case.get("never", []):
        assert number not in page.replace(" ", ""), (shown, number)
    if "first" in case:
        assert order[0] == case["first"], shown
    for code in case.get("top", []):
        assert code in order[:3], shown
    for code in case.get("not_top", []):
        assert code not in order[:3], shown
    fitting = {m["program"]["code"] for m in result.meetings}
    for code in case.get("no_meetings", []):
        assert code not in fitting, shown
    for code in case.get("not_for", []):
        assert by_code[code].excluded, shown
    for code in case.get("not_not_for", []):
        assert not any(x.kind == "not_for" for x in by_code[code].reasons), (shown, by_code[code].reasons)
    if case.get("no_goal_plus"):
        for r in result.ranking:
            assert not [x for x in r.reasons if x.kind == "plus" and x.fact == "goal"], (shown, r.program.code)
    for code, word in case.get("says", {}).items():
        with translation.override("en"):
            texts = [
                x.text
                for x in (english or result)
                .ranking[[r.program.code for r in (english or result).ranking].index(code)]
                .reasons
            ]
        assert any(word in t for t in texts), (code, texts)
    for code, _word in case.get("not_cautioned", {}).items():
        assert not [
            x for x in by_code[code].reasons if x.kind in ("caution", "minus", "not_for") and x.fact == "audience"
        ], (code, by_code[code].reasons)
    if case.get("family_only"):
        for m in result.meetings:
            assert by_code[m["program"]["code"]].program.facts["family_of"]["value"] != ["not-applicable"], shown
    if case.get("online_only") or not case["a"].get("near"):
        assert all(m["mode"] in ("online", "hybrid") for m in result.meetings), shown
    if language == "es":  # the same rules, and the words are Spanish
        assert ids == _ids(english)
        for es_note, en_note in zip(result.notes, english.notes, strict=True):
            assert es_note.title != en_note.title and es_note.text != en_note.text, (es_note.id, es_note.title)


def _tolerance_title(language: str) -> str:
    from django.utils.translation import gettext

    with translation.override(language):
        return gettext("Lower tolerance: overdose risk")


def test_there_are_at_least_fifty_personas():
    assert len(P) >= 50


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("local_now, window", [("01:00", (1, 2)), ("22:30", (22, 2)), ("23:50", (23, 2))])
def test_night_starts_now_when_now_is_inside_the_night(fit_demo_data, local_now, window):
    """At 1 a.m., "night" is the next hour, not tomorrow's 9 p.m. (the review saw 19 hours later)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Denver")
    now = datetime.fromisoformat(f"2026-06-10T{local_now}:00").replace(tzinfo=zone)
    result = rank(
        parse_answers({"help_with": "alcohol", "time_of_day": "night", "tz": "America/Denver"}), now=now.isoformat()
    )
    assert result.meetings, "online meetings at night exist in the demo"
    for m in result.meetings:
        if m["starts_at"] is None:  # open round the clock
            continue
        hours_away = (m["starts_at"] - now).total_seconds() / 3600
        assert -1 <= hours_away <= 4.5, (m["name"], m["starts_at"].astimezone(zone))


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(
    "answers, in_us",
    [
        ({"help_with": "opioids", "near": "London, United Kingdom"}, False),
        ({"help_with": "opioids", "country": "AU"}, False),
        ({"help_with": "opioids", "tz": "Europe/Madrid"}, False),
        ({"help_with": "opioids", "near": "10001"}, True),
        ({"help_with": "opioids", "country": "PR"}, True),
        ({"help_with": "opioids"}, True),  # not known: the US service keeps its place, as before
    ],
)
def test_us_telehealth_care_is_not_offered_as_a_fit_outside_the_us(fit_demo_data, answers, in_us):
    result = rank(parse_answers(answers), now=NOW)
    moud = next(r for r in result.ranking if r.program.code == "moud-online")
    outside = [x for x in moud.reasons if x.rule == "us-telehealth-outside-us"]
    assert bool(outside) != in_us, (answers, [x.rule for x in moud.reasons])
    if not in_us:
        assert moud.excluded and "moud-online" not in [r.program.code for r in result.ranking[:3]]
