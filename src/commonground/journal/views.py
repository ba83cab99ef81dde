"""The companion's pages under /me/: clocks, meetings and groups tried, the calendar, saved results."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from commonground.catalog.models import Program
from commonground.i18n import language
from commonground.journal import days, safety_moments
from commonground.journal.access import mine, owned, private_page
from commonground.journal.forms import ClockEditForm, ClockForm, ResetForm, TriedForm
from commonground.journal.models import Account, Attendance, CheckIn, Clock, Favourite, Plan, Tried, calendar_token_hash
from commonground.journal.refs import meeting_at, meeting_ref
from commonground.journal.suggest import suggestion
from commonground.meetings import schedule
from commonground.web.calendar import meetings_calendar


def account_of(request) -> Account:
    return Account.objects.get_or_create(user=request.user)[0]


def zone_of(request, account: Account | None = None) -> str:
    account = account or account_of(request)
    return account.data.get("timezone") or "UTC"


def today_for(request, account: Account | None = None) -> date:
    return datetime.now(UTC).astimezone(schedule.zone(zone_of(request, account))).date()


def _back(request, default: str) -> str:
    target = request.POST.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else default


# --- clocks -----------------------------------------------------------------------------------

def clock_view(clock: Clock, now: datetime, zone: str, lang: str) -> dict:
    data = clock.data
    start = date.fromisoformat(data["start_date"])
    start_time = days.parse_time(data.get("start_time"))
    counted = days.count(start, start_time, data["timezone"], now, zone)
    local_now = now.astimezone(schedule.zone(zone))
    reached_today = start_time is None or local_now.time().replace(tzinfo=None) >= start_time
    convention = days.conventions().get(data.get("convention", "plain")) or days.conventions()["plain"]
    upcoming = days.next_milestone(convention, start, local_now.date(), reached_today)
    return {"clock": clock, "name": data["name"], "count": counted, "convention": convention,
            "substance": data.get("substance") or "",
            "substance_name": safety_moments.substance_name(data.get("substance") or ""),
            "next": {"date": upcoming[0], "name": upcoming[1].get(lang) or upcoming[1]["en"]} if upcoming else None,
            "history": days.history(data, local_now.date()), "start": start, "start_time": start_time}


@private_page
def home(request):
    account = account_of(request)
    zone, now, lang = zone_of(request, account), datetime.now(UTC), language()
    clocks = [clock_view(c, now, zone, lang) for c in mine(request, Clock)]
    today = now.astimezone(schedule.zone(zone)).date().isoformat()
    checked_in = any(c.data.get("date") == today for c in mine(request, CheckIn))
    return render(request, "journal/home.html", {
        "clocks": clocks, "checked_in": checked_in, "zone": zone, "favourites": favourite_rows(request),
        "suggestion": suggestion(request.user, account, lang)})


@private_page
def clock_new(request):
    account = account_of(request)
    form = ClockForm(request.POST or None, language=language(),
                     initial={"timezone": zone_of(request, account), "start_date": today_for(request, account),
                              "convention": "plain"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        clock = Clock.objects.create(user=request.user, data={
            "name": d["name"].strip(), "substance": d["substance"], "start_date": d["start_date"].isoformat(),
            "start_time": d["start_time"].strftime("%H:%M") if d["start_time"] else None,
            "timezone": d["timezone"], "convention": d["convention"], "slips": [], "stretches": []})
        return redirect("journal:clock", pk=clock.pk)
    return render(request, "journal/clock_new.html", {"form": form}, status=400 if form.errors else 200)


def plan_contacts(user) -> dict:
    """The plan's people and professionals to call (for a slip, a hard check-in, "I'm struggling")."""
    plan = Plan.objects.filter(user=user).first()
    data = plan.data if plan else {}
    return {"people": data.get("people", []), "professionals": data.get("professionals", []),
            "has_plan": plan is not None}


@private_page
def clock(request, pk: int):
    """A clock; POST changes its name, substance and milestones. After a reset (``?reset=1``) the
    safety layer's help for the clock's substance leads the page, then the people to call and the
    country's lines; kind words come after."""
    found = owned(request, Clock, pk)
    account = account_of(request)
    zone, now, lang = zone_of(request, account), datetime.now(UTC), language()
    edit = ClockEditForm(request.POST or None, language=lang, initial={
        "name": found.data.get("name"), "substance": found.data.get("substance") or "",
        "convention": found.data.get("convention", "plain")})
    if request.method == "POST":
        if edit.is_valid():
            found.data = {**found.data, **{k: (v.strip() if k == "name" else v) for k, v in edit.cleaned_data.items()}}
            found.save(update_fields=["data"])
            return redirect("journal:clock", pk=pk)
    view = clock_view(found, now, zone, lang)
    horizon = days.add_months(view["start"], 12 * 3)
    milestones = [{"date": d, "name": names.get(lang) or names["en"],
                   "reached": d <= now.astimezone(schedule.zone(zone)).date()}
                  for d, _after, names in view["convention"].schedule(view["start"], horizon)]
    slip = None
    if request.GET.get("reset"):
        last = (found.data.get("slips") or [{}])[-1]
        slip = {"guidance": safety_moments.guidance(safety_moments.reset_situation(account, view["substance"],
                                                                                 last.get("note") or "")),
                **plan_contacts(request.user)}
    return render(request, "journal/clock.html", {
        **view, "milestones": milestones, "reset_form": ResetForm(), "edit_form": edit, "slip": slip,
        "convention_name": view["convention"].name(lang), "convention_note": view["convention"].note(lang)},
        status=400 if edit.errors else 200)


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


# --- favourites, "I went", groups tried -----------------------------------------------------

def favourite_rows(request) -> list[dict]:
    rows = []
    for fav in mine(request, Favourite):
        meeting = meeting_at(fav.data.get("meeting", ""))
        rows.append({"fav": fav, "meeting": meeting, "name": meeting.name if meeting else fav.data.get("name", "")})
    return rows


@require_POST
@private_page
def favourite(request):
    ref = request.POST.get("meeting", "")
    meeting = meeting_at(ref)
    if meeting is None:
        raise Http404("There is no such meeting.")
    existing = [f for f in mine(request, Favourite) if f.data.get("meeting") == ref]
    if existing:
        for f in existing:
            f.delete()
    else:
        Favourite.objects.create(user=request.user, data={"meeting": ref, "name": meeting.name,
                                                         "added_on": today_for(request).isoformat()})
    return redirect(_back(request, meeting.get_absolute_url()))


@require_POST
@private_page
def went(request):
    meeting = meeting_at(request.POST.get("meeting", ""))
    if meeting is None:
        raise Http404("There is no such meeting.")
    Attendance.objects.create(user=request.user, data={"meeting": meeting_ref(meeting), "name": meeting.name,
                                                      "program": meeting.program_id,
                                                      "date": today_for(request).isoformat()})
    return redirect(reverse("journal:tried_new") + "?" + urlencode({"meeting": meeting_ref(meeting), "went": 1}))


@private_page
def tried_list(request):
    lang = language()
    programs = {p.code: p.text("name", lang) or p.name for p in Program.objects.all()}
    entries = [{"entry": t, "program": programs.get(t.data.get("program"), t.data.get("program"))}
               for t in reversed(list(mine(request, Tried)))]
    attended = list(reversed(list(mine(request, Attendance))))[:20]
    return render(request, "journal/tried.html", {"entries": entries, "attended": attended,
                                                  "suggestion": suggestion(request.user, account_of(request), lang)})


@private_page
def tried_new(request):
    meeting = meeting_at(request.GET.get("meeting") or request.POST.get("meeting", ""))
    program = Program.objects.filter(pk=request.GET.get("program") or request.POST.get("program") or
                                     (meeting.program_id if meeting else "")).first()
    if program is None:
        raise Http404("Choose a meeting or a program to rate.")
    form = TriedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        Tried.objects.create(user=request.user, data={
            "meeting": meeting_ref(meeting) if meeting else None, "program": program.code,
            "name": meeting.name if meeting else program.name, "date": today_for(request).isoformat(),
            "rating": int(d["rating"]), "would_return": d["would_return"], "note": d["note"].strip()})
        return redirect("journal:tried")
    return render(request, "journal/tried_new.html", {"form": form, "meeting": meeting, "program": program,
                                                      "went": request.GET.get("went")},
                  status=400 if form.errors else 200)


@require_POST
@private_page
def tried_delete(request, pk: int):
    owned(request, Tried, pk).delete()
    return redirect("journal:tried")


@require_POST
@private_page
def fit_save(request):
    """Keep the fit finder's ranking (recomputed here from the answers, never taken from the form)."""
    from django.http import QueryDict

    from commonground.fit.answers import parse_answers
    from commonground.fit.ranking import rank
    from commonground.search.query import QueryError

    query = request.POST.get("answers", "")[:2000]
    try:
        result = rank(parse_answers(QueryDict(query)), language=language())
    except QueryError:
        raise Http404("Those answers could not be read.") from None
    account = account_of(request)
    account.data = {**account.data, "saved_fit": {
        "query": query, "saved_on": today_for(request, account).isoformat(),
        "ranking": [r.program.code for r in result.ranking if not r.excluded]}}
    account.save(update_fields=["data"])
    return redirect(reverse("journal:tried") + "?saved=1")


# --- the private calendar -----------------------------------------------------------------------

@private_page
def calendar_page(request):
    account = account_of(request)
    token = account.calendar_token()
    url = request.build_absolute_uri(reverse("journal:calendar_feed", kwargs={"token": token})) if token else None
    return render(request, "journal/calendar.html", {"url": url, "voided": account.calendar_voided(),
                                                     "favourites": favourite_rows(request)})


@require_POST
@private_page
def calendar_new_link(request):
    """A new secret link (the old one stops working at once), or none with ``off``."""
    account = account_of(request)
    account.set_calendar_token(None if request.POST.get("off") else secrets.token_urlsafe(32))
    account.save(update_fields=["data", "calendar_token_hash"])
    return redirect("journal:calendar")


def calendar_feed(request, token: str):
    """The favourites as a calendar subscription, by secret link (calendar apps send no cookies).

    A link voided by "sign out everywhere" or a recovery answers 404, as one never made does."""
    account = Account.objects.filter(calendar_token_hash=calendar_token_hash(token)).select_related("user").first() \
        if token else None
    if account is None or not secrets.compare_digest(account.calendar_token() or "", token):
        raise Http404("Not found.")
    items = []
    for fav in Favourite.objects.filter(user=account.user):
        meeting = meeting_at(fav.data.get("meeting", ""))
        if meeting is not None and not meeting.is_ongoing:
            items.append((meeting, request.build_absolute_uri(meeting.get_absolute_url())))
    body = meetings_calendar(items, name="Common Ground")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")  # no-store: web/privacy.py
    response["Referrer-Policy"] = "no-referrer"
    return response
