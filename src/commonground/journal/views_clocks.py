"""The companion's home and its clocks: days counted, resets, milestones as a calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from commonground.i18n import language
from commonground.journal import days, safety_moments
from commonground.journal.access import mine, owned, private_page
from commonground.journal.context import account_of, favourite_rows, today_for, todays_check_in, zone_of
from commonground.journal.forms import ClockEditForm, ClockForm, ResetForm
from commonground.journal.models import (
    Clock,
    Plan,
)
from commonground.journal.records import ClockData, PlanData, Slip
from commonground.journal.suggest import suggestion
from commonground.meetings import schedule


def clock_view(clock: Clock, now: datetime, zone: str, lang: str) -> dict:
    data = clock.data
    start = date.fromisoformat(data.start_date)
    start_time = days.parse_time(data.start_time)
    counted = days.count(start, start_time, data.timezone, now, zone)
    local_now = now.astimezone(schedule.zone(zone))
    reached_today = start_time is None or local_now.time().replace(tzinfo=None) >= start_time
    convention = days.conventions().get(data.convention) or days.conventions()["plain"]
    upcoming = days.next_milestone(convention, start, local_now.date(), reached_today)
    return {
        "clock": clock,
        "name": data.name,
        "count": counted,
        "convention": convention,
        "substance": data.substance,
        "substance_name": safety_moments.substance_name(data.substance),
        "next": {"date": upcoming[0], "name": upcoming[1].get(lang) or upcoming[1]["en"]} if upcoming else None,
        "history": days.history(data, local_now.date()),
        "start": start,
        "start_time": start_time,
    }


@private_page
def home(request):
    account = account_of(request)
    zone, now, lang = zone_of(request, account), datetime.now(UTC), language()
    clocks = [clock_view(c, now, zone, lang) for c in mine(request, Clock)]
    today = now.astimezone(schedule.zone(zone)).date().isoformat()
    checked_in = todays_check_in(request, today) is not None
    return render(
        request,
        "journal/home.html",
        {
            "clocks": clocks,
            "checked_in": checked_in,
            "zone": zone,
            "favourites": favourite_rows(request),
            "suggestion": suggestion(request.user, account, lang),
        },
    )


@private_page
def clock_new(request):
    account = account_of(request)
    form = ClockForm(
        request.POST or None,
        language=language(),
        initial={
            "timezone": zone_of(request, account),
            "start_date": today_for(request, account),
            "convention": "plain",
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        clock = Clock.objects.create(
            user=request.user,
            data=ClockData(
                name=d["name"].strip(),
                substance=d["substance"],
                start_date=d["start_date"].isoformat(),
                start_time=d["start_time"].strftime("%H:%M") if d["start_time"] else None,
                timezone=d["timezone"],
                convention=d["convention"],
            ),
        )
        return redirect("journal:clock", pk=clock.pk)
    return render(request, "journal/clock_new.html", {"form": form}, status=400 if form.errors else 200)


def plan_contacts(user) -> dict:
    """The plan's people and professionals to call (for a slip, a hard check-in, "I'm struggling")."""
    plan = Plan.objects.filter(user=user).first()
    data = plan.data if plan else PlanData()
    return {
        "people": data.people,
        "professionals": data.professionals,
        "has_plan": plan is not None,
    }


@private_page
def clock(request, pk: int):
    """A clock; POST changes its name, substance and milestones. After a reset (``?reset=1``) the
    safety layer's help for the clock's substance leads the page, then the people to call and the
    country's lines; kind words come after."""
    found = owned(request, Clock, pk)
    account = account_of(request)
    zone, now, lang = zone_of(request, account), datetime.now(UTC), language()
    edit = ClockEditForm(
        request.POST or None,
        language=lang,
        initial={
            "name": found.data.name,
            "substance": found.data.substance or "",
            "convention": found.data.convention,
        },
    )
    if request.method == "POST":
        if edit.is_valid():
            found.data = found.data.but(**{k: (v.strip() if k == "name" else v) for k, v in edit.cleaned_data.items()})
            found.save(update_fields=["data"])
            return redirect("journal:clock", pk=pk)
    view = clock_view(found, now, zone, lang)
    horizon = days.add_months(view["start"], 12 * 3)
    milestones = [
        {"date": d, "name": names.get(lang) or names["en"], "reached": d <= now.astimezone(schedule.zone(zone)).date()}
        for d, _after, names in view["convention"].schedule(view["start"], horizon)
    ]
    slip = None
    if request.GET.get("reset"):
        last = found.data.slips[-1] if found.data.slips else Slip()
        slip = {
            "guidance": safety_moments.guidance(safety_moments.reset_situation(account, view["substance"], last.note)),
            **plan_contacts(request.user),
        }
    return render(
        request,
        "journal/clock.html",
        {
            **view,
            "milestones": milestones,
            "reset_form": ResetForm(),
            "edit_form": edit,
            "slip": slip,
            "convention_name": view["convention"].name(lang),
            "convention_note": view["convention"].note(lang),
        },
        status=400 if edit.errors else 200,
    )


@require_POST
@private_page
@sensitive_post_parameters("note")
def clock_reset(request, pk: int):
    found = owned(request, Clock, pk)
    form = ResetForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    found.data = days.reset(found.data, datetime.now(UTC), zone_of(request), note)
    found.save(update_fields=["data"])
    return redirect(reverse("journal:clock", kwargs={"pk": pk}) + "?reset=1")


@require_POST
@private_page
def clock_delete(request, pk: int):
    owned(request, Clock, pk).delete()
    return redirect("journal:home")


@private_page
def clock_ics(request, pk: int):
    """The clock's milestones for the next three years, as all-day events."""
    found = owned(request, Clock, pk)
    view = clock_view(found, datetime.now(UTC), zone_of(request), language())
    cal = Calendar()
    cal.add("prodid", "-//Common Ground//Companion//EN")
    cal.add("version", "2.0")
    today = today_for(request)
    for day, after, names in view["convention"].schedule(view["start"], days.add_months(today, 36)):
        if day < today:
            continue
        event = Event()
        event.add("uid", f"clock-{found.pk}-{after}-{view['start'].isoformat()}@commonground")
        event.add("dtstamp", datetime.now(UTC))
        event.add("summary", f"{names.get(language()) or names['en']} ({view['name']})")
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="milestones.ics"'
    return response
