"""Reports (``peer/reports.py``) apart from the suppression rule's properties, which
tests/peer/test_reports_suppression.py checks over any table: month arithmetic (at year ends, far
back and far ahead), the ``YYYY-MM`` range the pages take, what ``gather`` counts (against a naive
count in Python, across a year end), per-program rates' parts, BARC-10 change from first to latest,
and hand-worked tables where the exact suppressed report is known (the properties accept a report
that hides too much; these do not).
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.catalog.models import Program
from commonground.peer import reports
from commonground.peer.models import Assessment, Encounter, Organisation, Outcome, Participant, Referral
from tests.tiers import sweep

S = reports.SUPPRESSED

# --- month arithmetic -------------------------------------------------------------------------------


def naive_add_month(day: date, n: int) -> date:
    """One month at a time, the way a calendar is turned."""
    year, month = day.year, day.month
    for _step in range(abs(n)):
        if n > 0:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        else:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return date(year, month, 1)


def month_count(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


days = st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 31))


@settings(max_examples=60, deadline=None)
@given(days, st.integers(-130, 130))
def test_add_month_turns_the_calendar_one_month_at_a_time(day, n):
    assert reports.add_month(day, n) == naive_add_month(day, n)


def test_add_month_at_every_year_end_exhaustively():
    """Every month of two years, every step from -25 to +25: 24 x 51 cases, and always the 1st."""
    for year, month, n in itertools.product((2025, 2026), range(1, 13), range(-25, 26)):
        for day in (1, 28):
            got = reports.add_month(date(year, month, day), n)
            assert got == naive_add_month(date(year, month, 1), n) and got.day == 1, (year, month, day, n)
    # The four at the turn of the year, by hand.
    assert reports.add_month(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert reports.add_month(date(2027, 1, 1), -1) == date(2026, 12, 1)
    assert reports.add_month(date(2026, 12, 15), 13) == date(2028, 1, 1)
    assert reports.add_month(date(2026, 1, 15), -13) == date(2024, 12, 1)


@settings(max_examples=50, deadline=None)
@given(days, st.integers(-60, 60), st.integers(-60, 60))
def test_steps_add_up(day, a, b):
    assert reports.add_month(reports.add_month(day, a), b) == reports.add_month(day, a + b)
    assert reports.add_month(day, 0) == reports.month_start(day)


@settings(max_examples=50, deadline=None)
@given(days, st.integers(-3, 40), st.integers(1, 31))
def test_months_between_lists_each_month_once_in_order(first, span, last_day):
    last = reports.add_month(first, span)
    last = last.replace(day=min(last_day, 28))  # any day of the last month counts its month
    months = reports.months_between(first, last)
    expected = max(0, month_count(first, last))
    assert len(months) == expected
    if months:
        assert months[0] == first.replace(day=1) and months[-1] == last.replace(day=1)
        assert all(b == naive_add_month(a, 1) for a, b in itertools.pairwise(months))


# --- the range the pages take ------------------------------------------------------------------------


@sweep("today", [date(2026, m, d) for m in range(1, 13) for d in (1, 15)] + [date(2026, 12, 31)], fast=3)
def test_the_default_range_is_the_last_twelve_months_ending_this_month(today):
    first, last = reports.parse_range(None, None, today)
    assert last == today.replace(day=1)
    assert first == naive_add_month(today, -11)
    assert len(reports.months_between(first, last)) == 12


TODAY = date(2026, 12, 7)
LATEST = date(2027, 12, 1)  # a year ahead of this month: follow-ups fall due then
valid_months = st.dates(min_value=date(1970, 1, 1), max_value=LATEST).map(lambda d: d.replace(day=1))


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(valid_months, valid_months)
def test_any_two_months_in_bounds_make_a_range_of_at_most_36(a, b):
    low, high = min(a, b), max(a, b)
    if month_count(low, high) > reports.MAX_MONTHS:
        with pytest.raises(reports.RangeError):
            reports.parse_range(f"{a:%Y-%m}", f"{b:%Y-%m}", TODAY)
    else:
        assert reports.parse_range(f"{a:%Y-%m}", f"{b:%Y-%m}", TODAY) == (low, high)  # either order


def test_36_months_are_taken_and_37_are_not():
    assert reports.parse_range("2024-01", "2026-12", TODAY) == (date(2024, 1, 1), date(2026, 12, 1))
    with pytest.raises(reports.RangeError):
        reports.parse_range("2023-12", "2026-12", TODAY)
    assert reports.parse_range("1970-01", "1972-12", TODAY) == (date(1970, 1, 1), date(1972, 12, 1))


@pytest.mark.parametrize(
    "today, last_taken, first_refused",
    [
        (date(2026, 12, 7), "2027-12", "2028-01"),  # at a year end
        (date(2026, 1, 31), "2027-01", "2027-02"),
        (date(2027, 2, 1), "2028-02", "2028-03"),
    ],
)
def test_the_latest_month_is_a_year_ahead(today, last_taken, first_refused):
    first, last = reports.parse_range(None, last_taken, today)
    assert last.strftime("%Y-%m") == last_taken and first == naive_add_month(last, -11)
    with pytest.raises(reports.RangeError):
        reports.parse_range(None, first_refused, today)


@pytest.mark.parametrize(
    "text",
    [
        "2026-1",
        "26-01",
        "2026/01",
        "2026-01-01",
        "２０２６-01",
        "2026-00",
        "2026-13",
        " 2026-01",
        "2026-01 ",
        "+202-01",
        "-2026-01",
        "2026_01",
        "٢٠٢٦-01",
        "2026-٠١",
        "1969-12",
        "0000-01",
        "9999-12",
        "2026-1\n",
        "20260-1",
    ],
)
def test_months_that_are_not_yyyy_mm_in_bounds_are_refused(text):
    for from_text, to_text in ((text, "2026-06"), ("2026-06", text)):
        with pytest.raises(reports.RangeError):
            reports.parse_range(from_text, to_text, TODAY)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789-+ ٣x\n")), max_size=9), st.sampled_from([None, "2026-06"]))
def test_any_text_gives_a_range_or_a_range_error_and_nothing_else(text, other):
    try:
        first, last = reports.parse_range(text, other, TODAY)
    except reports.RangeError:
        return
    assert first.day == last.day == 1 and first <= last
    assert 1 <= len(reports.months_between(first, last)) <= reports.MAX_MONTHS


# --- BARC-10 change groups ---------------------------------------------------------------------------


def test_every_possible_change_falls_in_exactly_one_group_and_the_right_one():
    """A change is latest minus first of two totals in 10..60, so -50..+50."""

    def group(delta: int) -> str:
        if delta <= -10:
            return "−10 or less"
        if delta < 0:
            return "−9 to −1"
        if delta == 0:
            return "0"
        return "+1 to +9" if delta < 10 else "+10 or more"

    for delta in range(-50, 51):
        hits = [label for low, high, label in reports.CHANGE_BINS if low <= delta <= high]
        assert hits == [group(delta)], delta


# --- what gather counts --------------------------------------------------------------------------------


@pytest.fixture
def two_orgs(db):
    """Organisation A with P1 and P2, organisation B with P3 (no staff accounts: none are needed)."""
    a, b = Organisation.objects.create(name="Harbor Recovery"), Organisation.objects.create(name="Other Org")
    people = {
        "p1": Participant.objects.create(organisation=a, code="P-1"),
        "p2": Participant.objects.create(organisation=a, code="P-2"),
        "p3": Participant.objects.create(organisation=b, code="P-3"),
    }
    return {"a": a, "b": b, "people": people}


# Days around a year end; the report covers December and January only, so some fall outside.
AROUND = st.integers(0, 72).map(lambda d: date(2025, 11, 25) + timedelta(days=d))
FIRST, LAST = date(2025, 12, 1), date(2026, 1, 31)
OPEN = ["", Outcome.NOT_YET]
event = st.one_of(
    st.tuples(st.just("encounter"), st.sampled_from(["p1", "p2", "p3"]), AROUND),
    st.tuples(
        st.just("referral"), st.sampled_from(["p1", "p2", "p3"]), AROUND, AROUND, st.sampled_from(["", *Outcome.values])
    ),
)


def key(day: date) -> tuple[int, int]:
    return day.year, day.month


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(event, max_size=14))
def test_monthly_counts_match_a_naive_count_across_a_year_end(two_orgs, events):
    people, staff, org = two_orgs["people"], None, two_orgs["a"]
    with transaction.atomic():
        for e in events:
            p = people[e[1]]
            if e[0] == "encounter":
                Encounter.objects.create(participant=p, on=e[2], kind="phone", minutes=10)
            else:
                Referral.objects.create(
                    participant=p,
                    staff=staff,
                    made_on=e[2],
                    follow_up_on=e[3],
                    outcome=e[4],
                    kind="program",
                    program="aa",
                )
        counts = reports.gather(org, FIRST, LAST)
        transaction.set_rollback(True)

    ours = [e for e in events if e[1] != "p3"]  # p3 is the other organisation's
    months = [(2025, 12), (2026, 1)]
    served = {m: {e[1] for e in ours if e[0] == "encounter" and key(e[2]) == m} for m in months}
    encounters = Counter(key(e[2]) for e in ours if e[0] == "encounter")
    made = Counter(key(e[2]) for e in ours if e[0] == "referral")
    due = Counter(key(e[3]) for e in ours if e[0] == "referral")
    done = Counter(key(e[3]) for e in ours if e[0] == "referral" and e[4] not in OPEN)
    assert counts.months == [FIRST, date(2026, 1, 1)]
    assert counts.served == [len(served[m]) for m in months]
    assert counts.encounters == [encounters[m] for m in months]
    assert counts.referrals == [made[m] for m in months]
    assert counts.due == [due[m] for m in months]
    assert counts.done == [done[m] for m in months]
    in_range = [e for e in ours if e[0] == "referral" and FIRST <= e[2] <= LAST]
    assert sum(p.referrals for p in counts.programs) == len(in_range)


@pytest.mark.django_db
def test_program_rows_count_each_outcome_in_its_place_and_are_listed_by_name(two_orgs):
    p, staff = two_orgs["people"]["p1"], None
    day = date(2026, 5, 14)
    names = dict(Program.objects.filter(code__in=["aa", "na"]).values_list("code", "name"))
    assert len(names) == 2

    def refer(program, outcome, kind="program", service=""):
        Referral.objects.create(
            participant=p,
            staff=staff,
            made_on=day,
            follow_up_on=day,
            kind=kind,
            program=program,
            outcome=outcome,
            service=service,
        )

    for outcome in ["attended", "fit_well", "fit_well", "didnt_fit", "declined", "not_yet", ""]:
        refer("aa", outcome)
    refer("na", "declined")
    refer("", "fit_well", kind="service", service="housing")
    refer("zz-retired", "")  # a program code no longer in the catalog keeps its code as its name
    Referral.objects.create(
        participant=p,
        staff=staff,
        made_on=date(2026, 6, 1),
        follow_up_on=day,
        kind="program",
        program="na",
        outcome="attended",
    )  # next month: outside the range
    rows = {row.program: row for row in reports.gather(two_orgs["a"], day, day).programs}
    # aa: 7 referrals; went = attended + fit_well x2 + didnt_fit = 4; with an outcome = 7 - open 1 - not yet 1
    # = 5; judged (said whether it fit) = 2 + 1 = 3; fit well = 2.
    aa = rows[names["aa"]]
    assert (aa.referrals, aa.went, aa.with_outcome, aa.judged, aa.fit_well) == (7, 4, 5, 3, 2)
    na = rows[names["na"]]
    assert (na.referrals, na.went, na.with_outcome, na.judged, na.fit_well) == (1, 0, 1, 0, 0)
    service = rows["service"]
    assert (service.referrals, service.went, service.judged, service.fit_well) == (1, 1, 1, 1)
    assert rows["zz-retired"].referrals == 1 and rows["zz-retired"].with_outcome == 0
    listed = [row.program for row in reports.gather(two_orgs["a"], day, day).programs]
    assert listed == sorted(listed, key=str.casefold)  # by name, never by count


@pytest.mark.django_db
def test_barc_change_is_first_to_latest_by_date_not_by_entry_order(two_orgs):
    a_one = None
    p1, p2, p3 = (two_orgs["people"][k] for k in ("p1", "p2", "p3"))
    extra = Participant.objects.create(organisation=two_orgs["a"], code="P-ONCE")

    def barc(p, day, total):
        Assessment.objects.create(participant=p, staff=a_one, taken_on=day, total=total, answers=[])

    # p1, entered out of order: first by date is 20 (2025-01-01), latest is 40 (2026-03-01): +20.
    barc(p1, date(2026, 3, 1), 40)
    barc(p1, date(2025, 1, 1), 20)
    barc(p1, date(2025, 6, 1), 55)
    # p2, two on the same day: the one entered first counts as first: 30 then 25, so -5.
    barc(p2, date(2025, 9, 9), 30)
    barc(p2, date(2025, 9, 9), 25)
    barc(extra, date(2025, 9, 9), 50)  # one BARC-10 only: no change to count
    barc(p3, date(2025, 1, 1), 10)  # the other organisation's
    barc(p3, date(2025, 2, 1), 60)
    counts = reports.gather(two_orgs["a"], date(2025, 1, 1), date(2026, 3, 1))
    labels = [label for _low, _high, label in reports.CHANGE_BINS]
    assert dict(zip(labels, counts.barc, strict=True)) == {
        "−10 or less": 0,
        "−9 to −1": 1,
        "0": 0,
        "+1 to +9": 0,
        "+10 or more": 1,
    }
    assert counts.barc_people == 2
    theirs = reports.gather(two_orgs["b"], date(2025, 1, 1), date(2026, 3, 1))
    assert theirs.barc == [0, 0, 0, 0, 1]  # 10 -> 60: +50


# --- hand-worked suppressed reports --------------------------------------------------------------------


def table(referrals, programs, barc=(0, 0, 0, 0, 0), due=None, done=None):
    n = len(referrals)
    return reports.Counts(
        months=[reports.add_month(date(2026, 1, 1), i) for i in range(n)],
        served=[0] * n,
        encounters=[0] * n,
        referrals=list(referrals),
        due=list(due or [0] * n),
        done=list(done or [0] * n),
        programs=[reports.ProgramCounts(f"Program {j}", r) for j, r in enumerate(programs)],
        barc=list(barc),
    )


def shown(report):
    return (
        [m["referrals"] for m in report.by_month],
        [p["referrals"] for p in report.by_program],
        [b["participants"] for b in report.barc_change],
        report.barc_people,
    )


@pytest.mark.parametrize(
    "counts, expected",
    [
        # Months 12, 3, 0 and one program of 15. The 3 is hidden; alone, 15 - 12 - 0 would give it away,
        # so the next smallest shown month (12) goes too: hidden 12 + 3 = 15 >= 2 + 10. The 0 stays.
        (table([12, 3, 0], [15]), ([S, S, 0], [15], [0] * 5, 0)),
        # One month of 24, programs 20 and 4: the 4 is hidden and its partner in the program group with it.
        (table([24], [20, 4]), ([24], [S, S], [0] * 5, 0)),
        # Two small hidden months that already add up to 2 + 10 = 12 (5 + 7): nothing more is hidden.
        (table([5, 7, 30], [42]), ([S, S, 30], [42], [0] * 5, 0)),
        # BARC groups 5 and 6 over 11 people: 11 - 5 = 6 would leave each at 1..10, and no other group is
        # above zero, so the total's side (the 11 people) is hidden.
        (table([], [], barc=(5, 6, 0, 0, 0)), ([], [], [S, S, 0, 0, 0], S)),
        # 5 and 7 over 12 people: 12 >= 2 + 10, so the people are shown.
        (table([], [], barc=(5, 7, 0, 0, 0)), ([], [], [S, S, 0, 0, 0], 12)),
        # Nothing small: nothing hidden.
        (table([11, 0, 25], [36], barc=(0, 11, 0, 40, 0)), ([11, 0, 25], [36], [0, 11, 0, 40, 0], 51)),
    ],
    ids=["month-partner", "program-partner", "two-small-enough", "total-side", "total-shown", "nothing-small"],
)
def test_hand_worked_tables_suppress_exactly_what_the_rule_says(counts, expected):
    assert shown(reports.suppress(counts)) == expected


def test_hand_worked_follow_up_rates():
    # due 20 done 20: 100%; due 20 done 0: 0%; due 20 done 10: the other 10 is small, hidden;
    # due 25 done 14 (rest 11): 14/25 = 56%; due 0: no base; due 5: the row is hidden, so its rate too;
    # due 25 done 20: 20 is not small, but the 5 not done are ("80% of 25" tells 5 people).
    report = reports.suppress(table([0] * 7, [], due=[20, 20, 20, 25, 0, 5, 25], done=[20, 0, 10, 14, 0, 5, 20]))
    assert [m["follow_up_completion"] for m in report.by_month] == ["100%", "0%", S, "56%", reports.NO_BASE, S, S]
    assert [m["follow_ups_due"] for m in report.by_month] == [20, 20, 20, 25, 0, S, 25]
