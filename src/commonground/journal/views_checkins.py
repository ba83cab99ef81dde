"""Check-ins and trends, with their charts."""

from __future__ import annotations

import base64

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from commonground.journal import charts, safety_moments
from commonground.journal.access import mine, private_page
from commonground.journal.context import account_of, today_for, todays_check_in
from commonground.journal.forms import CheckInForm
from commonground.journal.models import Attendance, CheckIn
from commonground.journal.records import CheckInData


@private_page
@sensitive_post_parameters("note")
def checkin(request):
    """A check-in. One with crisis words in its note, a mood of 2 or lower or a craving of 8 or higher
    goes on to "I'm struggling", the crisis or hard-day note first (the safety layer decides which);
    others go on to the trends. The note is read here and never logged or put in an address."""
    today = today_for(request).isoformat()
    existing = todays_check_in(request, today)
    form = CheckInForm(request.POST or None, initial=existing.data.dump() if existing else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = CheckInData(
            date=today, mood=int(d["mood"]), craving=int(d["craving"]), meeting=d["meeting"], note=d["note"].strip()
        )
        if existing:
            existing.data = data
            existing.save(update_fields=["data"])
        else:
            CheckIn.objects.create(user=request.user, data=data)
        situation = safety_moments.checkin_situation(account_of(request), [], data)
        if safety_moments.checkin_needs_help(situation):
            return redirect(reverse("journal:help") + "?from=checkin")
        return redirect("journal:trends")
    return render(
        request,
        "journal/checkin.html",
        {"form": form, "again": existing is not None},
        status=400 if form.errors else 200,
    )


def _trends(request) -> charts.Trends:
    return charts.trends(
        [c.data for c in mine(request, CheckIn)], [a.data for a in mine(request, Attendance)], today_for(request)
    )


def _chart_images(t: charts.Trends) -> dict[str, str]:
    """The three charts as ``data:`` images, drawn from the trends the page already holds: one
    reading of the check-ins per page, not one per chart."""
    day_labels = [date_format(d, "M j") for d in t.days]
    drawn = {
        "cravings": charts.line_svg(_("Craving, last 30 days (0 to 10)"), day_labels, t.craving, low=0, high=10),
        "mood": charts.line_svg(_("Mood, last 30 days (1 to 5)"), day_labels, t.mood, low=1, high=5),
        "meetings": charts.bar_svg(
            _("Meetings per week"), [date_format(w, "M j") for w in t.weeks], t.meetings_per_week
        ),
    }
    return {name: "data:image/svg+xml;base64," + base64.b64encode(svg).decode() for name, svg in drawn.items()}


@private_page
def trends(request):
    t = _trends(request)
    rows = [
        {"day": d, "craving": c, "mood": m} for d, c, m in zip(t.days, t.craving, t.mood, strict=True) if c is not None
    ]
    weeks = list(zip(t.weeks, t.meetings_per_week, strict=True))
    return render(request, "journal/trends.html", {"t": t, "rows": rows, "weeks": weeks, "charts": _chart_images(t)})
