"""Treatment beside the meetings: the nearest providers offering any one of several services.

``search.nearest`` matches every code it is given (a facility must offer all of ``offers``); a person
who needs medication for opioid use needs one of methadone, buprenorphine or naltrexone. So this asks
once per code and merges by distance, each facility once: the ``limit`` nearest of the union are
among the ``limit`` nearest of at least one code. The listings are FindTreatment.gov's, for the
United States and its territories only (``covers``): elsewhere the pages show none of them.
"""

from __future__ import annotations

import re

from commonground.treatment import search

# FindTreatment.gov lists the states, DC and these territories.
US_AREAS = frozenset({"US", "PR", "GU", "VI", "AS", "MP"})


def covers(country: str) -> bool:
    """Whether the listings serve a place in this country (ISO 3166 alpha-2)."""
    return (country or "").upper() in US_AREAS


def tel_href(phone: str) -> str:
    """A ``tel:`` address for a listed number: its digits (and a leading +), any extension left off."""
    number = re.split(r"(?i)\s*(?:x|ext\.?|extension)\s*\d", phone or "")[0]
    digits = re.sub(r"[^\d+]", "", number)
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if sum(c.isdigit() for c in digits) >= 3 else ""


def nearest_any(
    latitude: float,
    longitude: float,
    offers_any: tuple[str, ...],
    *,
    serves: tuple[str, ...] = (),
    radius_km: float = 50.0,
    limit: int = 3,
    leave_out: frozenset[int] = frozenset(),
) -> list[dict]:
    """The ``limit`` nearest facilities within ``radius_km`` offering at least one of ``offers_any``
    (and serving all of ``serves``), nearest first, without the ids in ``leave_out``."""
    found: dict[int, dict] = {}
    for code in offers_any:
        rows = search.nearest(
            latitude, longitude, offers=(code,), serves=serves, radius_km=radius_km, limit=limit + len(leave_out)
        )
        for row in rows:
            if row["id"] not in leave_out:
                found.setdefault(row["id"], row)
    merged = sorted(found.values(), key=lambda r: (r["distance_km"], r["name"], r["id"]))
    return [{**r, "tel": tel_href(r["phone"])} for r in merged[:limit]]
