"""The finder's search, read for a phone: meetings near a place a person can still reach (in
person first, then online), or online meetings starting within the hour or in progress, each made
into short, clean lines with the way to join by phone where the feed gives it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.urls import reverse

from commonground.catalog.models import Program
from commonground.phone.gsm import clean
from commonground.places.gazetteer import Place, PlaceError, gazetteer
from commonground.search import engine
from commonground.search.query import QueryError, parse_query
from commonground.search.results import Result

PAGE = 3
LOOK_AHEAD_MINUTES = 2 * 1440  # "the next meetings": within two days
POOL = 12  # how many of each kind one search reads; MORE pages through them
_ZOOM_ID = re.compile(r"/j/(\d{9,11})")
_ID_IN_TEXT = re.compile(r"(?:meeting\s*id|id de (?:la )?reuni[oó]n|\bid)\s*[:#]?\s*(\d[\d ]{7,13}\d)", re.I)
_DIAL_ID = re.compile(r"^([+\d][\d\s().-]{6,20}\d)\s*,+\s*(\d{6,13})#?")


@dataclass
class Found:
    meetings: list[Result] = field(default_factory=list)
    place: Place | None = None
    zone: str = "UTC"
    error: str = ""
    candidates: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _program_words() -> dict[str, str]:
    """Lower-case words for each program: its code and short name ("na", "smart")."""
    words = {}
    for code, short in Program.objects.values_list("code", "short_name"):
        words[code.lower()] = code
        words.setdefault(short.lower(), code)
    return words


def program_word(word: str) -> str:
    return _program_words().get(word.lower(), "")


def resolve(text: str) -> Place:
    return gazetteer().resolve(text)


def _search(params: dict[str, str], now: datetime) -> list[Result]:
    try:
        return engine.search(parse_query(params, now=now)).results
    except QueryError:
        return []


def near(text: str, programs: tuple[str, ...], now: datetime, *, online_only: bool = False) -> Found:
    """The meetings near ``text`` (a ZIP or a city) still reachable: in person, then online."""
    try:
        place = resolve(text)
    except PlaceError as exc:
        return Found(error="place", candidates=[c.label for c in exc.candidates[:3]])
    base = {"starting_within": str(LOOK_AHEAD_MINUTES), "sort": "soonest", "limit": str(POOL), "tz": place.timezone}
    if programs:
        base["program"] = ",".join(programs)
    found: list[Result] = []
    if not online_only:
        here = {**base, "near": text, "mode": "in_person"}
        # In person: one still reachable is one that has not started yet.
        found = [r for r in _search(here, now) if (r["minutes_until_start"] or 0) >= 0]
    online = [r for r in _search({**base, "mode": "online"}, now) if r["mode"] == "online"]
    seen = {r["id"] for r in found}
    return Found([*found, *(r for r in online if r["id"] not in seen)], place, place.timezone)


def now_online(programs: tuple[str, ...], now: datetime, zone: str) -> Found:
    """Online meetings starting within the hour, or in progress."""
    params = {"starting_within": "60", "sort": "soonest", "limit": str(POOL), "mode": "online", "tz": zone or "UTC"}
    if programs:
        params["program"] = ",".join(programs)
    results = [r for r in _search(params, now) if r["join"] and (r["join"]["phone"] or r["join"]["url"])]
    return Found(results, None, zone or "UTC")


def short_link(result: Result, base: str = "") -> str:
    """The meeting's page, absolute and short (``/meetings/<id>`` redirects to its lasting address)."""
    base = (base or str(settings.PHONE_PUBLIC_URL) or str(settings.FEED_SITE_URL)).rstrip("/")
    return base + reverse("meeting-by-id", args=[result["id"]])


def dial_in(result: Result) -> tuple[str, str]:
    """(the conference phone number, the meeting ID) where the feed gives them, else ""."""
    join = result["join"]
    if not join:
        return "", ""
    phone, meeting_id = clean(join["phone"] or "", 40), ""
    match = _DIAL_ID.match(phone)
    if match:  # "+1 646 558 8656,,85012345678#": the number, then the ID the phone keys in
        phone, meeting_id = match[1].strip(), match[2]
    phone = re.sub(r"[^\d+() .-]", "", phone).strip()
    if not meeting_id:
        for text in (join["url"] or "", join["notes"], join["phone_notes"], result["notes"]):
            found = _ZOOM_ID.search(text or "") or _ID_IN_TEXT.search(text or "")
            if found:
                meeting_id = found[1]
                break
    return phone, group_id(meeting_id)


def group_id(text: str) -> str:
    """A meeting ID as Zoom writes it: 3-4-4 digits for 11, 3-3-4 for 10, 3-3-3 for 9."""
    digits = re.sub(r"\D", "", text)
    sizes = {11: (3, 4, 4), 10: (3, 3, 4), 9: (3, 3, 3)}.get(len(digits))
    if not sizes:
        return digits
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at : at + size])
        at += size
    return " ".join(parts)


def short_name(result: Result, limit: int = 28) -> str:
    program = clean(result["program"]["short_name"], 12)
    name = clean(result["name"], limit)
    if not program or len(program) > 8 or program.lower() in name.lower():  # "AA", "NA", "SMART"; not "Recovery Dharma"
        return name
    return f"{program} {name}"
