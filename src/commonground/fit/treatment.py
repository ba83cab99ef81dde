"""Treatment beside the meetings on the fit results (issue 30, part 5).

When the answers call for it, and a place in the United States or its territories was given, the
results show nearby treatment from FindTreatment.gov's listings (``treatment/nearby.py``):

- **Medication treatment** for the person's own opioid use, for opioid medication taken or wanted
  (``medication=moud``), or for a pregnancy with drug use: the three nearest providers of methadone,
  buprenorphine or naltrexone. When pregnant, those that serve pregnant women come first, when one
  is within the radius (in the United States many programs must see pregnant women first).
- **Detox** when stopping may bring dangerous withdrawal: the safety layer's own rule
  (``Situation.withdrawal_risk``: sedatives, or alcohol with signs of dependence or not sure). The
  nearest provider, one that serves pregnant women first when pregnant.

The blocks add to the safety layer's notes and lines and never stand in their place: the pages put
them after every note. Outside the US nothing from these listings is shown (the layer gives the
country's own lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.places.units import KM_PER_MILE, distance_unit
from commonground.safety.situation import Situation
from commonground.treatment.nearby import covers, nearest_any
from commonground.treatment.query import DEFAULT_RADIUS_KM
from commonground.treatment.vocabulary import MOUD

MEDICATION_SHOWN = 3
KINDS = ("medication", "detox")
API_FIELDS = ("name", "address", "phone", "website", "distance_km", "offers", "pays", "serves", "languages")


def wanted(situation: Situation) -> tuple[str, ...]:
    """Which blocks the answers call for (before any place): ``medication``, ``detox``, both or none."""
    out = []
    if (
        "opioids" in situation.own
        or situation.opioid_medication
        or (situation.pregnant == "yes" and situation.uses_drugs)
    ):
        out.append("medication")
    if situation.withdrawal_risk:
        out.append("detox")
    return tuple(out)


@dataclass
class Nearby:
    """The providers to show, by kind, in the unit of the place's country."""

    medication: list[dict] = field(default_factory=list)
    detox: list[dict] = field(default_factory=list)
    pregnant_first: bool = False  # some providers are listed first because they serve pregnant women
    unit: str = "mi"

    def __bool__(self) -> bool:
        return bool(self.medication or self.detox)

    def providers(self) -> list[tuple[str, dict]]:
        return [("medication", p) for p in self.medication] + [("detox", p) for p in self.detox]


def _pick(latitude: float, longitude: float, offers: tuple[str, ...], limit: int, pregnant: bool) -> list[dict]:
    first = []
    if pregnant:
        first = nearest_any(latitude, longitude, offers, serves=("pregnant",), radius_km=DEFAULT_RADIUS_KM, limit=limit)
    rest = nearest_any(
        latitude,
        longitude,
        offers,
        radius_km=DEFAULT_RADIUS_KM,
        limit=limit - len(first),
        leave_out=frozenset(r["id"] for r in first),
    )
    return [{**r, "priority": "pregnant"} for r in first] + [{**r, "priority": None} for r in rest]


def nearby(situation: Situation, place: tuple[float, float, str] | None) -> Nearby | None:
    """The treatment to show for a situation at a place ``(latitude, longitude, country)``, or None."""
    kinds = wanted(situation)
    if not kinds or place is None or not covers(place[2]):
        return None
    latitude, longitude, country = place
    pregnant = situation.pregnant == "yes"
    found = Nearby(unit=distance_unit(country))
    if "medication" in kinds:
        found.medication = _pick(latitude, longitude, MOUD, MEDICATION_SHOWN, pregnant)
    if "detox" in kinds:
        found.detox = _pick(latitude, longitude, ("detox",), 1, pregnant)
    found.pregnant_first = any(p["priority"] for _kind, p in found.providers())
    for _kind, provider in found.providers():
        km = provider["distance_km"]
        provider["distance"] = km / KM_PER_MILE if found.unit == "mi" else km
    return found if found else None


def as_api(found: Nearby | None) -> list[dict]:
    """The providers for the fit API: what a result of ``/api/v1/treatment`` says, with what each is for
    (``medication`` or ``detox``) and ``priority`` ``pregnant`` when listed first for serving pregnant women."""
    if not found:
        return []
    out = []
    for kind, p in found.providers():
        source = p.get("source") or {}
        out.append(
            {
                "for": kind,
                **{name: p[name] for name in API_FIELDS},
                "website": p["website"] or None,
                "source": {"name": source.get("name", ""), "updated": source.get("updated")},
                "priority": p["priority"],
            }
        )
    return out
