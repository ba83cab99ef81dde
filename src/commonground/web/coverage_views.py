"""The /coverage page: where our meeting sources reach, how each source is, and where coverage is
thin. No JavaScript needed (``web/coverage.js`` adds a map); English and Spanish. The figures come
from ``web/coverage.py``, kept per data version; each source's state from ``feeds/coverage.py``, as
the API's ``/api/v1/sources`` gives it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonground import i18n
from commonground.catalog.models import Program
from commonground.feeds import coverage as feeds_coverage
from commonground.meetings.models import SourceFormat
from commonground.web import coverage
from commonground.web.coverage_names import country_name

STATUSES = ("ok", "stale", "failing")  # health.status's words


def _status_word(status: str) -> str:
    words = {"ok": _("Up to date"), "stale": _("Not read lately"), "failing": _("Failing")}
    return words.get(status, status)


def _status_meaning(state: feeds_coverage.SourceState) -> str:
    if state.disconnected:
        return _(
            "Disconnected: its reads failed for %(days)s days, so its meetings are left out of search until a read succeeds."
        ) % {"days": settings.SOURCE_DISCONNECT_DAYS}
    if state.status == "failing":
        return _("Its last read failed. We keep its meetings as they were until a read succeeds.")
    if state.status == "stale":
        return _("No good read in the last %(hours)s hours: its meetings may be out of date.") % {
            "hours": settings.SOURCE_WARN_HOURS
        }
    return _("Read without trouble in the last %(hours)s hours.") % {"hours": settings.SOURCE_WARN_HOURS}


def _when(moment: datetime | None, now: datetime) -> dict[str, str] | None:
    if moment is None:
        return None
    ago = _("%(time)s ago") % {"time": timesince(moment, now, depth=1)}
    utc = moment.astimezone(UTC)
    return {"ago": ago, "exact": utc.strftime("%Y-%m-%d %H:%M UTC"), "iso": utc.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _country(code: str, language: str) -> dict[str, Any]:
    name, lang = country_name(code, language)
    name = name or _("Country not given")
    # For a sentence: a name in another language than the page's says so.
    html = name if lang == language else format_html('<span lang="{}">{}</span>', lang, name)
    return {"code": code, "name": name, "lang": lang, "name_html": html}


def _sources(states: list[feeds_coverage.SourceState], now: datetime, language: str) -> list[dict[str, Any]]:
    formats = dict(SourceFormat.choices)
    return [
        {
            "state": s,
            "word": _status_word(s.status),
            "meaning": _status_meaning(s),
            "format": formats.get(s.format, s.format),
            "countries": [_country(c, language) for c in s.countries],
            "last_ok": _when(s.last_ok_at, now),
        }
        for s in states
    ]


def _near_text(city: dict[str, Any]) -> str:
    n = city["meetings"]
    if not n:
        return _("%(city)s: no meetings within %(km)s km") % {"city": city["name"], "km": coverage.NEAR_KM}
    return ngettext(
        "%(city)s: %(count)s meeting within %(km)s km", "%(city)s: %(count)s meetings within %(km)s km", n
    ) % {"city": city["name"], "count": n, "km": coverage.NEAR_KM}


def _thin(data: dict[str, Any], language: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Thin cities by country, most people first: (countries we reach, countries with no meetings)."""
    reached = {c["code"] for c in data["countries"] if c["in_person"]}
    by_country: dict[str, dict[str, Any]] = {}
    for city in data["cities"]:
        if city["meetings"] >= coverage.THIN_BELOW:
            continue
        entry = by_country.setdefault(
            city["country"], {**_country(city["country"], language), "cities": [], "people": 0}
        )
        entry["people"] += city["population"]
        entry["cities"].append({**city, "text": _near_text(city)})
    ordered = sorted(by_country.values(), key=lambda e: (-e["people"], e["name"]))
    return [e for e in ordered if e["code"] in reached], [e for e in ordered if e["code"] not in reached]


def _map_points(data: dict[str, Any]) -> list[dict[str, Any]]:
    points = []
    for city in data["cities"]:
        n = city["meetings"]
        band = "none" if n == 0 else "thin" if n < coverage.THIN_BELOW else "ok"
        points.append({"lat": city["lat"], "lng": city["lng"], "band": band, "text": _near_text(city)})
    return points


def coverage_page(request):
    language = i18n.language()
    now = timezone.now()
    data = coverage.page_data()
    programs = Program.objects.in_bulk()

    def program(code: str) -> str:
        found = programs.get(code)
        return found.text("name", language) if found else code

    countries = [
        {
            **_country(c["code"], language),
            "in_person": c["in_person"],
            "programs": [(program(code), n) for code, n in c["programs"]],
            "regions": [(name or _("Region not given"), n) for name, n in c["regions"]],
            "named_regions": sum(1 for name, _n in c["regions"] if name),
        }
        for c in data["countries"]
    ]
    states = feeds_coverage.source_states(now, counts=data["source_counts"])
    reached, unreached = _thin(data, language)
    thin_count = sum(len(e["cities"]) for e in reached + unreached)
    return render(
        request,
        "web/coverage.html",
        {
            "countries": countries,
            "country_count": sum(1 for c in data["countries"] if c["code"] and c["in_person"]),
            "in_person": sum(c["in_person"] for c in data["countries"]),
            "online": data["online"]["total"],
            "online_programs": [(program(code), n) for code, n in data["online"]["programs"]],
            "sources": _sources(states, now, language),
            "status_counts": {k: sum(1 for s in states if s.status == k) for k in STATUSES},
            "reached": reached,
            "unreached": unreached,
            "checked": len(data["cities"]),
            "thin_count": thin_count,
            "near_km": coverage.NEAR_KM,
            "thin_below": coverage.THIN_BELOW,
            "biggest": coverage.BIGGEST,
            "map_points": _map_points(data),
            "tile_url": settings.MAP_TILE_URL,
            "language": language,
        },
    )
