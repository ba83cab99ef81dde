"""Treatment providers for a referral: found with the treatment search, kept as their listing read.

The search is the finder's own (``treatment.query`` reads the place and filters by the same rules as
``/api/v1/treatment``, ``treatment.search`` finds the nearest), so a member of staff sees what the
participant would. A provider chosen is kept in the referral's encrypted details as its listing said
that day (``records.TreatmentProvider``): the data is refreshed from FindTreatment.gov, and a
facility that closes or stops being listed disappears from it. The referral then still shows what
was chosen, and ``listed`` says it is no longer listed.
"""

from __future__ import annotations

from django.utils import timezone

from commonground.peer.records import TreatmentProvider
from commonground.places.units import KM_PER_MILE, distance_unit
from commonground.search.query import QueryError
from commonground.treatment import query as treatment_query
from commonground.treatment import search as treatment_search
from commonground.treatment.models import Facility
from commonground.treatment.vocabulary import OFFERS

SEARCH_FIELDS = ("near", "radius_km", "radius_mi", "offers")


def search(params) -> dict:
    """The nearest providers for the referral form, with each one's distance in the place's unit."""
    wanted = {name: params.get(name, "") for name in SEARCH_FIELDS}
    try:
        asked = treatment_query.parse(params)
    except QueryError as exc:
        return {"error": exc.message, "field": exc.field, "results": [], "params": wanted}
    found = treatment_search.nearest(
        asked.latitude, asked.longitude, offers=asked.offers, radius_km=asked.radius_km, limit=asked.limit
    )
    unit = distance_unit(asked.country)
    for result in found:
        km = result["distance_km"]
        result["distance"] = round(km / KM_PER_MILE if unit == "mi" else km, 1)
    return {"error": None, "results": found, "unit": unit, "place": asked.place_label, "params": wanted}


def offers() -> tuple[str, ...]:
    return OFFERS


def chosen(facility_id: int) -> TreatmentProvider | None:
    """The facility as listed today, for a referral to keep; None when it is not listed (any more)."""
    facility = Facility.objects.select_related("source").filter(pk=facility_id, source__disconnected_at=None).first()
    if facility is None:
        return None
    return TreatmentProvider(
        facility_id=facility.pk,
        source=facility.source.slug,
        key=facility.key,
        name=facility.name,
        address=facility.address,
        phone=facility.phone,
        website=facility.website,
        chosen_on=timezone.localdate().isoformat(),
    )


def listed(provider: TreatmentProvider) -> bool:
    """Whether the provider is still in the data: by its key in its source (which outlives a row's
    id), or by its id for a reference without a key; a disconnected source lists nothing."""
    rows = Facility.objects.filter(source__slug=provider.source, source__disconnected_at=None)
    if provider.key:
        return rows.filter(key=provider.key).exists()
    return provider.facility_id is not None and rows.filter(pk=provider.facility_id).exists()
