"""Treatment facilities from FindTreatment.gov's public export, beside the meetings.

A facility belongs to a ``meetings.Source`` (format ``findtreatment``), so it shares the sources'
freshness, status, locks and reports. Its services are kept twice: normalised into the four lists
people search by (``offers``, ``pays``, ``serves``, ``languages``; the vocabulary is
``treatment/vocabulary.py``), and whole, as the export gave them (``services``: every category with
its code and every value), so nothing the listing says is lost.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone as djtz

from commonground.meetings.models import Source


class Facility(models.Model):  # type: ignore[misc]  # Django is untyped here
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="facilities")
    key = models.CharField(max_length=64, help_text="Stable key within the source (a digest of name and address).")
    name = models.CharField(max_length=300)
    street = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=8, blank=True)
    zip = models.CharField(max_length=16, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    intake_phone = models.CharField(max_length=64, blank=True)
    website = models.CharField(
        max_length=1000, blank=True, help_text="Judged as a browser parses it; unsafe ones dropped."
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    facility_type = models.CharField(max_length=16, blank=True, help_text="typeFacility: SA, MH, BUPREN, OTP ...")
    offers = models.JSONField(default=list, blank=True)
    pays = models.JSONField(default=list, blank=True)
    serves = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639 codes; sign language is sgn.")
    services = models.JSONField(default=list, blank=True, help_text="[{category, code, values}], as the export gave.")
    content_hash = models.CharField(max_length=40)
    imported_at = models.DateTimeField(default=djtz.now)
    changed_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="facility_source_key")]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.state})"

    @property
    def address(self) -> str:
        town = ", ".join(p for p in (self.city, f"{self.state} {self.zip}".strip()) if p)
        return ", ".join(p for p in (self.street, town) if p)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": self.address,
            "phone": self.phone,
            "website": self.website,
            "offers": self.offers,
            "pays": self.pays,
            "serves": self.serves,
            "languages": self.languages,
        }
