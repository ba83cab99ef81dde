"""Small-cell suppression (``peer/reports.py::suppress``) over any table of counts: any number of
months (1 to ``MAX_MONTHS``), of programs, any BARC-10 groups. The rules checked are docs/peer.md's
and the module's own words, each on its own, so a failure names the rule broken:

1. every count from 1 to 10 is hidden, zero is always shown, and a shown count is the true one;
2. in each group whose total can be read, the hidden cells are none, or at least two adding up to
   at least 10 more than their number; and no hidden small cell can be bounded to 1..10 from the
   sums a reader sees (the attacker of tests/hardening/test_19_peer_data.py, widened to any table);
3. a rate shows only on a shown row, and never when its part or the rest of its base is 1..10.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.peer import reports
from tests.hardening.test_19_peer_data import attack, shown_from_report

pytestmark = pytest.mark.slow  # property tests over thousands of tables
SMALL = range(1, reports.SMALL_CELL)
counts_ = st.one_of(st.integers(0, 12), st.integers(0, 60), st.sampled_from([0, 1, 10, 11, 12]))


@st.composite
def any_table(draw):
    n = draw(st.integers(1, reports.MAX_MONTHS))
    months = [reports.add_month(date(2025, 1, 1), i) for i in range(n)]
    programs = []
    for j in range(draw(st.integers(0, 8))):
        referrals = draw(st.integers(1, 60))
        with_outcome = draw(st.integers(0, referrals))
        went = draw(st.integers(0, with_outcome))
        judged = draw(st.integers(0, went))
        programs.append(
            reports.ProgramCounts(
                f"Program {j}",
                referrals,
                went=went,
                with_outcome=with_outcome,
                judged=judged,
                fit_well=draw(st.integers(0, judged)),
            )
        )
    total = sum(p.referrals for p in programs)
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n - 1, max_size=n - 1)))
    referrals = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    encounters = draw(st.lists(counts_, min_size=n, max_size=n))
    due = draw(st.lists(counts_, min_size=n, max_size=n))
    return reports.Counts(
        months=months,
        served=[draw(st.integers(0, e)) for e in encounters],
        encounters=encounters,
        referrals=referrals,
        due=due,
        done=[draw(st.integers(0, d)) for d in due],
        programs=programs,
        barc=draw(st.lists(counts_, min_size=5, max_size=5)),
    )


def _cells(report, counts):
    """(group, shown value, true value) for every count the report carries."""
    out = []
    for i, row in enumerate(report.by_month):
        for key, column in (
            ("served", "served"),
            ("encounters", "encounters"),
            ("referrals", "referrals"),
            ("follow_ups_due", "due"),
        ):
            out.append((column, row[key], getattr(counts, column)[i]))
    for row, p in zip(report.by_program, counts.programs, strict=True):
        out.append(("program", row["referrals"], p.referrals))
    for row, v in zip(report.barc_change, counts.barc, strict=True):
        out.append(("barc", row["participants"], v))
    out.append(("barc_people", report.barc_people, counts.barc_people))
    return out


@settings(max_examples=400, deadline=None)
@given(any_table())
def test_rule_1_small_counts_hidden_zero_shown_shown_counts_true(counts):
    report = reports.suppress(counts)
    for group, shown, true in _cells(report, counts):
        assert shown == reports.SUPPRESSED or shown == true, (group, shown, true)
        if true in SMALL:
            assert shown == reports.SUPPRESSED, (group, true)
        if true == 0:
            assert shown == 0, (group, "zero is shown")


def _group_rule_holds(hidden_values: list[int], total_readable: bool) -> bool:
    if not hidden_values or not total_readable:
        return True
    return len(hidden_values) >= 2 and sum(hidden_values) >= len(hidden_values) + reports.SMALL_CELL - 1


@settings(max_examples=400, deadline=None)
@given(any_table())
def test_rule_2_no_hidden_cell_can_be_solved_for_from_the_totals(counts):
    report = reports.suppress(counts)
    months = [(r["referrals"], v) for r, v in zip(report.by_month, counts.referrals, strict=True)]
    programs = [(r["referrals"], p.referrals) for r, p in zip(report.by_program, counts.programs, strict=True)]
    bins = [(r["participants"], v) for r, v in zip(report.barc_change, counts.barc, strict=True)]
    people = [(report.barc_people, counts.barc_people)]

    def hidden(cells):
        return [true for shown, true in cells if shown == reports.SUPPRESSED]

    def readable(cells):
        return not hidden(cells)

    for cells, other in ((months, programs), (programs, months), (bins, people), (people, bins)):
        assert _group_rule_holds(hidden(cells), readable(other)), (hidden(cells), hidden(other))
    assert attack(shown_from_report(report), counts) == []


@settings(max_examples=300, deadline=None)
@given(any_table())
def test_rule_3_rates_never_tell_a_small_count(counts):
    report = reports.suppress(counts)
    rates = [
        (row["follow_up_completion"], counts.done[i], counts.due[i], row["follow_ups_due"])
        for i, row in enumerate(report.by_month)
    ]
    for row, p in zip(report.by_program, counts.programs, strict=True):
        rates += [
            (row["attended_rate"], p.went, p.with_outcome, row["referrals"]),
            (row["fit_rate"], p.fit_well, p.judged, row["referrals"]),
        ]
    for shown, part, whole, row_shown in rates:
        if whole == 0:
            assert shown == reports.NO_BASE
        elif row_shown == reports.SUPPRESSED or part in SMALL or (whole - part) in SMALL:
            assert shown == reports.SUPPRESSED, (shown, part, whole, row_shown)
        else:
            assert shown == f"{round(100 * part / whole)}%"


@settings(max_examples=200, deadline=None)
@given(any_table())
def test_the_csv_shows_exactly_what_the_report_shows(counts):
    """The export carries the suppressed report cell for cell, never a count from ``counts``."""
    import csv
    import io

    report = reports.suppress(counts)
    rows = list(csv.reader(io.StringIO(reports.as_csv(report))))[1:]
    months = [r for r in rows if r[0] == "month"]
    assert [r[2:7] for r in months] == [
        [
            str(m["served"]),
            str(m["encounters"]),
            str(m["referrals"]),
            str(m["follow_ups_due"]),
            str(m["follow_up_completion"]),
        ]
        for m in report.by_month
    ]
    assert [r[4] for r in rows if r[0] == "program"] == [str(p["referrals"]) for p in report.by_program]
    assert [r[9] for r in rows if r[0] == "barc_change"] == [str(b["participants"]) for b in report.barc_change]
    assert [r[9] for r in rows if r[0] == "barc_people"] == [str(report.barc_people)]
