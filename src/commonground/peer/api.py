"""JSON endpoints under /api/v1/peer/, with the pages' own access checks and audit (``staff_view``)."""

from __future__ import annotations

from datetime import timedelta

from django.http import JsonResponse
from django.utils import timezone

from commonground.peer import consent as consents
from commonground.peer import reports
from commonground.peer.access import staff_view
from commonground.peer.models import OPEN_OUTCOMES, Outcome, Referral
from commonground.peer.rules import caseload
from commonground.private import ids


def _json(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@staff_view(api=True)
def api_dashboard(request, staff, _participant):
    today = timezone.localdate()
    people = caseload(staff)
    due = Referral.objects.filter(
        organisation=staff.organisation, participant__in=people, outcome__in=OPEN_OUTCOMES, follow_up_on__lte=today
    )
    quiet = people.filter(last_contact_on__lt=today - timedelta(days=staff.organisation.no_contact_days))
    return _json(
        {
            "follow_ups_due_today": due.filter(follow_up_on=today).count(),
            "follow_ups_overdue": due.filter(follow_up_on__lt=today).count(),
            "no_contact": quiet.count(),
            "caseload": people.count(),
        }
    )


@staff_view(api=True)
def api_participants(request, staff, _participant):
    rows = caseload(staff).order_by("code").values("id", "code", "enrolled_on", "last_contact_on")[:500]
    return _json(
        {
            "results": [
                {
                    **r,
                    "id": ids.encode("participant", r["id"]),
                    "enrolled_on": r["enrolled_on"].isoformat(),
                    "last_contact_on": r["last_contact_on"].isoformat() if r["last_contact_on"] else None,
                }
                for r in rows
            ]
        }
    )


@staff_view("peer.view_participant", participant=True, api=True)
def api_participant(request, staff, found):
    referrals = list(
        found.referrals.order_by("-made_on").values("id", "made_on", "kind", "program", "follow_up_on", "outcome")[:100]
    )
    for r in referrals:
        r["id"] = ids.encode("referral", r["id"])
        r["made_on"], r["follow_up_on"] = r["made_on"].isoformat(), r["follow_up_on"].isoformat()
    scope = consents.scope(found)  # what may go outside the organisation today, by the one rule
    return _json(
        {
            "id": ids.encode("participant", found.pk),
            "code": found.code,
            "referrals": referrals,
            "consent": {
                "in_force": scope["in_force"],
                "kinds": scope["kinds"],
                "referrals_may_carry_identity": scope["referrals_may_carry_identity"],
            },
            "barc10": [
                {"taken_on": a.taken_on.isoformat(), "total": a.total} for a in found.assessments.order_by("taken_on")
            ],
            "open_follow_ups": sum(1 for r in referrals if r["outcome"] in ("", Outcome.NOT_YET)),
        }
    )


@staff_view("peer.view_reports", api=True)
def api_report(request, staff, _participant):
    today = timezone.localdate().replace(day=1)
    result = reports.monthly(staff.organisation, reports.add_month(today, -11), today)
    return _json(
        {
            "small_cell_threshold": reports.SMALL_CELL,
            "by_month": [{**row, "month": row["month"].strftime("%Y-%m")} for row in result.by_month],
            "by_program": result.by_program,
            "barc10_change": result.barc_change,
        }
    )
