"""The finder's pages: home, results, meeting, programs. Server-rendered; JavaScript only helps."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms as dj_forms
from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from commonground import i18n
from commonground.catalog.models import Program
from commonground.feeds.fields import clean_text
from commonground.meetings import types
from commonground.meetings.links import safe_href
from commonground.meetings.models import Meeting, ProblemReport
from commonground.places.units import KM_PER_MILE, distance_unit
from commonground.search import engine, rows
from commonground.search.query import DEFAULT_LIMIT, QueryError, parse_query
from commonground.treatment.nearby import covers, nearest_any
from commonground.web import calendar, forms
from commonground.web.help import country_of_meeting, site_help_for
from commonground.web.presenters import coordinates_exact, decorate, directions, map_points, report_link, search_unit

# An opioid treatment program this close to an in-person meeting is shown on its page (issue 30).
METHADONE_NEAR_KM = 2.0


def home(request):
    return render(
        request,
        "web/home.html",
        {
            "meeting_count": engine.current_index().size,
            "programs": Program.objects.order_by("order", "code"),
        },
    )


def meetings(request):
    params = request.GET
    context = {"page": None, "error": None, "view": params.get("view", "list")}
    if not forms.has_criteria(params):
        context["form"] = forms.SearchForm(params, unit=search_unit(params=params))
        return render(request, "web/meetings.html", context)
    try:
        query = parse_query(params)
    except QueryError as exc:
        context["form"] = forms.SearchForm(params, unit=search_unit(params=params))
        context["error"] = exc
        context["error_at"] = (
            "place"
            if exc.field == "near"
            else "time"
            if exc.field in ("starting_within", "day", "time_from", "time_to")
            else "other"
        )
        return render(request, "web/meetings.html", context, status=400)
    page = engine.search(query)
    # Distances in the unit of the place searched: miles in the US or the UK, kilometres elsewhere.
    unit = search_unit(query, params)
    results = [decorate(r, query.tz, unit) for r in page.results]
    context.update(
        form=forms.SearchForm(params, unit=unit),
        page=page,
        query=query,
        results=results,
        next_url=forms.page_url(params, page.next_offset),
        previous_url=forms.page_url(params, max(query.offset - query.limit, 0)) if query.offset else None,
        map_url=forms.page_url(params, query.offset, view="map"),
        list_url=forms.page_url(params, query.offset, view="list"),
        widen=forms.widen_suggestions(params, query, unit) if not page.count else [],
        map_points=map_points(results),
        tile_url=settings.MAP_TILE_URL,
        first=query.offset + 1,
        last=query.offset + len(results),
        # "Near me" sends the device's coordinates: the heading says "near you", not the numbers.
        near_you=query.has_place and not params.get("near"),
        # The home page searches today from now; every later meeting is one tap away.
        other_days_url=_other_days_url(params) if params.get("day") else None,
    )
    return render(request, "web/meetings.html", context)


def _other_days_url(params) -> str:
    """The same search on every day, soonest first from now."""
    pairs = [
        (k, v)
        for k, values in params.lists()
        if k not in ("day", "time_from", "time_to", "offset", "sort")
        for v in values
        if v != ""
    ]
    return reverse("meetings") + "?" + urlencode([*pairs, ("sort", "soonest")])


def meeting_by_id(request, pk: int, ics: bool = False):
    """An old address by database id: moved for good to the meeting's lasting address."""
    found = get_object_or_404(Meeting.objects.select_related("source"), pk=pk)
    target = found.get_absolute_url() + (".ics" if ics else "")
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))


def _meeting_at(source: str, key: str) -> Meeting:
    return rows.meeting_at(source, key) or _404()


def _404():
    raise Http404("There is no meeting at this address.")


def meeting(request, source: str, key: str):
    if key.endswith(".ics") and not Meeting.objects.filter(source__slug=source, key=key).exists():
        return meeting_ics(request, _meeting_at(source, key.removesuffix(".ics")))
    found = _meeting_at(source, key)
    tz = request.GET.get("tz") or found.timezone
    try:
        query = parse_query({"tz": tz, "now": request.GET.get("now", "")})
    except QueryError:
        query = parse_query({"tz": found.timezone})
    from commonground.search.results import meeting_result

    result = decorate(meeting_result(found, found.next_start(query.now), None, query), query.tz)
    language = i18n.language()
    table = found.program.type_table
    type_names = [types.type_name(table, code, language) for code in found.types if code in types.type_table(table)]
    country = country_of_meeting(found, request.GET)
    return render(
        request,
        "web/meeting.html",
        {
            "m": found,
            "r": result,
            "directions": directions(found),
            "report": report_link(found),
            "type_names": type_names,
            "own_formats": types.own_format_names(found.extra),
            "expect": found.program.text("first_meeting", language),
            # Links are judged again as they go out: only http(s), in their normalised form.
            "join_url": safe_href(found.conference_url) if found.conference_provider else None,
            "listing_url": safe_href(found.url),
            "demo": found.source.format == "demo",
            "health": found.source.health(),
            "disconnect_days": settings.SOURCE_DISCONNECT_DAYS,
            # The header's "Help now" and the footer: the help lines of the meeting's own country.
            "site_help": site_help_for(country),
            "treatment_nearby": _methadone_nearby(found, country),
            "treatment_unit": distance_unit(country),
        },
    )


def _methadone_nearby(found: Meeting, country: str) -> dict | None:
    """The nearest opioid treatment program (one that lists methadone) within 2 km of an in-person
    meeting whose coordinates mark its building, from FindTreatment.gov's listings (the US and its
    territories). A fact about the program, never about the meeting. One search in memory."""
    if found.attendance_mode not in ("in_person", "hybrid") or not coordinates_exact(found) or not covers(country):
        return None
    assert found.latitude is not None and found.longitude is not None  # coordinates_exact
    near = nearest_any(found.latitude, found.longitude, ("methadone",), radius_km=METHADONE_NEAR_KM, limit=1)
    if not near:
        return None
    km = near[0]["distance_km"]
    return {**near[0], "distance": km / KM_PER_MILE if distance_unit(country) == "mi" else km}


def meeting_ics(request, found: Meeting):
    if found.is_ongoing:
        raise Http404("This meeting has no fixed time to put in a calendar.")
    body = calendar.meeting_calendar(found, request.build_absolute_uri(found.get_absolute_url()))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.slug}.ics"'
    return response


def programs(request):
    language = i18n.language()
    rows = Program.objects.order_by("order", "code")
    return render(request, "web/programs.html", {"programs": rows, "language": language})


def program(request, code: str):
    language = i18n.language()
    found = get_object_or_404(Program, pk=code)
    facts = []
    for name in forms.FACT_LABELS:
        if (
            name not in found.facts
            or found.facts[name].get("value") in (["not-applicable"], "not-applicable", ["none"])
            and name in ("focus", "family_of")
        ):
            continue
        fact = found.fact(name, language)
        facts.append(
            {
                "name": name,
                "label": forms.FACT_LABELS[name],
                "value": fact["value"],
                "note": found.note(name, language),
                "sources": fact["sources"],
                "confirmed": fact["confirmed"],
            }
        )
    return render(
        request,
        "web/program.html",
        {
            "p": found,
            "facts": facts,
            "language": language,
            # What search finds for the program: each meeting once, none from a disconnected source.
            "meeting_count": Meeting.objects.public().filter(program=found).count(),
            "limit": DEFAULT_LIMIT,
        },
    )


class ReportForm(dj_forms.Form):
    problem = dj_forms.ChoiceField(
        label=_("What is wrong?"), widget=dj_forms.RadioSelect, choices=ProblemReport._meta.get_field("problem").choices
    )
    details = dj_forms.CharField(
        label=_("Anything else? (optional; please do not write anyone's name)"),
        required=False,
        max_length=2000,
        widget=dj_forms.Textarea(attrs={"rows": 4}),
    )


def report_problem(request, source: str, key: str):
    """The local report form, for listings whose feed gives no feedback address or e-mail."""
    found = _meeting_at(source, key)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details, _ = clean_text(form.cleaned_data["details"], multiline=True)
        ProblemReport.objects.create(
            meeting=found,
            source=found.source,
            meeting_url=found.get_absolute_url(),
            meeting_name=found.name,
            problem=form.cleaned_data["problem"],
            details=details[:2000],
        )
        return render(request, "web/report.html", {"m": found, "done": True})
    return render(
        request, "web/report.html", {"m": found, "form": form}, status=400 if request.method == "POST" else 200
    )
