"""Support programs (AA, SMART Recovery, Al-Anon ...) and their sourced facts.

The rows are loaded from the versioned TOML files in ``programs/`` (see ``loader.py``); edit
those files, not the admin, so that every fact keeps its source.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import models
from django.utils.translation import gettext_lazy as _


class Approach(models.TextChoices):
    TWELVE_STEP = "twelve-step", _("Twelve-step")
    SECULAR = "secular", _("Secular")
    FAITH_BASED = "faith-based", _("Faith-based")
    BUDDHIST = "buddhist-inspired", _("Buddhist-inspired")
    CLINICAL = "clinical", _("Clinical with peer support")


class SpiritualContent(models.TextChoices):
    NONE = "none", _("None")
    NON_THEISTIC = "non-theistic", _("Secular, with some spiritual language (no Higher Power)")
    SPIRITUAL = "spiritual", _("Spiritual")
    RELIGIOUS = "religious", _("Religious")
    INDIGENOUS = "indigenous", _("Grounded in Native American and Indigenous spiritual teachings")
    ISLAMIC = "islamic", _("Grounded in Islam")
    UNKNOWN = "unknown", _("Unknown")


class MedicationStance(models.TextChoices):
    WELCOMING = "welcoming", _("Welcoming")
    VARIES = "varies", _("No rule in its literature; attitudes vary")
    GROUP_DECIDES = "group-decides", _("Each group decides")
    RESTRICTIVE = "restrictive", _("Restrictive")
    UNKNOWN = "unknown", _("Unknown")
    NOT_APPLICABLE = "not-applicable", _("Not applicable")


class Availability(models.TextChoices):
    YES = "yes", _("Yes")
    LIMITED = "limited", _("Limited")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class ProgramStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEGACY = "legacy", _("Mostly inactive")


class ProgramQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ProgramStatus.ACTIVE)


class Program(models.Model):
    code = models.SlugField(primary_key=True, max_length=32)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=ProgramStatus.choices, default=ProgramStatus.ACTIVE)
    order = models.PositiveSmallIntegerField(default=100)
    type_table = models.CharField(
        max_length=32, default="spec", help_text="Meeting-type code table this program's feeds use."
    )
    summary = models.TextField()
    first_meeting = models.TextField("What to expect at a first meeting")
    not_for = models.TextField(blank=True)
    website = models.CharField(max_length=500, blank=True)
    website_confirmed = models.BooleanField(default=False)
    meeting_finder = models.CharField(max_length=500, blank=True)

    # Structured attributes, denormalised from `facts` so that search and the fit finder can filter.
    approach = models.CharField(max_length=24, choices=Approach.choices)
    spiritual_content = models.CharField(max_length=16, choices=SpiritualContent.choices)
    support_model = models.JSONField(default=list)
    scope = models.JSONField(default=list)
    audience = models.CharField(max_length=32, default="everyone")
    dual_diagnosis = models.CharField(max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN)
    moud = models.CharField(max_length=16, choices=MedicationStance.choices, default=MedicationStance.UNKNOWN)
    psychiatric_medication = models.CharField(
        max_length=16, choices=MedicationStance.choices, default=MedicationStance.UNKNOWN
    )
    online = models.CharField(max_length=8, choices=Availability.choices, default=Availability.UNKNOWN)
    goal = models.CharField(max_length=32, blank=True)
    milestones = models.TextField(blank=True)

    # Every fact with its note and source ids: {"moud": {"value": ..., "note": ..., "sources": [...]}}
    facts = models.JSONField(default=dict)
    # Source id -> {"title", "url", "kind", "checked"} (see docs/catalog.md, "Source policy")
    sources = models.JSONField(default=dict)
    # Other languages' versions of the prose: {"es": {"summary": ..., "notes": {"moud": ...}}}
    translations = models.JSONField(default=dict, blank=True)
    data_hash = models.CharField(max_length=64, blank=True, help_text="Hash of the catalog file last loaded.")
    loaded_at = models.DateTimeField(null=True, blank=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_family_group(self) -> bool:
        return "family" in self.scope

    @property
    def is_legacy(self) -> bool:
        return self.status == ProgramStatus.LEGACY

    def text(self, field: str, language: str = "en") -> str:
        """A prose field in ``language`` when the catalog has it, else in English."""
        translated = self.translations.get(language, {}).get(field)
        return translated or getattr(self, field)

    def note(self, fact: str, language: str = "en") -> str:
        translated = self.translations.get(language, {}).get("notes", {}).get(fact)
        return translated or self.facts.get(fact, {}).get("note", "")

    def fact(self, name: str, language: str = "en") -> dict:
        """A fact with its sources resolved: {"value", "note", "confirmed", "sources": [{"id", "title", ...}]}."""
        raw = self.facts.get(name)
        if raw is None:
            return {"value": "unknown", "note": "", "confirmed": False, "sources": []}
        return {
            **raw,
            "confirmed": bool(raw.get("confirmed")),
            "sources": [self.source(sid, language) for sid in raw.get("sources", [])],
        }

    def source(self, sid: str, language: str = "en") -> dict:
        """One source as users see it: a title (translated where we have one), its site and date."""
        data = self.sources.get(sid, {})
        title = self.translations.get(language, {}).get("sources", {}).get(sid, {}).get("title") or data.get(
            "title", ""
        )
        url = data.get("url", "")
        site = urlsplit(url).hostname or ""
        return {
            "id": sid,
            "title": title,
            "url": url,
            "site": site.removeprefix("www."),
            "kind": data.get("kind", ""),
            "checked": data.get("checked", ""),
        }

    def confirmed(self, name: str) -> bool:
        return bool(self.facts.get(name, {}).get("confirmed"))

    def value(self, name: str):
        return self.facts.get(name, {}).get("value", "unknown")
