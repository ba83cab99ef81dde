"""De-identified reports for an organisation: counts by month, rates by program, BARC-10 change.

No code, name or date of birth leaves here: only counts. Any count under ``SMALL_CELL`` (11) is
shown as "<11", and a rate is withheld when its denominator is under 11, so a small group cannot
be picked out (the suppression rule CMS and SAMHSA data releases use).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Min, Q

from commonground.catalog.models import Program
from commonground.peer.models import Assessment, Encounter, Outcome, Participant, Referral

SMALL_CELL = 11
SUPPRESSED = "<11"
WENT = (Outcome.ATTENDED, Outcome.FIT_WELL, Outcome.DIDNT_FIT)
CHANGE_BINS = [(-60, -10, "−10 or less"), (-9, -1, "−9 to −1"), (0, 0, "0"), (1, 9, "+1 to +9"), (10, 60, "+10 or more")]


def cell(n: int) -> int | str:
    return SUPPRESSED if 0 < n < SMALL_CELL else n


def rate(part: int, whole: int) -> str:
    if whole < SMALL_CELL:
        return SUPPRESSED if whole else "—"
    return f"{100 * part / whole:.0f}%"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_month(day: date, n: int) -> date:
    m = day.month - 1 + n
    return date(day.year + m // 12, m % 12 + 1, 1)


@dataclass
class Report:
    months: list[date]
    by_month: list[dict]
    by_program: list[dict]
    barc_change: list[dict]
    barc_people: int | str


def monthly(organisation, first: date, last: date) -> Report:
    """Months from ``first`` to ``last`` (inclusive, by month)."""
    first, last = month_start(first), month_start(last)
    months = []
    while first <= last:
        months.append(first)
        first = add_month(first, 1)
    end = add_month(months[-1], 1) if months else last
    bounds = [(m, add_month(m, 1)) for m in months]

    def by_month(model, field: str, *, distinct: str | None = None, **extra) -> list[int]:
        """One pass over the organisation's rows in the range, a count per month (plain SQL ranges:
        no per-row date functions, which SQLite would run in Python)."""
        rows = model.objects.filter(organisation=organisation, **{f"{field}__gte": months[0], f"{field}__lt": end},
                                    **extra)
        counted = rows.aggregate(**{
            f"m{i}": Count(distinct or "id", distinct=bool(distinct),
                           filter=Q(**{f"{field}__gte": low, f"{field}__lt": high}))
            for i, (low, high) in enumerate(bounds)})
        return [counted[f"m{i}"] for i in range(len(months))]

    served = by_month(Encounter, "on", distinct="participant")
    counted = by_month(Encounter, "on")
    made = by_month(Referral, "made_on")
    due_all = by_month(Referral, "follow_up_on")
    due_done = by_month(Referral, "follow_up_on", outcome__in=[o for o in Outcome.values if o != Outcome.NOT_YET])
    referrals = Referral.objects.filter(organisation=organisation, made_on__gte=months[0], made_on__lt=end)

    by_month_rows = []
    for i, month in enumerate(months):
        by_month_rows.append({"month": month, "served": served[i], "encounters": counted[i], "referrals": made[i],
                              "follow_ups_due": due_all[i], "follow_up_completion": rate(due_done[i], due_all[i])})

    names = dict(Program.objects.values_list("code", "name"))
    per_program: dict[str, Counter] = defaultdict(Counter)
    for program, outcome, n in referrals.values_list("program", "outcome").annotate(n=Count("id")):
        per_program[program or "service"]["referrals"] += n
        per_program[program or "service"][outcome or "open"] += n
    by_program = []
    for program, c in sorted(per_program.items(), key=lambda item: -item[1]["referrals"]):
        went = sum(c[o] for o in WENT)
        judged = c[Outcome.FIT_WELL] + c[Outcome.DIDNT_FIT]
        with_outcome = c["referrals"] - c["open"] - c[Outcome.NOT_YET]
        by_program.append({"program": names.get(program, program), "referrals": c["referrals"],
                           "attended_rate": rate(went, with_outcome), "fit_rate": rate(c[Outcome.FIT_WELL], judged)})

    spans = Assessment.objects.filter(participant__organisation=organisation).values("participant") \
        .annotate(first=Min("taken_on"), latest=Max("taken_on"), n=Count("id")).filter(n__gte=2)
    firsts, latests = {}, {}
    people = [row["participant"] for row in spans]
    for pid, total in Assessment.objects.filter(participant__in=people).order_by("taken_on", "id") \
            .values_list("participant", "total"):
        firsts.setdefault(pid, total)
        latests[pid] = total
    changes = Counter()
    for pid in people:
        delta = latests[pid] - firsts[pid]
        for low, high, label in CHANGE_BINS:
            if low <= delta <= high:
                changes[label] += 1
    barc = [{"change": label, "participants": cell(changes[label])} for _low, _high, label in CHANGE_BINS]
    for row in by_month_rows:
        for field in ("served", "encounters", "referrals", "follow_ups_due"):
            row[field] = cell(row[field])
    for row in by_program:
        row["referrals"] = cell(row["referrals"])
    return Report(months, by_month_rows, by_program, barc, cell(len(people)))


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "month or program or change", "participants served", "encounters", "referrals",
                     "follow-ups due", "follow-up completion", "attended rate", "fit rate", "participants"])
    for row in report.by_month:
        writer.writerow(["month", row["month"].strftime("%Y-%m"), row["served"], row["encounters"], row["referrals"],
                         row["follow_ups_due"], row["follow_up_completion"], "", "", ""])
    for row in report.by_program:
        writer.writerow(["program", row["program"], "", "", row["referrals"], "", "", row["attended_rate"],
                         row["fit_rate"], ""])
    for row in report.barc_change:
        writer.writerow(["barc_change", row["change"], "", "", "", "", "", "", "", row["participants"]])
    return out.getvalue()


def participants_served(organisation) -> int:
    return Participant.objects.filter(organisation=organisation).count()
