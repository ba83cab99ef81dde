"""Treatment near a place: the nearest facilities that match every filter, nearest first.

The facilities are held in memory as columns (radians, cosines, one bit mask per list), built once
per ``treatment`` data version and shared by every request of the process: a search is one
vectorised distance over the placed facilities and a mask test, a few milliseconds at 20,000
(``bench/treatment.py``). Facilities without coordinates are never found by distance.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from commonground.meetings import geo
from commonground.meetings.models import DataVersion, Source
from commonground.treatment.models import Facility
from commonground.treatment.vocabulary import OFFERS, PAYS, SERVES

VERSION = "treatment"
BITS = {"offers": OFFERS, "pays": PAYS, "serves": SERVES}


@dataclass
class Index:
    version: tuple[Any, ...]
    ids: np.ndarray
    lat_r: np.ndarray
    lng_r: np.ndarray
    cos_lat: np.ndarray
    masks: dict[str, np.ndarray]  # offers, pays, serves, languages: one int64 per facility
    language_bits: dict[str, int]
    rows: list[dict]  # what a result shows, by position
    count: int  # every facility, placed or not


_lock = threading.Lock()
_index: Index | None = None


def _mask(values: list[str], bits: dict[str, int]) -> int:
    out = 0
    for value in values:
        if value in bits:
            out |= 1 << bits[value]
    return out


def build() -> Index:
    version = DataVersion.current_with_time(VERSION)
    sources = {
        s.pk: {"name": s.name, "updated": s.last_ok_at, "status": s.last_status}
        for s in Source.objects.filter(format="findtreatment")
    }
    facilities = list(
        Facility.objects.filter(source__disconnected_at=None).values(
            "id",
            "source_id",
            "name",
            "street",
            "city",
            "state",
            "zip",
            "phone",
            "website",
            "latitude",
            "longitude",
            "offers",
            "pays",
            "serves",
            "languages",
        )
    )
    placed = [f for f in facilities if f["latitude"] is not None and f["longitude"] is not None]
    languages = sorted({code for f in placed for code in f["languages"]})[:63]
    language_bits = {code: n for n, code in enumerate(languages)}
    fixed = {name: {code: n for n, code in enumerate(codes)} for name, codes in BITS.items()}
    lat = np.radians(np.array([f["latitude"] for f in placed], dtype=np.float64))
    rows = []
    for f in placed:
        street, town = f["street"], ", ".join(p for p in (f["city"], f"{f['state']} {f['zip']}".strip()) if p)
        rows.append(
            {
                "id": f["id"],
                "name": f["name"],
                "address": ", ".join(p for p in (street, town) if p),
                "phone": f["phone"],
                "website": f["website"],
                "latitude": f["latitude"],
                "longitude": f["longitude"],
                "offers": f["offers"],
                "pays": f["pays"],
                "serves": f["serves"],
                "languages": f["languages"],
                "source": sources.get(f["source_id"], {}),
            }
        )
    masks = {name: np.array([_mask(f[name], bits) for f in placed], dtype=np.int64) for name, bits in fixed.items()}
    masks["languages"] = np.array([_mask(f["languages"], language_bits) for f in placed], dtype=np.int64)
    return Index(
        version=version,
        ids=np.array([f["id"] for f in placed], dtype=np.int64),
        lat_r=lat,
        lng_r=np.radians(np.array([f["longitude"] for f in placed], dtype=np.float64)),
        cos_lat=np.cos(lat),
        masks=masks,
        language_bits=language_bits,
        rows=rows,
        count=len(facilities),
    )


def index() -> Index:
    """The index for the current data version (built once per version per process)."""
    global _index
    version = DataVersion.current_with_time(VERSION)
    current = _index
    if current is not None and current.version == version:
        return current
    with _lock:
        if _index is None or _index.version != version:
            _index = build()
        return _index


def reset() -> None:
    global _index
    _index = None


def nearest(
    latitude: float,
    longitude: float,
    *,
    offers: tuple[str, ...] = (),
    pays: tuple[str, ...] = (),
    serves: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    radius_km: float = 50.0,
    limit: int = 10,
) -> list[dict]:
    """The nearest facilities offering all of ``offers``, taking all of ``pays`` ... within
    ``radius_km``, nearest first: each result a dict with ``distance_km``."""
    found = index()
    if not len(found.ids):
        return []
    keep = np.ones(len(found.ids), dtype=bool)
    for name, wanted in (("offers", offers), ("pays", pays), ("serves", serves)):
        if wanted:
            need = _mask(list(wanted), {code: n for n, code in enumerate(BITS[name])})
            keep &= (found.masks[name] & need) == need
    if languages:
        if any(code not in found.language_bits for code in languages):
            return []  # nobody lists that language
        need = _mask(list(languages), found.language_bits)
        keep &= (found.masks["languages"] & need) == need
    positions = np.flatnonzero(keep)
    if not len(positions):
        return []
    lat_r, lng_r = np.radians(latitude), np.radians(longitude)
    distances = geo.km_from(
        lat_r, lng_r, float(np.cos(lat_r)), found.lat_r[positions], found.lng_r[positions], found.cos_lat[positions]
    )
    near = np.flatnonzero(distances <= radius_km)
    if len(near) > limit:
        near = near[np.argpartition(distances[near], limit - 1)[:limit]]
    order = near[np.argsort(distances[near], kind="stable")]
    return [{**found.rows[positions[i]], "distance_km": round(float(distances[i]), 2)} for i in order]


def find(query) -> list[dict]:
    """``nearest`` for a parsed ``treatment.query.TreatmentQuery`` (the API and the page ask alike)."""
    return nearest(
        query.latitude,
        query.longitude,
        offers=query.offers,
        pays=query.pays,
        serves=query.serves,
        languages=query.languages,
        radius_km=query.radius_km,
        limit=query.limit,
    )
