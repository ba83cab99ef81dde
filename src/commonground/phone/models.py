"""What the phone app keeps: a number's hash and choices, an organisation's helpline and shifts,
and the audit of every routed call. No caller's number and no message text is ever stored."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from django.db import models

from commonground.phone import numbers


class PhoneContact(models.Model):
    number_hash = models.CharField(max_length=64, unique=True)  # numbers.hash_number: HMAC-SHA256, hex
    language = models.CharField(max_length=2, default="en")
    stopped = models.BooleanField(default=False)
    last_seen = models.DateTimeField(null=True, blank=True)
    # What "MORE" continues: the last search's words (a ZIP or a city, a program), its kind and offset.
    pending = models.JSONField(default=dict, blank=True)
    # The rate limit per number (phone/limits.py): when its window started, and its texts since.
    window_started = models.DateTimeField(null=True, blank=True)
    window_texts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"contact {self.number_hash[:8]}"

    @classmethod
    def of_number(cls, number: str, *, lock: bool = False) -> PhoneContact | None:
        """The contact kept for ``number``, under the current hash key or an earlier one.

        A row under an earlier key is moved to the current key's hash, so a STOP or a language
        survives a new key (``numbers.earlier_hashes``). Rows under both (web workers restarted at
        different times after the key changed) become one: the latest seen wins, so the number's
        last word, STOP included, holds."""
        rows = cls.objects.select_for_update() if lock else cls.objects
        current = numbers.hash_number(number)
        earlier = numbers.earlier_hashes(number)
        if not earlier:
            return rows.filter(number_hash=current).first()
        found = list(rows.filter(number_hash__in=[current, *earlier]))
        if not found:
            return None
        oldest = datetime.min.replace(tzinfo=UTC)
        latest = max(found, key=lambda r: (r.last_seen or oldest, r.number_hash == current))
        cls.objects.filter(pk__in=[r.pk for r in found if r.pk != latest.pk]).delete()
        if latest.number_hash != current:
            latest.number_hash = current
            latest.save(update_fields=["number_hash"])
        return latest


class Helpline(models.Model):
    """An organisation's helpline: the number people call (the provider's number, E.164), its zone,
    and the ZIP codes or regions it covers."""

    name = models.CharField(max_length=200)
    number = models.CharField(max_length=20, unique=True, help_text="The helpline's own number, E.164 (+15551234567).")
    timezone = models.CharField(max_length=64, default="America/New_York", help_text="IANA zone of its shifts.")
    covers = models.TextField(
        blank=True, help_text="ZIP codes or region codes it covers, separated by spaces or commas (10001 NY)."
    )
    ring_seconds = models.PositiveSmallIntegerField(default=20, help_text="How long each person's phone rings.")

    def __str__(self) -> str:
        return self.name

    def covered(self) -> set[str]:
        return {part.strip().upper() for part in self.covers.replace(",", " ").split() if part.strip()}


class Shift(models.Model):
    """Who answers, which days and hours, in the helpline's zone. Days: 0 = Monday … 6 = Sunday."""

    helpline = models.ForeignKey(Helpline, on_delete=models.CASCADE, related_name="shifts")
    person = models.CharField(max_length=120, help_text="A first name or role, for the audit.")
    phone = models.CharField(max_length=20, help_text="The number to ring, E.164.")
    days = models.CharField(max_length=7, default="0123456", help_text="Weekdays, 0 = Monday … 6 = Sunday.")
    starts = models.TimeField()
    ends = models.TimeField(help_text="May be earlier than the start: the shift runs past midnight.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Who is rung first (lowest first).")

    class Meta:
        ordering = ("order", "id")

    def __str__(self) -> str:
        return f"{self.person} ({self.days} {self.starts:%H:%M}-{self.ends:%H:%M})"

    def on_at(self, moment: datetime, zone: str) -> bool:
        local = moment.astimezone(ZoneInfo(zone))
        clock, day = local.time().replace(second=0, microsecond=0), local.weekday()
        if self.starts <= self.ends:
            return str(day) in self.days and self.starts <= clock < self.ends
        # Past midnight: the evening part on the day it starts, the morning part on the next day.
        yesterday = str((day - 1) % 7)
        return (str(day) in self.days and clock >= self.starts) or (yesterday in self.days and clock < self.ends)

    @staticmethod
    def clock(text: str) -> time:
        return time.fromisoformat(text)


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", "connected to staff"
    NO_ANSWER = "no_answer", "no one answered: crisis line"
    NO_SHIFT = "no_shift", "outside any shift: crisis line"
    NO_HELPLINE = "no_helpline", "no helpline: crisis line"
    RINGING = "ringing", "ringing"


class CallAudit(models.Model):
    """One routed call: when, which helpline and shift answered or did not, and how it ended.
    The call is named by a hash of the provider's call id, never by the caller's number."""

    at = models.DateTimeField(auto_now_add=True)
    call_hash = models.CharField(max_length=64, db_index=True)
    helpline = models.ForeignKey(Helpline, null=True, blank=True, on_delete=models.SET_NULL)
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.SET_NULL)
    tried = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices, default=CallOutcome.RINGING)

    class Meta:
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome}"
