"""The companion's data. Everything personal is in an encrypted JSON field (``crypto.py``).

What stays readable in the database is only what the server must look things up by: which
account a row belongs to, a passkey's credential id, and the hash of the calendar token. No row
carries a plain date or time: when something happened is itself personal, so it is inside
``data``. Rows are ordered by id.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models

from commonground.private.crypto import EncryptedJSONField


class Account(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="companion")
    # Bumped by "sign out everywhere": sessions signed in under an older epoch end.
    session_epoch = models.PositiveIntegerField(default=0)
    # SHA-256 of the private calendar link's token (the token itself is in ``data``, to show again).
    calendar_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # {"timezone", "calendar_token", "calendar_seal", "saved_fit": {"query", "ranking": [...], "saved_on"}}
    data = EncryptedJSONField(default=dict)

    def __str__(self) -> str:
        return f"account {self.pk}"

    # The private calendar link is sealed to what ends sessions: the "sign out everywhere" counter
    # and the passphrase's hash (a recovery sets a new one). When either changes, the link stops
    # working, as the sessions do. Reading ``user`` costs no query when fetched with select_related.
    def calendar_seal(self) -> str:
        return hashlib.sha256(f"commonground-calendar:{self.session_epoch}:{self.user.password}".encode()).hexdigest()

    def calendar_token(self) -> str | None:
        """The calendar link's token while it holds; None if there is none or it was voided."""
        token = self.data.get("calendar_token")
        if token and secrets.compare_digest(self.data.get("calendar_seal") or "", self.calendar_seal()):
            return token
        return None

    def calendar_voided(self) -> bool:
        """A link was made, and signing out everywhere or a recovery has voided it since."""
        return bool(self.data.get("calendar_token")) and self.calendar_token() is None

    def set_calendar_token(self, token: str | None) -> None:
        """A new link (the old one stops at once), or none; the caller saves ``data`` and the hash."""
        self.data = {**self.data, "calendar_token": token, "calendar_seal": self.calendar_seal() if token else None}
        self.calendar_token_hash = calendar_token_hash(token) if token else ""


def calendar_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RecoveryCode(models.Model):
    """One-time codes shown once at sign-up: the way back in without the passphrase (hashed)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=200)


class Passkey(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys")
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url, as the browser sends it
    public_key = models.TextField()  # base64url COSE key
    sign_count = models.PositiveBigIntegerField(default=0)
    data = EncryptedJSONField(default=dict)  # {"name", "added_on"}


class Private(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = EncryptedJSONField(default=dict)

    class Meta:
        abstract = True
        ordering = ["id"]


class Clock(Private):
    """{"name", "start_date", "start_time" (or null), "timezone", "convention",
    "slips": [{"date", "time", "note", "timezone"}], "stretches": [{"start_date", "end_date"}]}"""


class Favourite(Private):
    """{"meeting": "<source>/<key>", "name", "added_on"}"""


class Attendance(Private):
    """{"meeting": "<source>/<key>", "name", "date"}  ("I went")"""


class Tried(Private):
    """A groups-tried journal entry: {"meeting" or null, "program", "name", "date", "rating" 1–5,
    "would_return": "yes" | "no" | "unsure", "note"}"""


class CheckIn(Private):
    """{"date", "mood" 1–5, "craving" 0–10, "meeting": bool, "note"}: one per local day."""


class Plan(Private):
    """{"reasons", "triggers", "warning_signs", "what_helps", "people": [{"name", "phone"}],
    "if_i_slip"}: the recovery plan, one per person."""


class ShareGrant(models.Model):
    """Sharing clocks and check-ins with a peer-support organisation, by a one-time code the person
    gives their peer specialist. The person can stop sharing at any time (``revoked_at``).

    The companion never imports the workspace: the workspace claims the grant by its code and
    writes the organisation's name into ``data`` so the person can see who has it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_grants")
    code_hash = models.CharField(max_length=64, unique=True)
    claimed = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    data = EncryptedJSONField(default=dict)  # {"made_on", "shared_with"}

    @property
    def active(self) -> bool:
        return self.claimed and self.revoked_at is None
