"""GetSearchResults: our meetings in BMLT's shape, with the filters BMLT clients send.

Filters (a list parameter may be repeated, ``weekdays[]=2&weekdays[]=3``, or comma-separated;
a negative value excludes): ``weekdays`` (1 = Sunday … 7), ``services`` (service body ids: our
sources), ``formats`` (format ids; all must match, or any with
``formats_comparison_operator=OR``), ``venue_types`` (1 in person, 2 virtual, 3 hybrid),
``meeting_ids``, ``lat_val``/``long_val`` with ``geo_width`` (miles) or ``geo_width_km`` (a
negative width asks for the nearest that many meetings), ``StartsAfterH``/``StartsAfterM``,
``StartsBeforeH``/``StartsBeforeM``, ``SearchString``; then ``sort_keys``,
``sort_results_by_distance``, ``data_field_key``, ``page_size``/``page_num``.

Every value is a string, as BMLT sends them. Only scheduled, active meetings go out (BMLT has no
"ongoing" meeting), each once: a meeting two sources list goes out as its primary listing.

A search reads no meeting: ``lookup.py`` filters and sorts the columns of the version's
material (``store.py``, which ``to_bmlt`` below fills) and renders only the page it answers.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field

from commonground.api.bmlt import formats as bmlt_formats
from commonground.feeds.meeting_guide.selection import FeedRow
from commonground.meetings import refs
from commonground.meetings.address import meeting_address
from commonground.meetings.conference import provider_for
from commonground.meetings.links import safe_href

KM_PER_MILE = 1.609344
VENUE = {"in_person": "1", "online": "2", "hybrid": "3"}
FIELDS = (
    "id_bigint",
    "worldid_mixed",
    "service_body_bigint",
    "weekday_tinyint",
    "venue_type",
    "start_time",
    "duration_time",
    "time_zone",
    "formats",
    "lang_enum",
    "longitude",
    "latitude",
    "published",
    "format_shared_id_list",
    "meeting_name",
    "location_text",
    "location_info",
    "location_street",
    "location_city_subsection",
    "location_neighborhood",
    "location_municipality",
    "location_sub_province",
    "location_province",
    "location_postal_code_1",
    "location_nation",
    "comments",
    "virtual_meeting_link",
    "virtual_meeting_additional_info",
    "phone_meeting_number",
    "phone_meeting_additional_info",
    "root_server_uri",
    "meeting_url",
)
SORTABLE = set(FIELDS) | {"distance_in_km", "distance_in_miles"}


class BmltError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def public_id(source_slug: str, key: str) -> int:
    """A meeting's ``id_bigint``: from its lasting address, so it survives a re-import from scratch.

    48 bits of SHA-256, below JavaScript's 2^53, so browsers read it exactly.
    """
    return int.from_bytes(hashlib.sha256(refs.ref(source_slug, key).encode()).digest()[:6], "big")


@dataclass
class BmltQuery:
    program: str | None = None
    weekdays: tuple[set[int], set[int]] = field(default_factory=lambda: (set(), set()))
    services: tuple[set[int], set[int]] = field(default_factory=lambda: (set(), set()))
    formats: tuple[set[int], set[int]] = field(default_factory=lambda: (set(), set()))
    formats_any: bool = False
    venues: tuple[set[int], set[int]] = field(default_factory=lambda: (set(), set()))
    meeting_ids: set[int] = field(default_factory=set)
    point: tuple[float, float] | None = None
    radius_km: float | None = None
    nearest: int | None = None
    starts_after: int | None = None  # minutes after midnight
    starts_before: int | None = None
    text: str = ""
    sort_keys: list[str] = field(default_factory=list)
    by_distance: bool = False
    data_fields: list[str] | None = None
    page_size: int | None = None
    page_num: int = 1
    lang: str = "en"


def values(params, name: str) -> list[str]:
    out = []
    for raw in params.getlist(name) + params.getlist(f"{name}[]"):
        out.extend(part.strip() for part in raw.split(",") if part.strip())
    return out


def whole(params, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"-?[0-9]{1,12}", raw):  # ASCII digits only: "²" is a digit to Python, "--5" no number
        raise BmltError(name, f"{name} must be a whole number, not {raw[:20]!r}.")
    number = int(raw)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise BmltError(name, f"{name} must be between {minimum} and {maximum}.")
    return number


def split_signed(params, name: str, *, low: int, high: int) -> tuple[set[int], set[int]]:
    """(wanted, excluded): BMLT's lists, where a negative value excludes."""
    wanted, excluded = set(), set()
    for raw in values(params, name):
        if not re.fullmatch(r"-?[0-9]{1,16}", raw):
            raise BmltError(name, f"{name} takes whole numbers (negative to exclude), not {raw[:20]!r}.")
        value = int(raw.lstrip("-"))
        if not low <= value <= high:
            raise BmltError(name, f"{name} values must be between {low} and {high}, not {raw[:20]!r}.")
        (excluded if raw.startswith("-") else wanted).add(value)
    return wanted, excluded


def number(params, name: str) -> float | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw) if raw.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BmltError(name, f"{name} must be a number, not {raw[:20]!r}.")
    return value


def parse(params, program: str | None) -> BmltQuery:
    q = BmltQuery(program=program)
    q.weekdays = split_signed(params, "weekdays", low=1, high=7)
    q.services = split_signed(params, "services", low=0, high=2**53)
    q.formats = split_signed(params, "formats", low=0, high=10**9)
    q.formats_any = params.get("formats_comparison_operator", "").upper() == "OR"
    q.venues = split_signed(params, "venue_types", low=1, high=3)
    q.meeting_ids = split_signed(params, "meeting_ids", low=0, high=2**53)[0]
    lat, lng = number(params, "lat_val"), number(params, "long_val")
    width_mi, width_km = number(params, "geo_width"), number(params, "geo_width_km")
    if (lat is None) != (lng is None):
        raise BmltError("long_val" if lng is None else "lat_val", "Give both lat_val and long_val.")
    if lat is not None:
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise BmltError("lat_val", "lat_val must be −90 to 90 and long_val −180 to 180.")
        width = width_km if width_km is not None else (width_mi * KM_PER_MILE if width_mi is not None else None)
        if width is None:
            raise BmltError("geo_width", "A search around lat_val/long_val needs geo_width (miles) or geo_width_km.")
        q.point = (lat, lng)
        if width < 0:
            q.nearest = max(1, min(1000, round(-(width_km if width_km is not None else width_mi))))
        else:
            q.radius_km = min(width, 20_000.0)
    hour = lambda n: whole(params, n, minimum=0, maximum=23)  # noqa: E731
    minute = lambda n: whole(params, n, minimum=0, maximum=59)  # noqa: E731
    if (h := hour("StartsAfterH")) is not None or params.get("StartsAfterM"):
        q.starts_after = (h or 0) * 60 + (minute("StartsAfterM") or 0)
    if (h := hour("StartsBeforeH")) is not None or params.get("StartsBeforeM"):
        q.starts_before = (h or 0) * 60 + (minute("StartsBeforeM") or 0)
    q.text = params.get("SearchString", "").strip().casefold()[:100]
    q.sort_keys = [k for k in values(params, "sort_keys") if k in SORTABLE]
    q.by_distance = params.get("sort_results_by_distance") == "1"
    if params.get("data_field_key"):
        q.data_fields = [k for k in values(params, "data_field_key") if k in SORTABLE] or None
    q.page_size = whole(params, "page_size", minimum=1, maximum=10_000)
    q.page_num = whole(params, "page_num", minimum=1, maximum=10**6) or 1
    q.lang = params.get("lang_enum", "en")[:2] or "en"
    return q


def _hms(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


ALL_DAY = "24:00:00"  # a 24/7 group: every weekday from 00:00 for 24 hours (docs/feeds.md)
BODY_BASE = 1 << 49  # a source's own service bodies are numbered above our sources' ids


def is_round_the_clock(m: FeedRow) -> bool:
    """A group with no weekday and no start time (a 24/7 e-mail or chat group), still active."""
    return m.weekday is None and m.start_time is None and m.attendance_mode != "inactive"


def bmlt_items(m: FeedRow, source_slug: str, base_url: str) -> list[dict]:
    """A meeting as BMLT answers hold it: one item, or for a 24/7 group one per weekday, each
    from 00:00 for 24 hours with its own id (BMLT has no meeting without a weekday and time)."""
    if is_round_the_clock(m):
        return [to_bmlt(m, source_slug, base_url, day=day) for day in range(7)]
    if m.weekday is None or m.start_time is None or m.attendance_mode == "inactive":
        return []
    return [to_bmlt(m, source_slug, base_url)]


def service_body(m: FeedRow, source_slug: str) -> tuple[int, str]:
    """(id, name) of the meeting's service body: the source's own one when the source has them (a
    BMLT server's area), numbered from it so the id lasts; else the source itself."""
    body = str((m.extra or {}).get("bmlt_service_body") or "")
    if not body:
        return m.source_id, ""
    number = BODY_BASE + int.from_bytes(hashlib.sha256(f"{source_slug}/body/{body}".encode()).digest()[:6], "big")
    return number, (m.regions[-1] if m.regions else f"{source_slug} {body}")


def to_bmlt(m: FeedRow, source_slug: str, base_url: str, *, day: int | None = None) -> dict:
    keys = bmlt_formats.meeting_keys(
        m.program_id, m.program.type_table, m.types, m.languages, m.attendance_mode, m.temporarily_closed, m.extra
    )
    table = bmlt_formats.table()
    ids = [table[k].id for k in keys]
    for own in bmlt_formats.source_formats(m.extra, source_slug):  # a BMLT server's own, in its words
        if own.key not in keys:
            keys.append(own.key)
            ids.append(own.id)
    link = safe_href(m.conference_url)
    online = m.attendance_mode in ("online", "hybrid")
    place = meeting_address(m)
    city = place.city or (m.regions[-1] if m.regions else "")
    # Coordinates of a postal-code or city centre are left out: a client routes by the address.
    exact = m.latitude is not None and m.longitude is not None and m.coordinates_source not in ("postal_code", "city")
    weekday = m.weekday if day is None else day
    return {
        "id_bigint": str(public_id(source_slug, m.key if day is None else f"{m.key}#day{day}")),
        "worldid_mixed": "",
        "service_body_bigint": str(service_body(m, source_slug)[0]),
        "weekday_tinyint": str(weekday + 1),
        "venue_type": VENUE.get(m.attendance_mode, "1"),
        "start_time": m.start_time.strftime("%H:%M:00") if day is None else "00:00:00",
        "duration_time": _hms(m.duration_minutes or 60) if day is None else ALL_DAY,
        "time_zone": m.timezone,
        "formats": ",".join(keys),
        "lang_enum": (m.languages[0] if m.languages else "en"),
        "longitude": f"{m.longitude:.6f}" if exact else ("" if m.longitude is not None else "0"),
        "latitude": f"{m.latitude:.6f}" if exact else ("" if m.latitude is not None else "0"),
        "published": "1",
        "format_shared_id_list": ",".join(str(i) for i in ids),
        "meeting_name": m.name,
        "location_text": m.location,
        "location_info": m.location_notes,
        "location_street": place.street,
        "location_city_subsection": "",
        "location_neighborhood": "",
        "location_municipality": city,
        "location_sub_province": "",
        "location_province": place.region,
        "location_postal_code_1": place.postal_code,
        "location_nation": place.country,
        "comments": m.notes,
        "virtual_meeting_link": link if online and link and provider_for(link) else "",
        "virtual_meeting_additional_info": m.conference_url_notes if online else "",
        "phone_meeting_number": m.conference_phone if online else "",
        "phone_meeting_additional_info": m.conference_phone_notes if online else "",
        "root_server_uri": base_url,
        "meeting_url": base_url + refs.path(source_slug, m.key),
    }
