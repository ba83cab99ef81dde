"""The recovery plan, its printout, and "I'm struggling"."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.shortcuts import redirect, render

from commonground.journal import nearby, safety_moments
from commonground.journal.access import mine, private_page
from commonground.journal.context import account_of, favourite_rows, today_for, todays_check_in, zone_of
from commonground.journal.forms import (
    PLAN_FIELDS,
    PROFESSIONALS,
    SAFER,
    PlanForm,
)
from commonground.journal.models import Clock, Plan
from commonground.journal.records import PlanData
from commonground.meetings import schedule
from commonground.search import engine
from commonground.search.query import parse_query
from commonground.web.presenters import decorate


def _plan(request) -> Plan | None:
    return mine(request, Plan).first()


@private_page
def plan(request):
    found = _plan(request)
    data = found.data if found else PlanData()
    initial: dict[str, object] = {name: getattr(data, name) for name, _label, _help in PLAN_FIELDS}
    for n, person in enumerate(data.people[:5], start=1):
        initial[f"person_{n}_name"], initial[f"person_{n}_phone"] = person.name, person.phone
    for pro in data.professionals:
        initial[f"{pro.role}_name"], initial[f"{pro.role}_phone"] = pro.name, pro.phone
    safer = data.safer
    initial.update({f"safer_{key}": bool(safer.get(key)) for key, _label in SAFER}, safer_notes=safer.get("notes", ""))
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = PlanData.load(
            {name: form.cleaned_data[name].strip() for name, _label, _help in PLAN_FIELDS}
            | {"people": form.people(), "professionals": form.professionals(), "safer": form.safer()}
        )
        with transaction.atomic():
            if found:
                found.data = values
                found.save(update_fields=["data"])
            else:
                Plan.objects.create(user=request.user, data=values)
        return redirect("journal:plan_print")
    people_rows = [(form[f"person_{n}_name"], form[f"person_{n}_phone"]) for n in range(1, 6)]
    return render(
        request,
        "journal/plan.html",
        {
            "form": form,
            "people_rows": people_rows,
            "text_fields": [form[name] for name, _l, _h in PLAN_FIELDS],
            "professional_rows": [(form[f"{role}_name"], form[f"{role}_phone"]) for role, _label in PROFESSIONALS],
            "safer_fields": [form[f"safer_{key}"] for key, _label in SAFER],
            "safer_notes": form["safer_notes"],
        },
        status=400 if form.errors else 200,
    )


def _plan_sections(data: PlanData) -> list[tuple[str, str]]:
    return [(label, getattr(data, name)) for name, label, _help in PLAN_FIELDS if getattr(data, name)]


def _safer(data: PlanData) -> dict:
    """The plan's "safer surroundings": the items ticked, and the person's own words."""
    return {"done": [label for key, label in SAFER if data.safer.get(key)], "notes": data.safer.get("notes", "")}


def professional_rows(data: PlanData) -> list[dict]:
    roles = dict(PROFESSIONALS)
    return [{**p.dump(), "role_name": roles.get(p.role, "")} for p in data.professionals]


@private_page
def plan_print(request):
    found = _plan(request)
    data = found.data if found else PlanData()
    return render(
        request,
        "journal/plan_print.html",
        {
            "sections": _plan_sections(data),
            "people": data.people,
            "professionals": professional_rows(data),
            "safer": _safer(data),
        },
    )


def _struggling_guidance(request, account, substances, family):
    """The layer's guidance: after a hard check-in today (``?from=checkin``) its crisis or hard-day
    note leads; otherwise the person's clocks decide the notes (overdose for a drug clock)."""
    if request.GET.get("from") == "checkin":
        today = today_for(request, account).isoformat()
        done = todays_check_in(request, today)
        if done is not None:
            return safety_moments.guidance(safety_moments.checkin_situation(account, substances, done.data))
    return safety_moments.guidance(safety_moments.struggling_situation(account, substances, family))


@private_page
def struggling(request):
    """One page with what helps now: it must answer fast, and it needs no JavaScript. The help
    lines, notes and their order are the safety layer's, for the account's country."""
    found = _plan(request)
    data = found.data if found else PlanData()
    account = account_of(request)
    zone = zone_of(request, account)
    substances = safety_moments.clock_substances(mine(request, Clock))
    someone_else, family = safety_moments.about_someone_else(request.user, account)
    guidance = _struggling_guidance(request, account, substances, family)
    programs = sorted(safety_moments.own_use_programs(someone_else=someone_else))
    found = (
        engine.search(
            parse_query({"mode": "online", "starting_within": "60", "tz": zone, "limit": "40", "program": programs})
        ).results
        if programs
        else []
    )
    soon = [r for r in found if not r["ongoing"]][:5]
    always = [r for r in found if r["ongoing"]][:3]  # 24/7 chat and e-mail groups: open now, too
    today = datetime.now(UTC).astimezone(schedule.zone(zone))
    weekday = (today.weekday() + 1) % 7  # our weekdays: 0 = Sunday
    favourites_today = []
    favourites = favourite_rows(request)
    for row in favourites:
        m = row["meeting"]
        if m is None or m.is_ongoing:
            continue
        start = m.next_start(datetime.now(UTC))
        if start is not None and start.astimezone(schedule.zone(zone)).date() == today.date():
            favourites_today.append({"meeting": m, "start": start.astimezone(schedule.zone(zone))})
        elif m.weekday == weekday and start is None:
            favourites_today.append({"meeting": m, "start": None})
    lead = [n for n in guidance.notes if n.id in ("crisis", "struggling")]
    treatment = nearby.medication_near(account, substances, favourites)
    return render(
        request,
        "journal/struggling.html",
        {
            "guidance": guidance,
            "lead_notes": lead,
            "other_notes": [n for n in guidance.notes if n not in lead],
            "sections": _plan_sections(data),
            "people": data.people,
            "professionals": professional_rows(data),
            "has_plan": found is not None,
            "soon": [decorate(r, zone) for r in soon],
            "always": [decorate(r, zone) for r in always],
            "favourites_today": favourites_today,
            "zone": zone,
            "treatment": treatment[0] if treatment else None,
            "treatment_unit": treatment[1] if treatment else "",
        },
    )
