"""Each source as people and clients see it: format, countries, meetings (or treatment facilities), last good sync, status and
last error in words. ``GET /api/v1/sources`` and the ``/coverage`` page both read it here, so the
two say the same; the status word itself is ``health.status``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from commonground.feeds import health
from commonground.meetings.models import Meeting, Source


@dataclass(frozen=True)
class SourceState:
    name: str
    slug: str
    format: str
    countries: list[str]
    meetings: int
    facilities: int  # treatment facilities (a FindTreatment.gov source)
    status: str  # ok, stale or failing (health.status)
    last_ok_at: datetime | None
    last_error: str  # its first line, in words; "" when none
    registry: str
    disconnected: bool

    def as_api(self) -> dict:
        """The API's row (``/api/v1/sources``)."""
        return {
            "name": self.name,
            "slug": self.slug,
            "format": self.format,
            "countries": self.countries,
            "meetings": self.meetings,
            "facilities": self.facilities,
            "status": self.status,
            "last_ok_at": self.last_ok_at,
            "last_error": self.last_error,
            "registry": self.registry,
        }


def meeting_counts() -> dict[int, int]:
    """Every source's listings, public or not, by source id (a source with none is missing)."""
    rows = Meeting.objects.order_by().values_list("source_id").annotate(n=Count("id"))
    return dict(rows)


def first_line(error: str) -> str:
    return error.splitlines()[0][:300] if error else ""


def source_states(now: datetime | None = None, counts: dict[int, int] | None = None) -> list[SourceState]:
    """Every source by name. ``counts``: ``meeting_counts()`` when the caller holds it already (the
    page keeps it per data version); the sources themselves are always read fresh, since a failed
    sync changes a source's state without changing any meeting."""
    now = now or timezone.now()
    counts = meeting_counts() if counts is None else counts
    # A treatment source's facilities (treatment.Facility, by its relation's name: feeds never import treatment).
    facilities = dict(
        Source.objects.filter(facilities__isnull=False).annotate(n=Count("facilities")).values_list("id", "n")
    )
    return [
        SourceState(
            name=s.name,
            slug=s.slug,
            format=s.format,
            countries=[c for c in s.countries.split(",") if c],
            meetings=counts.get(s.pk, 0),
            facilities=facilities.get(s.pk, 0),
            status=health.status(s, now),
            last_ok_at=s.last_ok_at,
            last_error=first_line(s.last_error),
            registry=s.registry_key,
            disconnected=s.disconnected_at is not None,
        )
        for s in Source.objects.order_by("name")
    ]
