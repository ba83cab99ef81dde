"""De-identified reports for an organisation: counts by month, rates by program, BARC-10 change.

No code, name or date of birth leaves here: only counts, counted by ``gather`` and then made safe
to show by ``suppress`` (pure: it sees only the counts). The rule (``docs/peer.md``):

1. **Primary suppression.** A count from 1 to 10 is not shown (``SMALL_CELL`` is 11, the rule CMS
   and SAMHSA data releases use). Zero is shown.
2. **Complementary suppression.** Where the report lets a reader add cells up to a known total,
   a hidden cell must not be found by subtraction. The sums it shows: the months' referrals and
   the programs' referrals are the same referrals counted twice, and the BARC-10 groups add up to
   the participants assessed. In each such group whose total can be read, the hidden cells must be
   at least two, and add up to at least 10 more than their number, so each of them could be
   anything from 1 to 11 or more; if not, the next smallest shown cell is hidden too, or, when the
   group has none left, a cell of the total's side. Hidden cells all look alike ("suppressed"), so
   a reader cannot tell a small one from its complement.
3. **Rates.** A rate is shown, to a whole percent, only when its row is shown and neither its
   numerator nor the rest of its base is from 1 to 10: otherwise "67% of 15" is 10 people, and
   "8%" of a base of at least 11 is one person. (0% and 100% of 11 or more are shown.)

What it does not stop: two reports over overlapping months can be subtracted from each other
(the pages answer any range of up to ``MAX_MONTHS``); the audit trail records every report read.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from commonground.catalog.models import Program
from commonground.peer.models import Assessment, Encounter, Outcome, Referral

SMALL_CELL = 11
SUPPRESSED = "suppressed"
NO_BASE = "—"
WENT = (Outcome.ATTENDED, Outcome.FIT_WELL, Outcome.DIDNT_FIT)
CHANGE_BINS = [
    (-60, -10, "−10 or less"),
    (-9, -1, "−9 to −1"),
    (0, 0, "0"),
    (1, 9, "+1 to +9"),
    (10, 60, "+10 or more"),
]
MAX_MONTHS = 36
FIRST_YEAR = 1970


class RangeError(ValueError):
    """A report range the pages refuse, with a message for the person who asked."""


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_month(day: date, n: int) -> date:
    m = day.month - 1 + n
    return date(day.year + m // 12, m % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    first, last = month_start(first), month_start(last)
    months = []
    while first <= last:
        months.append(first)
        first = add_month(first, 1)
    return months


def parse_range(from_text: str | None, to_text: str | None, today: date) -> tuple[date, date]:
    """The months a report covers, from the page's ``YYYY-MM`` fields: the last twelve by default,
    at most ``MAX_MONTHS``, from ``FIRST_YEAR`` to a year ahead (follow-ups fall due then)."""
    latest = add_month(month_start(today), 12)

    def month(text: str | None) -> date | None:
        if not text:
            return None
        try:
            year, _sep, mon = text.partition("-")
            if not (
                len(year) == 4
                and year.isascii()
                and year.isdigit()
                and len(mon) == 2
                and mon.isascii()
                and mon.isdigit()
            ):
                raise ValueError
            value = date(int(year), int(mon), 1)
        except ValueError:
            raise RangeError(_("A month looks like 2026-01.")) from None
        if not date(FIRST_YEAR, 1, 1) <= value <= latest:
            raise RangeError(
                _("Months go from %(first)s to %(last)s.") % {"first": f"{FIRST_YEAR}-01", "last": f"{latest:%Y-%m}"}
            )
        return value

    last = month(to_text) or month_start(today)
    first = month(from_text) or max(add_month(last, -11), date(FIRST_YEAR, 1, 1))  # the default stays in range
    if first > last:
        first, last = last, first
    if len(months_between(first, last)) > MAX_MONTHS:
        raise RangeError(_("A report covers at most %(n)s months.") % {"n": MAX_MONTHS})
    return first, last


@dataclass
class ProgramCounts:
    program: str
    referrals: int
    went: int = 0  # went at all
    with_outcome: int = 0  # went, or declined: the attended rate's base
    judged: int = 0  # went and said whether it fit: the fit rate's base
    fit_well: int = 0


@dataclass
class Counts:
    """What the database says, before anything is suppressed: never shown as it is."""

    months: list[date]
    served: list[int]
    encounters: list[int]
    referrals: list[int]
    due: list[int]
    done: list[int]
    programs: list[ProgramCounts] = field(default_factory=list)
    barc: list[int] = field(default_factory=lambda: [0] * len(CHANGE_BINS))

    @property
    def barc_people(self) -> int:
        return sum(self.barc)


@dataclass
class Report:
    months: list[date]
    by_month: list[dict]
    by_program: list[dict]
    barc_change: list[dict]
    barc_people: int | str


def gather(organisation, first: date, last: date) -> Counts:
    """Months from ``first`` to ``last`` (inclusive, by month), counted in the database."""
    months = months_between(first, last)
    end = add_month(months[-1], 1)
    bounds = [(m, add_month(m, 1)) for m in months]

    def by_month(model, column: str, *, distinct: str | None = None, **extra) -> list[int]:
        """One pass over the organisation's rows in the range, a count per month (plain SQL ranges:
        no per-row date functions, which SQLite would run in Python)."""
        rows = model.objects.filter(
            organisation=organisation, **{f"{column}__gte": months[0], f"{column}__lt": end}, **extra
        )
        counted = rows.aggregate(
            **{
                f"m{i}": Count(
                    distinct or "id",
                    distinct=bool(distinct),
                    filter=Q(**{f"{column}__gte": low, f"{column}__lt": high}),
                )
                for i, (low, high) in enumerate(bounds)
            }
        )
        return [counted[f"m{i}"] for i in range(len(months))]

    counts = Counts(
        months=months,
        served=by_month(Encounter, "on", distinct="participant"),
        encounters=by_month(Encounter, "on"),
        referrals=by_month(Referral, "made_on"),
        due=by_month(Referral, "follow_up_on"),
        done=by_month(Referral, "follow_up_on", outcome__in=[o for o in Outcome.values if o != Outcome.NOT_YET]),
    )

    referrals = Referral.objects.filter(organisation=organisation, made_on__gte=months[0], made_on__lt=end)
    names = dict(Program.objects.values_list("code", "name"))
    per_program: dict[str, Counter] = defaultdict(Counter)
    for program, outcome, n in referrals.values_list("program", "outcome").annotate(n=Count("id")):
        per_program[program or "service"]["referrals"] += n
        per_program[program or "service"][outcome or "open"] += n
    # By name, never by count: the order of rows would tell a hidden count's neighbours.
    for program, c in sorted(per_program.items(), key=lambda item: (names.get(item[0], item[0]).casefold(), item[0])):
        went = sum(c[o] for o in WENT)
        counts.programs.append(
            ProgramCounts(
                program=names.get(program, program),
                referrals=c["referrals"],
                went=went,
                with_outcome=c["referrals"] - c["open"] - c[Outcome.NOT_YET],
                judged=c[Outcome.FIT_WELL] + c[Outcome.DIDNT_FIT],
                fit_well=c[Outcome.FIT_WELL],
            )
        )

    spans = (
        Assessment.objects.filter(participant__organisation=organisation)
        .values("participant")
        .annotate(first=Min("taken_on"), latest=Max("taken_on"), n=Count("id"))
        .filter(n__gte=2)
    )
    firsts, latests = {}, {}
    people = [row["participant"] for row in spans]
    for pid, total in (
        Assessment.objects.filter(participant__in=people).order_by("taken_on", "id").values_list("participant", "total")
    ):
        firsts.setdefault(pid, total)
        latests[pid] = total
    for pid in people:
        delta = latests[pid] - firsts[pid]
        for i, (low, high, _label) in enumerate(CHANGE_BINS):
            if low <= delta <= high:
                counts.barc[i] += 1
    return counts


def _protect(values: dict, hidden: set, groups: list[tuple[list, list]]) -> None:
    """Complementary suppression (rule 2): ``groups`` are (cells, the cells their total is read
    from). Hides more cells until, in every group whose total can be read, the hidden cells are at
    least two and add up to at least ``SMALL_CELL - 1`` more than their number."""
    changed = True
    while changed:
        changed = False
        for cells, total_from in groups:
            mine = [c for c in cells if c in hidden]
            if not mine or any(c in hidden for c in total_from):
                continue  # nothing hidden here, or the total cannot be read: nothing to subtract from
            if len(mine) >= 2 and sum(values[c] for c in mine) >= len(mine) + SMALL_CELL - 1:
                continue
            shown = [c for c in cells if c not in hidden and values[c] > 0]
            candidates = shown or [c for c in total_from if values[c] > 0]
            if not candidates:
                continue
            hidden.add(min(candidates, key=lambda c: (values[c], c)))
            changed = True


def _rate(part: int, whole: int, row_shown: bool) -> str:
    """Rule 3: a whole percent, only when the row is shown and neither the part nor the rest is 1–10."""
    if whole == 0:
        return NO_BASE
    if not row_shown or 0 < part < SMALL_CELL or 0 < whole - part < SMALL_CELL:
        return SUPPRESSED
    return f"{round(100 * part / whole)}%"


def suppress(counts: Counts) -> Report:
    """The report as it may be shown: rules 1 to 3 over ``counts``."""
    n = len(counts.months)
    values: dict[tuple, int] = {}
    for column in ("served", "encounters", "referrals", "due"):
        for i, v in enumerate(getattr(counts, column)):
            values[(column, i)] = v
    for j, p in enumerate(counts.programs):
        values[("program", j)] = p.referrals
    for k, v in enumerate(counts.barc):
        values[("barc", k)] = v
    values[("barc_people",)] = counts.barc_people
    hidden = {cell for cell, v in values.items() if 0 < v < SMALL_CELL}
    month_referrals = [("referrals", i) for i in range(n)]
    program_referrals = [("program", j) for j in range(len(counts.programs))]
    bins = [("barc", k) for k in range(len(CHANGE_BINS))]
    _protect(
        values,
        hidden,
        [
            (month_referrals, program_referrals),
            (program_referrals, month_referrals),
            (bins, [("barc_people",)]),
            ([("barc_people",)], bins),
        ],
    )

    def show(cell):
        return SUPPRESSED if cell in hidden else values[cell]

    by_month = [
        {
            "month": month,
            "served": show(("served", i)),
            "encounters": show(("encounters", i)),
            "referrals": show(("referrals", i)),
            "follow_ups_due": show(("due", i)),
            "follow_up_completion": _rate(counts.done[i], counts.due[i], ("due", i) not in hidden),
        }
        for i, month in enumerate(counts.months)
    ]
    by_program = []
    for j, p in enumerate(counts.programs):
        shown = ("program", j) not in hidden
        by_program.append(
            {
                "program": p.program,
                "referrals": show(("program", j)),
                "attended_rate": _rate(p.went, p.with_outcome, shown),
                "fit_rate": _rate(p.fit_well, p.judged, shown),
            }
        )
    barc = [{"change": label, "participants": show(("barc", k))} for k, (_low, _high, label) in enumerate(CHANGE_BINS)]
    return Report(counts.months, by_month, by_program, barc, show(("barc_people",)))


def monthly(organisation, first: date, last: date) -> Report:
    return suppress(gather(organisation, first, last))


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "section",
            "month or program or change",
            "participants served",
            "encounters",
            "referrals",
            "follow-ups due",
            "follow-up completion",
            "attended rate",
            "fit rate",
            "participants",
        ]
    )
    for row in report.by_month:
        writer.writerow(
            [
                "month",
                row["month"].strftime("%Y-%m"),
                row["served"],
                row["encounters"],
                row["referrals"],
                row["follow_ups_due"],
                row["follow_up_completion"],
                "",
                "",
                "",
            ]
        )
    for row in report.by_program:
        writer.writerow(
            ["program", row["program"], "", "", row["referrals"], "", "", row["attended_rate"], row["fit_rate"], ""]
        )
    for row in report.barc_change:
        writer.writerow(["barc_change", row["change"], "", "", "", "", "", "", "", row["participants"]])
    writer.writerow(
        ["barc_people", "participants with two or more BARC-10s", "", "", "", "", "", "", "", report.barc_people]
    )
    return out.getvalue()
