"""Meetings in the companion: favourites, "I went", groups tried, saved fit results, the calendar."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonground.catalog.models import Program
from commonground.i18n import language
from commonground.journal.access import mine, owned, private_page
from commonground.journal.context import account_of, back_to, favourite_rows, today_for
from commonground.journal.forms import TriedForm
from commonground.journal.models import (
    Account,
    Attendance,
    Favourite,
    Tried,
    calendar_token_hash,
)
from commonground.journal.records import AttendanceData, FavouriteData, SavedFit, TriedData
from commonground.journal.suggest import suggestion
from commonground.meetings.models import meeting_at
from commonground.web.calendar import meetings_calendar


@require_POST
@private_page
def favourite(request):
    ref = request.POST.get("meeting", "")
    meeting = meeting_at(ref)
    if meeting is None:
        raise Http404("There is no such meeting.")
    existing = [f for f in mine(request, Favourite) if f.data.meeting == ref]
    if existing:
        for f in existing:
            f.delete()
    else:
        Favourite.objects.create(
            user=request.user,
            data=FavouriteData(meeting=ref, name=meeting.name, added_on=today_for(request).isoformat()),
        )
    return redirect(back_to(request, meeting.get_absolute_url()))


@require_POST
@private_page
def went(request):
    meeting = meeting_at(request.POST.get("meeting", ""))
    if meeting is None:
        raise Http404("There is no such meeting.")
    Attendance.objects.create(
        user=request.user,
        data=AttendanceData(
            meeting=meeting.ref,
            name=meeting.name,
            program=meeting.program_id,
            date=today_for(request).isoformat(),
        ),
    )
    return redirect(reverse("journal:tried_new") + "?" + urlencode({"meeting": meeting.ref, "went": 1}))


@private_page
def tried_list(request):
    lang = language()
    programs = {p.code: p.text("name", lang) or p.name for p in Program.objects.all()}
    entries = [
        {"entry": t, "program": programs.get(t.data.program, t.data.program)}
        for t in reversed(list(mine(request, Tried)))
    ]
    attended = list(reversed(list(mine(request, Attendance))))[:20]
    return render(
        request,
        "journal/tried.html",
        {"entries": entries, "attended": attended, "suggestion": suggestion(request.user, account_of(request), lang)},
    )


@private_page
def tried_new(request):
    meeting = meeting_at(request.GET.get("meeting") or request.POST.get("meeting", ""))
    program = Program.objects.filter(
        pk=request.GET.get("program") or request.POST.get("program") or (meeting.program_id if meeting else "")
    ).first()
    if program is None:
        raise Http404("Choose a meeting or a program to rate.")
    form = TriedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        Tried.objects.create(
            user=request.user,
            data=TriedData(
                meeting=meeting.ref if meeting else None,
                program=program.code,
                name=meeting.name if meeting else program.name,
                date=today_for(request).isoformat(),
                rating=int(d["rating"]),
                would_return=d["would_return"],
                note=d["note"].strip(),
            ),
        )
        return redirect("journal:tried")
    return render(
        request,
        "journal/tried_new.html",
        {"form": form, "meeting": meeting, "program": program, "went": request.GET.get("went")},
        status=400 if form.errors else 200,
    )


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
    account.data = account.data.but(
        saved_fit=SavedFit(
            query=query,
            saved_on=today_for(request, account).isoformat(),
            ranking=[r.program.code for r in result.ranking if not r.excluded],
        )
    )
    account.save(update_fields=["data"])
    return redirect(reverse("journal:tried") + "?saved=1")


@private_page
def calendar_page(request):
    account = account_of(request)
    token = account.calendar_token()
    url = request.build_absolute_uri(reverse("journal:calendar_feed", kwargs={"token": token})) if token else None
    return render(
        request,
        "journal/calendar.html",
        {"url": url, "voided": account.calendar_voided(), "favourites": favourite_rows(request)},
    )


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
    account = (
        Account.objects.filter(calendar_token_hash=calendar_token_hash(token)).select_related("user").first()
        if token
        else None
    )
    if account is None or not secrets.compare_digest(account.calendar_token() or "", token):
        raise Http404("Not found.")
    items = []
    for fav in Favourite.objects.filter(user=account.user):
        meeting = meeting_at(fav.data.meeting)
        if meeting is not None and not meeting.is_ongoing:
            items.append((meeting, request.build_absolute_uri(meeting.get_absolute_url())))
    body = meetings_calendar(items, name="Common Ground")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")  # no-store: web/privacy.py
    response["Referrer-Policy"] = "no-referrer"
    return response
