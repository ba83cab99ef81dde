"""Turn search results and meetings into what the templates show: local times, labels, links."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from commonground.meetings import schedule, types
from commonground.meetings.links import safe_href
from commonground.places.units import KM_PER_MILE, distance_unit
from commonground.safety import country_for_zone

MODE_LABELS = {
    "in_person": gettext_lazy("In person"),
    "online": gettext_lazy("Online"),
    "hybrid": gettext_lazy("Hybrid: in person and online"),
    "inactive": gettext_lazy("Not meeting for now"),
}
TAG_LABELS = {
    "open": gettext_lazy("Open to all"),
    "closed": gettext_lazy("Closed (for people who want help themselves)"),
    "women": gettext_lazy("Women"),
    "men": gettext_lazy("Men"),
    "lgbtq": gettext_lazy("LGBTQ+"),
    "young": gettext_lazy("Young people"),
    "newcomer": gettext_lazy("Newcomers"),
    "speaker": gettext_lazy("Speaker"),
    "discussion": gettext_lazy("Discussion"),
    "study": gettext_lazy("Step or literature study"),
    "meditation": gettext_lazy("Meditation"),
    "wheelchair": gettext_lazy("Wheelchair access"),
    "asl": gettext_lazy("Sign language (ASL)"),
    "childcare": gettext_lazy("Childcare"),
    "secular": gettext_lazy("Secular"),
    "dual_diagnosis": gettext_lazy("Dual diagnosis"),
}
assert set(TAG_LABELS) == set(types.TAGS)
# What a building offers: nothing a person joining online can use, so an online card leaves it out.
BUILDING_TAGS = frozenset({"wheelchair", "childcare"})
_LABELS = {"mode": MODE_LABELS, "tag": TAG_LABELS}
_plain_labels: dict[tuple[str, str, str], str] = {}


def plain_label(kind: str, code: str, language: str) -> str:
    """A mode's or tag's label in the current language (``language``, from ``get_language()``):
    kept per language as plain text (it is fixed text), so a page of results doesn't translate
    the same few labels again for every card."""
    key = (language, kind, code)
    found = _plain_labels.get(key)
    if found is None:
        table = _LABELS[kind]
        found = _plain_labels[key] = str(table[code]) if code in table else code
    return found


def zone_label(moment: datetime) -> str:
    """ "EST", or "UTC+05:45" where a zone has no letter abbreviation."""
    name = moment.tzname() or ""
    if name and name[0].isalpha():
        return name
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def until_label(minutes: int | None, in_progress: bool) -> str:
    if in_progress:
        return _("in progress")
    if minutes is None:
        return ""
    if minutes < 1:
        return _("starting now")
    if minutes < 60:
        return _("starts in %(n)d min") % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return _("starts in %(h)d h %(m)02d min") % {"h": hours, "m": rest}
    return ""


def search_unit(query=None, params=None) -> str:
    """The unit a search's distances are shown in ("km" or "mi"): that of the named place's country;
    for a point (a device's position), of its zone's country; else of the country the parameters
    name (``?near``, ``?tz``: ``web.help.country_of_request``); else the home country's."""
    country = ""
    if query is not None:
        country = query.country
        if not country and query.has_place:
            from commonground.places.gazetteer import timezone_at

            country = country_for_zone(timezone_at(query.latitude, query.longitude) or "")
    if not country and params is not None:
        from commonground.web.help import country_of_request

        country = country_of_request(params)[0]
    return distance_unit(country or str(settings.HELP_COUNTRY))


def decorate(result: dict, searcher_tz: str, unit: str | None = None) -> dict:
    """Add display values to a search result dict (a copy: the API's own dict is never changed).

    An online meeting's card shows no distance and no building features (``BUILDING_TAGS``).
    ``unit``: "km" or "mi" for the distance shown (``search_unit``); by default, that of the country
    of the searcher's zone, else the home country's.

    Display times are naive wall-clock times: Django's date filters would otherwise convert
    aware datetimes to the server's zone before formatting them.
    """
    view = dict(result)
    language = get_language() or ""
    start = result["starts_at"]
    if start:
        view["starts_at_iso"] = start.isoformat().replace("+00:00", "Z")  # for <time datetime="...">
        # search/results.py worked both out, in the zone the search ran in and in the meeting's own
        # (converted here only for a page that shows another zone, or a dict without them).
        local, own = result.get("starts_at_local"), result.get("starts_at_meeting")
        if local is None or getattr(local.tzinfo, "key", None) != searcher_tz:
            local = start.astimezone(schedule.zone(searcher_tz))
        if own is None:
            own = start.astimezone(schedule.zone(result["timezone"]))
        view["local_dt"], view["local_zone"] = local.replace(tzinfo=None), zone_label(local)
        view["own_dt"], view["own_zone"] = own.replace(tzinfo=None), zone_label(own)
        view["zones_differ"] = local.utcoffset() != own.utcoffset()
    view["until"] = until_label(result["minutes_until_start"], result["in_progress"] and not result["ongoing"])
    view["mode_label"] = plain_label("mode", result["mode"], language)
    view["program_name"] = result["program"].get("names", {}).get((language or "en")[:2]) or result["program"]["name"]
    tags = result["tags"]
    if result["mode"] == "online":
        # Joined from anywhere: how far its listed place is, or the building's features, would mislead.
        view["distance_km"] = None
        tags = view["tags"] = [t for t in tags if t not in BUILDING_TAGS]
    view["tag_labels"] = [plain_label("tag", t, language) for t in tags]
    if unit is None:
        unit = distance_unit(country_for_zone(searcher_tz) or str(settings.HELP_COUNTRY))
    km = view.get("distance_km")
    view["distance_unit"] = unit
    view["distance"] = km / KM_PER_MILE if unit == "mi" and km is not None else km
    return view


# Coordinates we looked up offline from a ZIP code or a city's name: the centre of an area, so
# never a place to route a person to (issue 27).
APPROXIMATE_COORDINATES = frozenset({"postal_code", "city"})


def coordinates_exact(meeting) -> bool:
    """The meeting's coordinates mark its building: from the feed, and its address is not just an area."""
    return (
        meeting.latitude is not None
        and not meeting.approximate
        and (meeting.coordinates_source or "") not in APPROXIMATE_COORDINATES
    )


def directions(meeting) -> dict | None:
    """Links to the meeting's place in a maps app and on OpenStreetMap, or None.

    By its coordinates only when they are exact; by its address when they are a ZIP or city
    centre; none for an address that is only an area, or for a meeting held only online.
    """
    if meeting.approximate or meeting.attendance_mode == "online":
        return None
    if not coordinates_exact(meeting):
        if not meeting.formatted_address:
            return None
        return {
            "osm": "https://www.openstreetmap.org/search?" + urlencode({"query": meeting.formatted_address}),
            "geo": "geo:0,0?q=" + quote(meeting.formatted_address),
        }
    lat, lng = round(meeting.latitude, 5), round(meeting.longitude, 5)
    return {
        "osm": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=17/{lat}/{lng}",
        "geo": f"geo:{lat},{lng}?q={lat},{lng}",
    }


def report_link(meeting) -> str | None:
    """Where a person reports a problem: never a link that is not http(s) or mailto."""
    feedback = meeting.feedback_url or ""
    if feedback.startswith("mailto:") and "@" in feedback and not any(c in feedback for c in "<>\"' \n"):
        return feedback
    if safe_href(feedback):
        return safe_href(feedback)
    if meeting.feedback_emails:
        return (
            "mailto:"
            + ",".join(quote(e, safe="@.+-_") for e in meeting.feedback_emails)
            + "?"
            + urlencode({"subject": f"Meeting: {meeting.name}"})
        )
    # No place given by the feed: our own report queue, read in the admin.
    return safe_href(meeting.source.feedback_url) or reverse(
        "report-problem", kwargs={"source": meeting.source.slug, "key": meeting.key}
    )


def map_points(results) -> list[dict]:
    """The results map's points: none for an online-only meeting, and a ZIP or city centre (or an
    address that is only an area) marked ``approximate``, with a note to show beside it."""
    points = []
    for r in results:
        place = r["location"]
        if r["mode"] == "online" or place["latitude"] is None or place["longitude"] is None:
            continue
        point = {
            "id": r["id"],
            "name": r["name"],
            "lat": place["latitude"],
            "lng": place["longitude"],
            "url": r["url"],
            "approximate": bool(place.get("approximate"))
            or (place.get("coordinates_source") or "") in APPROXIMATE_COORDINATES,
        }
        if point["approximate"]:
            point["note"] = _("Approximate place: the area, not the building")
        points.append(point)
    return points
