"""The fit results' treatment blocks as properties over the answer space (issue 30, part 5).

The rule, written again here from the issue's words (not from the code): medication treatment when
the person's own use is opioids, or they take or want opioid medication, or they are pregnant and use
drugs; detox when they use sedatives, or drink with signs of dependence (or are not sure). Either only
with a place in the US or its territories. The blocks come after the crisis help and every safety
note, whatever else was answered.
"""

from __future__ import annotations

import re
from itertools import product

import pytest

from commonground.fit.treatment import wanted
from tests.safety.test_properties import GRID_SIZE, _answers, _grid
from tests.tiers import sweep
from tests.treatment import test_beside_meetings as beside
from tests.treatment.test_beside_meetings import DETOX_BLOCK, MEDICATION_BLOCK, page

facilities = beside.facilities  # FindTreatment.gov's export fixture, with a program at the Mexican border

OWN_DRUGS = {"drugs", "both", "opioids", "stimulants", "sedatives", "cannabis"}


def expected(a: dict) -> set[str]:
    own = set(a.get("help_with", ())) - {"someone_else"}
    out = set()
    if "opioids" in own or "moud" in a.get("medication", ()) or (a.get("pregnant") == "yes" and own & OWN_DRUGS):
        out.add("medication")
    if "sedatives" in own or (own & {"alcohol", "both"} and a.get("dependence") in ("yes", "unsure")):
        out.add("detox")
    return out


@pytest.mark.slow
def test_the_rule_over_every_combination_of_safety_answers(capsys):
    checked = 0
    for a in _grid():
        assert set(wanted(_answers(a).situation())) == expected(a), a
        checked += 1
    with capsys.disabled():
        print(f"\n  treatment beside the meetings: {checked:,} combinations of answers checked")
    assert checked == GRID_SIZE


@pytest.mark.parametrize(
    "a",
    [
        {},
        {"help_with": ("opioids",)},
        {"medication": ("moud",)},
        {"help_with": ("cannabis",), "pregnant": "yes"},
        {"help_with": ("alcohol",), "pregnant": "yes"},
        {"help_with": ("someone_else",), "their_use": "drugs", "pregnant": "yes"},
        {"help_with": ("sedatives",)},
        {"help_with": ("both",), "dependence": "unsure"},
        {"help_with": ("alcohol",), "dependence": "no"},
    ],
)
def test_the_rule_on_examples(a):
    assert set(wanted(_answers(a).situation())) == expected(a)


PLACES = {"": False, "10001": True, "Tijuana, Mexico": False, "92173": True}
HELP = [(), ("opioids",), ("sedatives",), ("alcohol",), ("both",), ("stimulants",), ("cannabis",), ("gambling",)]
REST = list(
    product(
        ((), ("moud",)),  # medication
        (None, "yes"),  # pregnant
        (None, "yes"),  # dependence
        (None, "yes"),  # crisis
    )
)


@sweep(("near", "helped"), list(product(PLACES, HELP)), fast=2)
def test_the_blocks_show_exactly_when_the_rule_says_and_never_above_the_crisis_help(client, facilities, near, helped):
    for medication, pregnant, dependence, crisis in REST:
        a = {
            "help_with": helped,
            "medication": medication,
            "pregnant": pregnant,
            "dependence": dependence,
            "crisis": crisis,
        }
        a = {k: v for k, v in a.items() if v not in (None, ())}
        query = "&".join(f"{k}={v}" for k, vs in a.items() for v in (vs if isinstance(vs, tuple) else (vs,)))
        html = page(client, f"{query}&near={near}" if near else query)
        want = expected(a) if PLACES[near] else set()
        got = {kind for kind, marker in (("medication", MEDICATION_BLOCK), ("detox", DETOX_BLOCK)) if marker in html}
        assert got == want, (a, near)
        if not got:
            continue
        first = min(html.find(m) for m in (MEDICATION_BLOCK, DETOX_BLOCK) if m in html)
        notes = [m.start() for m in re.finditer(r'id="safety-[a-z-]+"', html)]
        assert all(at < first for at in notes), (a, near)
        assert html.find('class="help-now-top"') < first
        if crisis:
            assert 0 < html.find('id="safety-crisis"') < html.find("<h1")
