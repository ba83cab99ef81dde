"""What a treatment search asks: a place (as a meeting search takes it) and the filters.

``near`` (or ``lat``/``lng``) and ``radius_km`` are read by the meeting search's own rules
(``search.query.parse_query``), so a place means the same everywhere; ``offers``, ``pays``,
``serves`` and ``language`` may each repeat (or be comma-separated), and all must match. A bad value
is a ``QueryError`` naming its field, which the API answers as a 400 in the one error shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.search.query import QueryError, parse_query
from commonground.treatment.vocabulary import OFFERS, PAYS, SERVES

DEFAULT_RADIUS_KM = 50.0
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
PLACE_PARAMETERS = ("near", "lat", "lng", "radius_km", "radius_mi")


@dataclass
class TreatmentQuery:
    latitude: float
    longitude: float
    place_label: str
    country: str
    radius_km: float = DEFAULT_RADIUS_KM
    offers: tuple[str, ...] = ()
    pays: tuple[str, ...] = ()
    serves: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    params: dict = field(default_factory=dict)


def _values(params, name: str) -> list[str]:
    raw = params.getlist(name) if hasattr(params, "getlist") else params.get(name) or []
    raw = raw if isinstance(raw, list | tuple) else [raw]
    return [part.strip().lower() for item in raw for part in str(item).split(",") if part.strip()]


def _choice(params, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    chosen = _values(params, name)
    for value in chosen:
        if value not in allowed:
            raise QueryError(name, f"{name} must be one of {', '.join(allowed)}; got {value[:40]!r}.")
    return tuple(dict.fromkeys(chosen))


def parse(params) -> TreatmentQuery:
    place = {k: params.get(k) for k in PLACE_PARAMETERS if params.get(k) not in (None, "")}
    where = parse_query(place)
    if not where.has_place:
        raise QueryError("near", "Say where: near=<a ZIP code or a city>, or lat and lng.")
    languages = tuple(dict.fromkeys(_values(params, "language")))
    for code in languages:
        if not (code == "sgn" or (len(code) == 2 and code.isascii() and code.isalpha())):
            raise QueryError(
                "language", f"language must be an ISO 639 code such as es, or sgn for sign language; got {code[:20]!r}."
            )
    limit_text = str(params.get("limit") or "").strip()
    limit = DEFAULT_LIMIT
    if limit_text:
        if not (limit_text.isascii() and limit_text.isdigit()) or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise QueryError("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.")
        limit = int(limit_text)
    radius = where.radius_km if any(params.get(k) for k in ("radius_km", "radius_mi")) else DEFAULT_RADIUS_KM
    return TreatmentQuery(
        latitude=where.latitude,
        longitude=where.longitude,
        place_label=where.place_label,
        country=where.country,
        radius_km=radius,
        offers=_choice(params, "offers", OFFERS),
        pays=_choice(params, "pays", PAYS),
        serves=_choice(params, "serves", SERVES),
        languages=languages,
        limit=limit,
        params={k: v for k, v in where.params.items()},
    )
