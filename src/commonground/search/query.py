"""The one query model behind the search engine, the JSON API, the CLI and the web pages.

``parse_query`` takes the parameters as text (a query string, CLI options) and returns a
validated, resolved ``SearchQuery``, or raises ``QueryError`` naming the field and saying what
to do. The same query string drives ``/meetings`` and ``/api/v1/meetings``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils.translation import gettext as _

from commonground.catalog.models import Approach
from commonground.meetings import schedule, types
from commonground.places.gazetteer import PlaceError, gazetteer, timezone_at

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0
KM_PER_MILE = 1.609344
MAX_LIMIT = 200
DEFAULT_LIMIT = 20
IN_PROGRESS_GRACE_MINUTES = 10  # "starting soon" also lists meetings that began this long ago
MAX_WITHIN_MINUTES = 7 * 1440
MODES = ("any", "in_person", "online", "hybrid")
SORTS = ("soonest", "nearest", "name")
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$", re.A)
_INTEGER = re.compile(r"[-+]?\d+", re.A)
_DECIMAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", re.A)

# The parameters as given: a QueryDict, or a dict of text (or lists of it) from the CLI or a caller.
Params = Mapping[str, object]
# What was asked, cleaned, for next links: one value or several per parameter.
Cleaned = dict[str, str | list[str]]


@dataclass
class QueryError(ValueError):
    field: str
    message: str
    # ``dataclasses.field``: the name ``field`` is this class's first field.
    candidates: list[str] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return self.message


@dataclass
class SearchQuery:
    now: datetime
    latitude: float | None = None
    longitude: float | None = None
    place_label: str = ""
    country: str = ""  # the place's country (ISO 3166 alpha-2) when a named place was given
    radius_km: float = DEFAULT_RADIUS_KM
    tz: str = "UTC"
    # The time window, as UTC instants: a meeting matches when an occurrence starts inside it.
    # Several days give several windows (``windows``); window_start/window_end then span them all.
    window_start: datetime | None = None
    window_end: datetime | None = None
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)
    mode: str = "any"
    programs: tuple[str, ...] = ()
    approach: str = ""
    tags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    q: str = ""
    sort: str = "name"
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    params: Cleaned = field(default_factory=dict)  # the cleaned parameters, for next links

    @property
    def has_place(self) -> bool:
        return self.latitude is not None

    @property
    def has_time(self) -> bool:
        return self.window_start is not None


def _one(params: Params, name: str) -> str:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return "" if value is None else str(value).strip()


def _many(params: Params, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        raw = params.get(name) or []
        raw = raw if isinstance(raw, list | tuple) else [raw]
    out = []
    for item in raw:
        out += [part.strip() for part in str(item).split(",") if part.strip()]
    return out


def _number(
    params: Params, name: str, *, minimum: float | None = None, maximum: float | None = None, integer: bool = False
) -> float | None:
    text = _one(params, name)
    if text == "":
        return None
    kind = "a whole number" if integer else "a number"
    # Plain ASCII only: Python's int() and float() also take "1_000", "٣" and "²"-like digits.
    if len(text) > 32 or not (_INTEGER if integer else _DECIMAL).fullmatch(text):
        raise QueryError(name, f"{name} must be {kind}; got {text[:32]!r}.")
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise QueryError(name, f"{name} must be {kind}; got {text!r}.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise QueryError(name, f"{name} must be a finite number.")
    if minimum is not None and value < minimum:
        raise QueryError(name, f"{name} must be at least {minimum:g}.")
    if maximum is not None and value > maximum:
        raise QueryError(name, f"{name} must be at most {maximum:g}.")
    return value


def _clock(params: Params, name: str) -> time | None:
    text = _one(params, name)
    if not text:
        return None
    match = _TIME.match(text)
    if not match or (match[1] == "24" and match[2] != "00"):
        raise QueryError(name, f"{name} must be a time like 18:00 (24-hour clock); got {text!r}.")
    return time(int(match[1]) % 24, int(match[2])) if match[1] != "24" else time(0, 0)


# Times a search can be asked about: wide enough for any real use, narrow enough that a week's
# arithmetic on either side never leaves the calendar (year 1 or 9999 used to end in a 500).
EARLIEST_NOW = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_NOW = datetime(2200, 1, 1, tzinfo=UTC)


def parse_now(text: str, field_name: str = "now") -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(
            field_name, f"{field_name} must be an ISO 8601 time such as 2026-03-08T18:30:00-05:00."
        ) from None
    if value.tzinfo is None:
        raise QueryError(field_name, f"{field_name} must include a UTC offset, such as -05:00 or Z.")
    try:
        utc: datetime | None = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST_NOW <= utc < LATEST_NOW:
        raise QueryError(field_name, f"{field_name} must be between 1970 and 2199.")
    return utc


def parse_query(params: Params, *, now: datetime | None = None) -> SearchQuery:
    """Validate and resolve search parameters. Raises QueryError on the first bad field."""
    now_text = _one(params, "now")
    now = parse_now(now_text) if now_text else (now or datetime.now(UTC))
    query = SearchQuery(now=now)
    cleaned: Cleaned = {}

    _place(params, query, cleaned)
    _filters(params, query, cleaned)
    _time_window(params, query, cleaned)

    sort = _one(params, "sort")
    if sort and sort not in SORTS:
        raise QueryError("sort", f"sort must be one of {', '.join(SORTS)}.")
    if sort == "nearest" and not query.has_place:
        raise QueryError("sort", "sort=nearest needs a place (near, or lat and lng).")
    query.sort = sort or ("soonest" if query.has_time else "nearest" if query.has_place else "name")
    if sort:
        cleaned["sort"] = sort
    query.limit = int(_number(params, "limit", minimum=1, maximum=MAX_LIMIT, integer=True) or DEFAULT_LIMIT)
    query.offset = int(_number(params, "offset", minimum=0, integer=True) or 0)
    if _one(params, "limit"):
        cleaned["limit"] = str(query.limit)
    if now_text:
        cleaned["now"] = now_text
    query.params = cleaned
    return query


def _place(params: Params, query: SearchQuery, cleaned: Cleaned) -> None:
    lat = _number(params, "lat", minimum=-90, maximum=90)
    lng = _number(params, "lng", minimum=-180, maximum=180)
    near = _one(params, "near")
    if (lat is None) != (lng is None):
        raise QueryError("lng" if lng is None else "lat", "Give both lat and lng, or neither.")
    if lat is not None:
        query.latitude, query.longitude = lat, lng
        query.place_label = f"{lat:.4f}, {lng:.4f}"
        cleaned.update(lat=_one(params, "lat"), lng=_one(params, "lng"))
    elif near:
        try:
            place = gazetteer().resolve(near)
        except PlaceError as exc:
            raise QueryError("near", exc.message, [c.label for c in exc.candidates]) from None
        query.latitude, query.longitude, query.place_label = place.latitude, place.longitude, place.label
        query.country = place.country
        cleaned["near"] = near
    radius_km = _number(params, "radius_km", minimum=0.1, maximum=MAX_RADIUS_KM)
    radius_mi = _number(params, "radius_mi", minimum=0.1, maximum=MAX_RADIUS_KM / KM_PER_MILE)
    if radius_km is not None and radius_mi is not None:
        raise QueryError("radius_mi", "Give radius_km or radius_mi, not both.")
    if radius_km is not None:
        query.radius_km = radius_km
        cleaned["radius_km"] = _one(params, "radius_km")
    elif radius_mi is not None:
        query.radius_km = radius_mi * KM_PER_MILE
        cleaned["radius_mi"] = _one(params, "radius_mi")

    tz = _one(params, "tz")
    if tz:
        try:
            schedule.zone(tz)
        except ValueError as exc:
            raise QueryError("tz", str(exc)) from None
        query.tz = tz
        cleaned["tz"] = tz
    elif query.latitude is not None and query.longitude is not None:  # query.has_place: both or neither
        query.tz = timezone_at(query.latitude, query.longitude) or "UTC"


def _filters(params: Params, query: SearchQuery, cleaned: Cleaned) -> None:
    from commonground.catalog.models import Program

    mode = _one(params, "mode") or "any"
    if mode not in MODES:
        raise QueryError("mode", f"mode must be one of {', '.join(MODES)}.")
    query.mode = mode
    if mode != "any":
        cleaned["mode"] = mode
    programs = _many(params, "program")
    if programs:
        known = set(Program.objects.values_list("code", flat=True))
        unknown = [p for p in programs if p not in known]
        if unknown:
            raise QueryError(
                "program", f"Unknown program {unknown[0]!r}; known programs are {', '.join(sorted(known))}."
            )
        query.programs = tuple(dict.fromkeys(programs))
        cleaned["program"] = list(query.programs)
    approach = _one(params, "approach")
    if approach:
        if approach not in Approach.values:
            raise QueryError("approach", f"approach must be one of {', '.join(Approach.values)}.")
        query.approach = approach
        cleaned["approach"] = approach
    tags = _many(params, "type")
    unknown = [t for t in tags if t not in types.TAG_BIT]
    if unknown:
        raise QueryError("type", f"Unknown meeting type {unknown[0]!r}; use {', '.join(types.TAGS)}.")
    if tags:
        query.tags = tuple(dict.fromkeys(tags))
        cleaned["type"] = list(query.tags)
    languages = [lang.lower() for lang in _many(params, "language")]
    bad = [lang for lang in languages if not re.fullmatch(r"[a-z]{2,3}", lang)]
    if bad:
        raise QueryError("language", f"language must be an ISO 639-1 code such as es; got {bad[0]!r}.")
    if languages:
        query.languages = tuple(dict.fromkeys(languages))
        cleaned["language"] = list(query.languages)
    q = _one(params, "q")
    if len(q) > 100:
        raise QueryError("q", "q must be at most 100 characters.")
    if q:
        query.q = q
        cleaned["q"] = q


def _time_window(params: Params, query: SearchQuery, cleaned: Cleaned) -> None:
    within = _number(params, "starting_within", minimum=1, maximum=MAX_WITHIN_MINUTES, integer=True)
    day_text = ",".join(_many(params, "day"))
    time_from, time_to = _clock(params, "time_from"), _clock(params, "time_to")
    if within is not None and (day_text or time_from or time_to):
        raise QueryError(
            "starting_within",
            _("Choose a start window (starting_within) or a day and times (day, time_from, time_to), not both."),
        )
    if within is not None:
        query.window_start = query.now - timedelta(minutes=IN_PROGRESS_GRACE_MINUTES)
        query.window_end = query.now + timedelta(minutes=within)
        query.windows = [(query.window_start, query.window_end)]
        cleaned["starting_within"] = str(within)
        return
    if not (day_text or time_from or time_to):
        return
    zone = schedule.zone(query.tz)
    today = query.now.astimezone(zone).date()
    days = [d.lower() for d in _many(params, "day")] or [""]
    targets = []
    for text in days:
        if text in ("", "today"):
            targets.append(schedule.spec_weekday(today))
        elif text == "tomorrow":
            targets.append(schedule.spec_weekday(today + timedelta(days=1)))
        elif text in ("0", "1", "2", "3", "4", "5", "6"):  # not isdigit(): "²" is a digit to Python
            targets.append(int(text))
        else:
            raise QueryError("day", "day must be 0–6 (0 = Sunday), today or tomorrow.")
    start_clock, end_clock = time_from or time(0, 0), time_to or time(0, 0)
    grace = timedelta(minutes=IN_PROGRESS_GRACE_MINUTES)
    for target_weekday in dict.fromkeys(targets):
        # The first window of that weekday that has not ended yet (grace included).
        for offset in range(0, 9):
            day: date = today + timedelta(days=offset)
            if schedule.spec_weekday(day) != target_weekday:
                continue
            start = schedule.occurrence(day, start_clock, zone)
            end_day = day + timedelta(days=1) if end_clock <= start_clock else day  # across midnight
            end = schedule.occurrence(end_day, end_clock, zone)
            if end >= query.now - grace:
                query.windows.append((max(start, query.now - grace), end))
                break
    query.windows.sort()
    query.window_start = query.windows[0][0]
    query.window_end = max(end for _, end in query.windows)
    if _many(params, "day"):
        cleaned["day"] = list(dict.fromkeys(_many(params, "day")))
    for name in ("time_from", "time_to"):
        if _one(params, name):
            cleaned[name] = _one(params, name)
