"""The /treatment page: licensed treatment near a place, from FindTreatment.gov (issue 30).

No JavaScript, English and Spanish. The form asks what the API asks (``treatment/query.py``: a place,
what a facility offers, how to pay, who it serves, a language, a distance in the unit of the place's
country) and a result shows how to reach the facility: a call button, directions, its website, what
it offers in plain words (``treatment/labels.py``) and when its listing was last read. The data covers
the United States and its territories; for a place elsewhere the page says so and shows that
country's own help lines from the safety layer instead of a US facility.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _

from commonground import safety
from commonground.meetings.links import safe_href
from commonground.places.units import KM_PER_MILE, distance_unit
from commonground.search.query import QueryError
from commonground.treatment import labels
from commonground.treatment import query as treatment_query
from commonground.treatment import search as treatment_search
from commonground.treatment.models import Facility
from commonground.treatment.nearby import covers, tel_href
from commonground.web.forms import RADII
from commonground.web.help import country_of_request, lines_heading, site_help_for
from commonground.web.presenters import directions

LISTS = ("offers", "pays", "serves")
PLACE = ("near", "lat", "lng")
# Where an error is shown: beside the control that holds the value.
ERROR_AT = {"lat": "near", "lng": "near", "radius_km": "radius", "radius_mi": "radius"}
BESIDE = frozenset({"near", "radius", "language", *LISTS})


def treatment_page(request):
    params = request.GET
    context: dict = {"searched": any(params.get(k) for k in PLACE)}
    if not context["searched"]:
        unit = _unit(country_of_request(params)[0])
        context["form"] = _form(params, unit, None)
        return render(request, "web/treatment.html", context)
    try:
        query = treatment_query.parse(params)
    except QueryError as exc:
        unit = _unit(country_of_request(params)[0])
        at = ERROR_AT.get(exc.field, exc.field)
        context.update(
            form=_form(params, unit, None),
            error={"at": at, "beside": at in BESIDE, "message": _error_words(exc), "candidates": exc.candidates},
        )
        return render(request, "web/treatment.html", context, status=400)
    country = _country(query)
    unit = _unit(country)
    context.update(query=query, form=_form(params, unit, query), unit=unit)
    if country and not covers(country):  # a place we could not place is searched: it finds what is near
        guidance = safety.guidance(safety.Situation(country=country, country_from="place"))
        context.update(
            elsewhere=True,
            g=guidance,
            lines_heading=lines_heading(guidance),
            site_help=site_help_for(country),
        )
        return render(request, "web/treatment.html", context)
    found = treatment_search.find(query)
    intake = _intake_phones([row["id"] for row in found])
    context["results"] = [_result(row, unit, intake.get(row["id"], "")) for row in found]
    if not found:
        context["widen"] = _widen(params, query, unit)
    return render(request, "web/treatment.html", context)


def _country(query: treatment_query.TreatmentQuery) -> str:
    """The searched place's country; for a point (a device's position), its time zone's country."""
    if query.country:
        return query.country
    from commonground.places.gazetteer import timezone_at

    return safety.country_for_zone(timezone_at(query.latitude, query.longitude) or "")


def _unit(country: str) -> str:
    return distance_unit(country or str(settings.HELP_COUNTRY))


def _error_words(exc: QueryError) -> str:
    """The problem in the page's language: the place's own message is already in it (the gazetteer's);
    a value that no control of this form could send is asked for again from the list."""
    if exc.field == "near":
        return exc.message
    return {
        "lat": _("The position sent is not a place on the map. Type a ZIP code or a city instead."),
        "lng": _("The position sent is not a place on the map. Type a ZIP code or a city instead."),
        "radius_km": _("Choose a distance from the list."),
        "radius_mi": _("Choose a distance from the list."),
        "offers": _("Choose the treatment from the list."),
        "pays": _("Choose how you would pay from the list."),
        "serves": _("Choose who the program is for from the list."),
        "language": _("Choose a language from the list."),
    }.get(exc.field, exc.message)


def _form(params, unit: str, query: treatment_query.TreatmentQuery | None) -> dict:
    """What the form shows: the values given, the distance chooser in ``unit``, every choice labelled."""
    chosen = {name: {v.strip().lower() for raw in params.getlist(name) for v in raw.split(",")} for name in LISTS}
    language = (params.get("language") or "").strip().lower()
    radius_km = query.radius_km if query is not None else _given_radius(params)
    size = radius_km / KM_PER_MILE if unit == "mi" else radius_km
    shown = min(RADII[unit], key=lambda n: abs(n - size))
    return {
        "near": params.get("near", ""),
        "point": (params.get("lat"), params.get("lng")) if not params.get("near") and params.get("lat") else None,
        "radius_name": f"radius_{unit}",
        "radii": [(n, f"{n} {unit}", n == shown) for n in RADII[unit]],
        "lists": [
            {
                "name": name,
                "legend": labels.HEADINGS[name],
                "choices": [(code, str(text), code in chosen[name]) for code, text in labels.LABELS[name].items()],
            }
            for name in LISTS
        ],
        "languages": [(code, labels.language_label(code), code == language) for code in labels.LANGUAGE_CHOICES],
    }


def _given_radius(params) -> float:
    for name, factor in (("radius_km", 1.0), ("radius_mi", KM_PER_MILE)):
        try:
            value = float(params.get(name) or "")
        except ValueError:
            continue
        if 0 < value < 10_000:
            return value * factor
    return treatment_query.DEFAULT_RADIUS_KM


def _intake_phones(ids: list[int]) -> dict[int, str]:
    """The intake numbers of the facilities shown (one query; the search's rows do not hold them)."""
    if not ids:
        return {}
    return dict(Facility.objects.filter(pk__in=ids).exclude(intake_phone="").values_list("pk", "intake_phone"))


def _result(row: dict, unit: str, intake_phone: str) -> dict:
    km = row["distance_km"]
    if unit == "mi":
        distance = _("%(mi)s mi away") % {"mi": floatformat(km / KM_PER_MILE, 1)}
    else:
        distance = _("%(km)s km away") % {"km": floatformat(km, 1)}
    tel = tel_href(row["phone"])
    intake_tel = tel_href(intake_phone)
    place = SimpleNamespace(
        approximate=False,
        attendance_mode="in_person",
        latitude=row["latitude"],
        longitude=row["longitude"],
        coordinates_source="",
        formatted_address=row["address"],
    )
    source = row.get("source") or {}
    return {
        "id": row["id"],
        "name": row["name"],
        "address": row["address"],
        "distance": distance,
        "phone": row["phone"],
        "tel": tel,
        "intake_phone": intake_phone if intake_tel and intake_tel != tel else "",
        "intake_tel": intake_tel if intake_tel != tel else "",
        "directions": directions(place),
        "lists": [
            (labels.HEADINGS[name], labels.labels(name, row[name])) for name in (*LISTS, "languages") if row.get(name)
        ],
        "website": safe_href(row.get("website") or ""),
        "source_name": source.get("name", ""),
        "updated": source.get("updated"),
    }


def _widen(params, query: treatment_query.TreatmentQuery, unit: str) -> list[tuple[str, str]]:
    """Links that widen a search that found nothing: the widest distance, then each filter dropped."""

    def link(drop: tuple[str, str] | None = None, **changes: str | None) -> str:
        pairs = [
            (k, v.strip())
            for k in params
            for raw in params.getlist(k)
            for v in (raw.split(",") if k in (*LISTS, "language") else [raw])
            if v.strip() and (k, v.strip().lower()) != drop and k not in changes
        ]
        pairs += [(k, v) for k, v in changes.items() if v is not None]
        return reverse("treatment") + "?" + urlencode(pairs)

    out = []
    widest = RADII[unit][-1]
    if query.radius_km < widest * (KM_PER_MILE if unit == "mi" else 1) - 1e-9:
        out.append(
            (
                _("Search within %(distance)s") % {"distance": f"{widest} {unit}"},
                link(**{"radius_km": None, "radius_mi": None, f"radius_{unit}": str(widest)}),
            )
        )
    for name in LISTS:
        for code in getattr(query, name):
            out.append((_("Without: %(filter)s") % {"filter": labels.label(name, code)}, link(drop=(name, code))))
    for code in query.languages:
        out.append((_("Without: %(filter)s") % {"filter": labels.language_label(code)}, link(drop=("language", code))))
    return out
