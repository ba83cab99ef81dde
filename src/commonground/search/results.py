"""One search result as a plain dict: the shape the API, the CLI and the pages all use.

Times are ``datetime`` values here, never strings: the pages format them for people
(``web/presenters.py``), and ``jsonable`` writes them once for JSON (the API, the CLI).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TypedDict

from commonground.meetings import refs, schedule
from commonground.meetings.links import safe_href
from commonground.meetings.models import Meeting
from commonground.search.query import SearchQuery
from commonground.search.rows import MeetingRow, listing_groups

# What a result is made from: a model instance (a meeting's page) or a plain row (a search).
Listed = Meeting | MeetingRow


def _feedback(m: Listed) -> str | None:
    if m.feedback_url.startswith("mailto:"):
        return m.feedback_url
    return safe_href(m.feedback_url) or safe_href(m.source.feedback_url)


class ProgramInfo(TypedDict):
    code: str
    name: str
    short_name: str
    names: dict[str, str]  # language -> the program's own name in it


class Location(TypedDict):
    name: str
    address: str
    city: str
    region: str
    postal_code: str
    country: str
    formatted_address: str
    latitude: float | None
    longitude: float | None
    approximate: bool
    coordinates_source: str | None
    notes: str


class Join(TypedDict):
    url: str | None
    provider: str | None
    notes: str
    phone: str | None
    phone_notes: str


class SourceInfo(TypedDict):
    name: str
    updated_at: datetime | None
    synced_at: datetime | None
    status: str
    feedback_url: str | None


class OtherListing(TypedDict):
    source: str
    url: str
    primary: bool


class Result(TypedDict):
    id: int
    url: str
    slug: str
    name: str
    group: str
    program: ProgramInfo
    mode: str
    ongoing: bool
    in_progress: bool
    starts_at: datetime | None  # the next start, in UTC
    starts_at_local: datetime | None  # the same instant in the searcher's zone
    starts_at_meeting: datetime | None  # and in the meeting's own zone
    minutes_until_start: int | None
    weekday: int | None
    start_time: str | None
    end_time: str | None
    duration_minutes: int | None
    timezone: str
    distance_km: float | None
    location: Location
    join: Join | None
    tags: list[str]
    languages: list[str]
    types: list[str]
    notes: str
    source: SourceInfo
    also_listed_by: list[OtherListing]
    changed_at: datetime | None


def other_listings(listed: Iterable[Listed]) -> dict[int, list[OtherListing]]:
    """For each meeting, the same meeting's listings by other sources (one query for them all).

    A primary listing names its duplicates; a duplicate names its primary and the primary's
    other duplicates (see meetings/duplicates.py).
    """
    meetings = list(listed)
    if not meetings:
        return {}
    if all(m.duplicate_of_id is None and getattr(m, "has_others", None) is False for m in meetings):
        return {m.pk: [] for m in meetings}  # plain rows that say no other source lists them
    roots = {m.pk: m.duplicate_of_id or m.pk for m in meetings}
    group_rows = listing_groups(roots.values())
    groups: dict[int, list[tuple[int, str, str, str]]] = {}
    for pk, primary, key, slug, name in group_rows:
        groups.setdefault(primary or pk, []).append((pk, key, slug, name))
    out: dict[int, list[OtherListing]] = {}
    for m in meetings:
        out[m.pk] = [
            {"source": name, "url": refs.path(slug, key), "primary": pk == roots[m.pk]}
            for pk, key, slug, name in sorted(groups.get(roots[m.pk], []), key=lambda g: g[0])
            if pk != m.pk
        ]
    return out


def meeting_result(
    m: Listed,
    starts_at: datetime | None,
    distance_km: float | None,
    query: SearchQuery,
    also: list[OtherListing] | None = None,
) -> Result:
    """``also``: the meeting's listings by other sources (``other_listings``); looked up if None."""
    searcher_zone = schedule.zone(query.tz)
    in_progress = False
    minutes_until = None
    if starts_at is not None:
        minutes_until = int((starts_at - query.now).total_seconds() // 60)
        in_progress = starts_at <= query.now < starts_at + m.duration
    join: Join | None = None
    if m.conference_url or m.conference_phone:
        provider = m.conference_provider
        join = {
            "url": safe_href(m.conference_url) if provider else None,
            "provider": str(provider) if provider else None,
            "notes": m.conference_url_notes,
            "phone": m.conference_phone or None,
            "phone_notes": m.conference_phone_notes,
        }
    return {
        "id": m.pk,
        "url": refs.path(m.source.slug, m.key),  # lasting: survives a re-import from scratch
        "slug": m.slug,
        "name": m.name,
        "group": m.group,
        "program": {
            "code": m.program_id,
            "name": m.program.name,
            "short_name": m.program.short_name,
            # The program's own names in other languages ("Alcohólicos Anónimos"), where it has them.
            "names": {lang: t["name"] for lang, t in m.program.translations.items() if t.get("name")},
        },
        "mode": m.attendance_mode,
        "ongoing": m.is_ongoing,
        "in_progress": in_progress or m.is_ongoing,
        "starts_at": starts_at.astimezone(UTC) if starts_at else None,
        "starts_at_local": starts_at.astimezone(searcher_zone) if starts_at else None,
        "starts_at_meeting": starts_at.astimezone(m.zone) if starts_at else None,
        "minutes_until_start": minutes_until,
        "weekday": m.weekday,
        "start_time": m.start_time.strftime("%H:%M") if m.start_time else None,
        "end_time": m.end_time.strftime("%H:%M") if m.end_time else None,
        "duration_minutes": m.duration_minutes,
        "timezone": m.timezone,
        "distance_km": round(distance_km, 2) if distance_km is not None else None,
        "location": {
            "name": m.location,
            "address": m.address,
            "city": m.city,
            "region": m.region,
            "postal_code": m.postal_code,
            "country": m.country,
            "formatted_address": m.formatted_address,
            "latitude": m.latitude,
            "longitude": m.longitude,
            "approximate": m.approximate,
            "coordinates_source": m.coordinates_source or None,
            "notes": m.location_notes,
        },
        "join": join,
        "tags": m.tags,
        "languages": list(m.languages),
        "types": list(m.types),
        "notes": m.notes,
        # How fresh the listing is: the source's own "updated", when we last heard from the source,
        # and when this meeting last changed here; "status" says if the source is failing.
        "source": {
            "name": m.source.name,
            "updated_at": m.updated_at,
            "synced_at": m.source.last_ok_at,
            "status": m.source.health(),
            "feedback_url": _feedback(m),
        },
        "also_listed_by": other_listings([m])[m.pk] if also is None else also,
        "changed_at": m.changed_at,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def jsonable(result: Result) -> dict[str, object]:
    """The result as JSON gives it: each time as ISO 8601, the next start in UTC with "Z"."""
    out: dict[str, object] = dict(result)
    start = result["starts_at"]
    out["starts_at"] = start.isoformat().replace("+00:00", "Z") if start else None
    out["starts_at_local"], out["starts_at_meeting"] = (
        _iso(result["starts_at_local"]),
        _iso(result["starts_at_meeting"]),
    )
    out["source"] = {
        **result["source"],
        "updated_at": _iso(result["source"]["updated_at"]),
        "synced_at": _iso(result["source"]["synced_at"]),
    }
    out["changed_at"] = _iso(result["changed_at"])
    return out
