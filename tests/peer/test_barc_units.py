"""BARC-10 (``peer/barc.py`` and ``forms.BarcForm``): scoring, its one threshold, and which answers
are taken.

The rule, from the module's docstring and docs/peer.md (Vilsaint et al. 2017, doi:10.1016/
j.drugalcdep.2017.03.022): ten statements, each answered 1 (strongly disagree) to 6 (strongly
agree); the total is their sum, 10 to 60; the one threshold shown is 47 ("a total of 47 or more
went with sustained remission"). Anything else (nine answers, an eleventh, a 0 or a 7, a blank)
is refused, never scored. A participant's "last BARC-10" date only ever moves forward.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.peer import barc
from commonground.peer.forms import BarcForm
from commonground.peer.models import Assessment, Organisation, Participant
from tests.tiers import sweep


def valid(answers) -> bool:
    return len(answers) == 10 and all(isinstance(a, int) and 1 <= a <= 6 for a in answers)


def by_hand(answers) -> int:
    """The sum the long way: count each scale point and weigh it."""
    return sum(point * sum(1 for a in answers if a == point) for point in range(1, 7))


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-2, 9), min_size=0, max_size=12))
def test_a_total_is_given_for_exactly_ten_answers_from_1_to_6(answers):
    if valid(answers):
        assert barc.total(answers) == by_hand(answers)
        assert 10 <= barc.total(answers) <= 60
    else:
        with pytest.raises(ValueError):
            barc.total(answers)


@sweep("position", range(10))  # the fast tier: every bad value at the first position
@pytest.mark.parametrize("bad", [0, 7, -1, 60])
def test_one_answer_off_the_scale_anywhere_refuses_the_whole(position, bad):
    answers = [6] * 10
    answers[position] = bad
    with pytest.raises(ValueError):
        barc.total(answers)


@pytest.mark.parametrize("count", [0, 1, 9, 11, 20])
def test_too_few_or_too_many_answers_are_refused(count):
    with pytest.raises(ValueError):
        barc.total([3] * count)


def test_the_extremes_and_a_hand_worked_total():
    assert barc.total([1] * 10) == 10
    assert barc.total([6] * 10) == 60
    # 1+2+3+4+5+6+1+2+3+4 = 21 + 10 = 31
    assert barc.total([1, 2, 3, 4, 5, 6, 1, 2, 3, 4]) == 31
    # The order of the answers does not matter: every rotation gives the same total.
    answers = [6, 5, 5, 4, 6, 3, 6, 2, 5, 5]  # 47, the threshold itself
    assert {barc.total(answers[i:] + answers[:i]) for i in range(10)} == {47}


def test_the_threshold_can_be_met_and_missed_by_a_single_point():
    """47 is reachable from 46 by moving one answer up one point, and sits inside 10-60."""
    assert 10 < barc.THRESHOLD <= 60
    just_under = [5] * 9 + [1]  # 45 + 1 = 46
    assert barc.total(just_under) == barc.THRESHOLD - 1
    just_under[-1] = 2
    assert barc.total(just_under) == barc.THRESHOLD


def test_three_statements_over_every_value_from_minus_1_to_8_exhaustively():
    """10**3 answer sets (the last seven fixed at 6): taken exactly when all three are on the scale,
    and then 42 more than their sum; 6**3 = 216 of them are taken."""
    taken = 0
    for first in itertools.product(range(-1, 9), repeat=3):
        answers = [*first] + [6] * 7
        if all(1 <= a <= 6 for a in first):
            assert barc.total(answers) == 42 + first[0] + first[1] + first[2]
            taken += 1
        else:
            with pytest.raises(ValueError):
                barc.total(answers)
    assert taken == 216


def test_the_instrument_has_ten_statements_in_both_languages_and_a_six_point_scale():
    assert len(barc.ITEMS) == 10
    for language in ("en", "es"):
        texts = [item[language] for item in barc.ITEMS]
        assert all(t.strip() == t and t.endswith(".") for t in texts), language
        assert len(set(texts)) == 10, language
    assert all(item["en"] != item["es"] for item in barc.ITEMS)
    assert [value for value, _label in barc.SCALE] == [1, 2, 3, 4, 5, 6]
    assert len({str(label) for _value, label in barc.SCALE}) == 6
    assert barc.CITATION_URL.endswith("10.1016/j.drugalcdep.2017.03.022")


# --- the form: which answers are taken -----------------------------------------------------------------

CHOICES = ["1", "2", "3", "4", "5", "6"]
NOT_CHOICES = ["", "0", "7", "-1", "06", "3.0", "3.5", "x", "١", "six"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(CHOICES + NOT_CHOICES + [None]), min_size=10, max_size=10))
def test_the_form_takes_a_set_only_when_every_statement_has_a_point_on_the_scale(raw):
    data = {"taken_on": "2026-12-07"}
    data.update({f"item_{n}": v for n, v in enumerate(raw, start=1) if v is not None})
    form = BarcForm(data)
    ok = all(v in CHOICES for v in raw)
    assert form.is_valid() is ok, (raw, form.errors)
    if ok:
        answers = form.answers()
        assert answers == [int(v) for v in raw]  # in the statements' order, as numbers
        assert barc.total(answers) == by_hand(answers)
    else:
        bad = {f"item_{n}" for n, v in enumerate(raw, start=1) if v not in CHOICES}
        assert bad <= set(form.errors), (raw, form.errors)


def test_the_form_needs_a_date():
    form = BarcForm({f"item_{n}": "3" for n in range(1, 11)})
    assert not form.is_valid() and "taken_on" in form.errors


@pytest.mark.parametrize("language, expected", [("en", "en"), ("es", "es"), ("fr", "en"), ("", "en")])
def test_the_statements_are_in_the_page_s_language_or_else_english(language, expected):
    form = BarcForm(language=language)
    for n, item in enumerate(barc.ITEMS, start=1):
        assert form.fields[f"item_{n}"].label == f"{n}. {item[expected]}"


def test_the_scale_labels_follow_the_active_language():
    with translation.override("es"):
        spanish = [str(label) for _value, label in BarcForm(language="es").fields["item_1"].choices]
    english = [str(label) for _value, label in BarcForm().fields["item_1"].choices]
    assert english[0] == "Strongly disagree" and english[-1] == "Strongly agree"
    assert spanish != english and len(set(spanish)) == 6


# --- the participant's last BARC-10 date ---------------------------------------------------------------

DAYS = [date(2026, 1, 10), date(2026, 4, 10), date(2026, 7, 10)]


@pytest.mark.django_db
def test_the_last_barc_date_is_the_latest_whatever_order_they_are_entered_in():
    """A BARC-10 entered late (an older date, typed in after a newer one) never moves it back: every
    order of three dates."""
    organisation = Organisation.objects.create(name="Harbor Recovery")
    bystander = Participant.objects.create(organisation=organisation, code="P-BY")
    for n, order in enumerate(itertools.permutations(range(3))):
        p = Participant.objects.create(organisation=organisation, code=f"P-{n}")
        seen = []
        for i in order:
            Assessment.objects.create(participant=p, taken_on=DAYS[i], total=30, answers=[3] * 10)
            seen.append(DAYS[i])
            assert Participant.objects.get(pk=p.pk).last_barc_on == max(seen), (order, seen)
    assert Participant.objects.get(pk=bystander.pk).last_barc_on is None  # others are untouched
