"""The companion's data. Everything personal is in an encrypted field (``private/crypto.py``), each
holding one record kind (``records.py``).

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

from commonground.journal.records import (
    AccountData,
    AttendanceData,
    CheckInData,
    ClockData,
    FavouriteData,
    PasskeyData,
    PlanData,
    ShareGrantData,
    TriedData,
)
from commonground.private.crypto import EncryptedJSONField


class Account(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="companion")
    # Bumped by "sign out everywhere": sessions signed in under an older epoch end.
    session_epoch = models.PositiveIntegerField(default=0)
    # SHA-256 of the private calendar link's token (the token itself is in ``data``, to show again).
    calendar_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    data = EncryptedJSONField(default=dict, payload=AccountData)

    def __str__(self) -> str:
        return f"account {self.pk}"

    # The private calendar link is sealed to what ends sessions: the "sign out everywhere" counter
    # and the passphrase's hash (a recovery sets a new one). When either changes, the link stops
    # working, as the sessions do. Reading ``user`` costs no query when fetched with select_related.
    def calendar_seal(self) -> str:
        return hashlib.sha256(f"commonground-calendar:{self.session_epoch}:{self.user.password}".encode()).hexdigest()

    def calendar_token(self) -> str | None:
        """The calendar link's token while it holds; None if there is none or it was voided."""
        token = self.data.calendar_token
        if token and secrets.compare_digest(self.data.calendar_seal or "", self.calendar_seal()):
            return token
        return None

    def calendar_voided(self) -> bool:
        """A link was made, and signing out everywhere or a recovery has voided it since."""
        return bool(self.data.calendar_token) and self.calendar_token() is None

    def set_calendar_token(self, token: str | None) -> None:
        """A new link (the old one stops at once), or none; the caller saves ``data`` and the hash."""
        self.data = self.data.but(calendar_token=token, calendar_seal=self.calendar_seal() if token else None)
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
    data = EncryptedJSONField(default=dict, payload=PasskeyData)


class Private(models.Model):
    """A record of one person's; what each kind holds is its payload (``records.py``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = EncryptedJSONField(default=dict)

    class Meta:
        abstract = True
        ordering = ["id"]


class Clock(Private):
    data = EncryptedJSONField(default=dict, payload=ClockData)


class Favourite(Private):
    data = EncryptedJSONField(default=dict, payload=FavouriteData)


class Attendance(Private):
    data = EncryptedJSONField(default=dict, payload=AttendanceData)


class Tried(Private):
    data = EncryptedJSONField(default=dict, payload=TriedData)


class CheckIn(Private):
    data = EncryptedJSONField(default=dict, payload=CheckInData)


class Plan(Private):
    data = EncryptedJSONField(default=dict, payload=PlanData)


class ShareGrant(models.Model):
    """Sharing clocks and check-ins with a peer-support organisation, by a one-time code the person
    gives their peer specialist. The person can stop sharing at any time (``revoked_at``).

    The companion never imports the workspace: the workspace claims the grant by its code and
    writes the organisation's name into ``data`` so the person can see who has it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_grants")
    code_hash = models.CharField(max_length=64, unique=True)
    claimed = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    data = EncryptedJSONField(default=dict, payload=ShareGrantData)

    @property
    def active(self) -> bool:
        return self.claimed and self.revoked_at is None
