"""One export row into a facility: cleaned text, a safe website, coordinates, and its services read.

A row is kept whenever it names a facility: without coordinates it is kept but not placed (it is
found by its state, never by distance), an unsafe or unreadable website is dropped with the reason,
and every service value is kept as the export gave it besides the normalised lists.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from commonground.feeds.text import cut, storable
from commonground.meetings.links import LinkError, web_link
from commonground.treatment import vocabulary


class RowSkipped(ValueError):
    """The row names no facility: skipped with this reason."""


@dataclass
class Read:
    facility: dict
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (field, message)


def _text(row: dict, name: str, limit: int) -> str:
    value = row.get(name)
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return cut(" ".join(storable(str(value)).split()), limit)


def _coordinate(value, low: float, high: float) -> float | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if low <= number <= high and number == number else None


def website(raw: str) -> str:
    """The website as a browser would follow it: an address without a scheme is a site name
    (``www.example.org``), read as ``https://``; anything but a public http(s) site is refused."""
    text = raw.strip()
    if text and "://" not in text and ":" not in text.split("/")[0]:
        text = "https://" + text
    return web_link(text).href


def read(row) -> Read:
    if not isinstance(row, dict):
        raise RowSkipped("the row is not a JSON object")
    name1, name2 = _text(row, "name1", 200), _text(row, "name2", 200)
    if not name1:
        raise RowSkipped("the row names no facility (name1 is empty)")
    warnings: list[tuple[str, str]] = []
    street = ", ".join(p for p in (_text(row, "street1", 200), _text(row, "street2", 200)) if p)
    facility = {
        "name": cut(f"{name1} ({name2})" if name2 else name1, 300),
        "street": cut(street, 300),
        "city": _text(row, "city", 120),
        "state": _text(row, "state", 8).upper(),
        "zip": _text(row, "zip", 16),
        "phone": _text(row, "phone", 64),
        "intake_phone": _text(row, "intake1", 64),
        "facility_type": _text(row, "typeFacility", 16),
        "website": "",
        "latitude": None,
        "longitude": None,
    }
    raw_site = _text(row, "website", 1000)
    if raw_site.rstrip("/").lower() in ("http:", "https:"):
        raw_site = ""  # the export's way of saying it has none
    if raw_site:
        try:
            facility["website"] = website(raw_site)
        except LinkError as exc:
            warnings.append(("website", f"the website was dropped: {exc}"))
    lat = _coordinate(row.get("latitude"), -90, 90)
    lng = _coordinate(row.get("longitude"), -180, 180)
    if lat is None or lng is None or (lat == 0 and lng == 0):
        warnings.append(("latitude", "no usable coordinates: kept, but not placed (found by state, not distance)"))
    else:
        facility["latitude"], facility["longitude"] = lat, lng
    facility["services"] = _services(row.get("services"), warnings)
    facility["key"] = _key(row, facility)
    return Read(finish(facility), warnings)


def finish(facility: dict) -> dict:
    """The facility's four lists from its services, and its content hash (again, after a merge)."""
    facility.update(vocabulary.classify(facility["services"]))
    facility.pop("content_hash", None)
    body = {k: v for k, v in facility.items() if k != "key"}
    facility["content_hash"] = hashlib.sha1(
        json.dumps(body, sort_keys=True, default=str).encode(), usedforsecurity=False
    ).hexdigest()
    return facility


def merge(first: dict, second: dict) -> dict:
    """One site listed twice (the export lists a site once for substance use and once for mental
    health, each with its own services): one facility with both rows' services."""
    for name in ("phone", "intake_phone", "website", "latitude", "longitude"):
        if first.get(name) in ("", None) and second.get(name) not in ("", None):
            first[name] = second[name]
    types_ = [t for t in (first["facility_type"], second["facility_type"]) if t]
    first["facility_type"] = ",".join(dict.fromkeys(",".join(types_).split(",")))[:16]
    first["services"] = first["services"] + [s for s in second["services"] if s not in first["services"]]
    return finish(first)


def _services(raw, warnings: list[tuple[str, str]]) -> list[dict]:
    """``[{f1: category, f2: code, f3: "value; value"}]`` → ``[{category, code, values}]``, whole."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        warnings.append(("services", "services is not a list; none were read"))
        return []
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        category = _text(item, "f1", 200)
        code = _text(item, "f2", 32)
        values = [cut(" ".join(storable(v).split()), 300) for v in str(item.get("f3") or "").split(";")]
        values = [v for v in values if v]
        if category or values:
            out.append({"category": category, "code": code, "values": values})
    return out


def _key(row: dict, facility: dict) -> str:
    """A facility's stable key: the export's own id where it gives one, else its name and address."""
    for name in ("frid", "facilityId", "id"):
        value = row.get(name)
        if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
            return cut(f"id:{str(value).strip()}", 64)
    basis = "|".join(facility[k].casefold() for k in ("name", "street", "city", "state", "zip"))
    return "a:" + hashlib.sha1(basis.encode(), usedforsecurity=False).hexdigest()
