"""The peer-support workspace's data: organisations, staff, participants and their records.

What identifies a person (name, phone, date of birth, the consent signature) and what they said
(notes, topics, BARC-10 answers) is encrypted with the companion's keys (``private.crypto``).
The dates, kinds and outcomes that the dashboard and the reports count stay readable: without a
participant's identity they describe no one, and the dashboard must answer in milliseconds.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.peer.records import EncounterDetails, Identity, Interests, ReferralDetails, Signature
from commonground.private.crypto import EncryptedJSONField


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    barc_interval_days = models.PositiveSmallIntegerField(
        default=90, choices=[(30, _("Every 30 days")), (90, _("Every 90 days"))]
    )
    no_contact_days = models.PositiveSmallIntegerField(default=14)
    # A participant's records may not be deleted until this many days after their last encounter
    # (0: no minimum). Deploying organisations set it from their own legal retention rules.
    retention_days = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # The organisation's helpline (issue 31), set on its settings pages. The link is kept here, not
    # on phone.Helpline: the phone app never imports the private apps (tests/test_layers.py).
    helpline = models.OneToOneField(
        "phone.Helpline", null=True, blank=True, on_delete=models.SET_NULL, related_name="peer_organisation"
    )

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """A one-time code to set up a new organisation (``commonground peer-invite``)."""

    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


def invitation_hash(code: str) -> str:
    """The stored form of a one-time set-up invitation (``commonground peer-invite``)."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


class Role(models.TextChoices):
    SPECIALIST = "specialist", _("Peer specialist")
    SUPERVISOR = "supervisor", _("Supervisor")


class Staff(models.Model):
    """One person, one account (no shared logins), in one organisation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_staff")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SPECIALIST)
    is_admin = models.BooleanField(default=False, help_text="Manages staff and settings.")
    display_name = models.CharField(max_length=80)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.display_name


# A participant's code: it goes into file names and headers, so a plain alphabet and a length.
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}")
CODE_RULE = _("1 to 20 letters (A–Z), digits, dashes or underscores, starting with a letter or digit.")


def validate_code(value: str) -> None:
    if not isinstance(value, str) or not CODE_RE.fullmatch(value):
        raise ValidationError(CODE_RULE, code="invalid_code")


def code_for_filename(code: str) -> str:
    """A stored code as a file name part: codes kept from before the rule may hold anything."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", code)[:20] or "participant"


class Participant(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="participants")
    code = models.CharField(max_length=20, help_text="Pseudonymous code, unique in the organisation.")
    specialist = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, related_name="caseload")
    enrolled_on = models.DateField(default=date.today)
    last_contact_on = models.DateField(null=True, blank=True)
    last_barc_on = models.DateField(null=True, blank=True, help_text="Kept with each BARC-10, for the dashboard.")
    identity = EncryptedJSONField(default=dict, payload=Identity)
    interests = EncryptedJSONField(default=dict, payload=Interests)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="participant_code_per_org")]
        indexes = [
            models.Index(fields=["organisation", "specialist", "last_contact_on"], name="participant_caseload"),
            models.Index(fields=["organisation", "last_contact_on"], name="participant_contact"),
            models.Index(fields=["organisation", "last_barc_on"], name="participant_barc"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        super().clean()
        try:
            validate_code(self.code)
        except ValidationError as exc:
            raise ValidationError({"code": exc.messages}) from None


class InformationKind(models.TextChoices):
    IDENTITY = "identity", _("Name and contact details")
    REFERRALS = "referrals", _("Referrals and whether I went")
    RECOVERY_CAPITAL = "barc", _("Recovery capital scores (BARC-10)")
    NOTES = "notes", _("Notes from my meetings with staff")


class Consent(models.Model):
    """42 CFR Part 2 §2.31: every element recorded, the form printable, revocation at once."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="consents")
    discloser = models.CharField(max_length=200, help_text="Who may disclose (the organisation).")
    recipients = models.CharField(max_length=500, help_text="To whom.")
    information = models.JSONField(default=list, help_text="Which kinds of information (InformationKind).")
    information_detail = models.CharField(max_length=500, blank=True)
    purpose = models.CharField(max_length=500)
    revocation = models.CharField(max_length=500, help_text="The right to revoke, and how.")
    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=200, blank=True)
    # Which disclosures it covers: a referral that carries the participant's identity, and
    # reports with identifiers. Checked before every such disclosure.
    covers_referrals = models.BooleanField(default=False)
    covers_identified_reports = models.BooleanField(default=False)
    signature = EncryptedJSONField(default=dict, payload=Signature)
    signed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)


class EncounterKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one")
    GROUP = "group", _("Group")
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    OUTREACH = "outreach", _("Outreach")


TOPICS = [
    ("meetings", _("Finding meetings")),
    ("housing", _("Housing")),
    ("work", _("Work or school")),
    ("family", _("Family")),
    ("health", _("Health")),
    ("medication", _("Medication treatment")),
    ("cravings", _("Cravings or a slip")),
    ("legal", _("Legal")),
    ("benefits", _("Benefits")),
    ("other", _("Something else")),
]


class Encounter(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="encounters")
    # The participant's organisation, kept on the row: reports count an organisation's year of
    # encounters through one index, without a join.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    staff = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, related_name="encounters")
    on = models.DateField(db_index=True)
    kind = models.CharField(max_length=16, choices=EncounterKind.choices)
    minutes = models.PositiveSmallIntegerField()
    details = EncryptedJSONField(default=dict, payload=EncounterDetails)

    class Meta:
        indexes = [models.Index(fields=["organisation", "on", "participant"], name="encounter_org_day")]

    def save(self, *args, **kwargs):
        self.organisation_id = self.organisation_id or self.participant.organisation_id
        super().save(*args, **kwargs)


class ReferralKind(models.TextChoices):
    MEETING = "meeting", _("A meeting")
    PROGRAM = "program", _("A program")
    SERVICE = "service", _("A service")


SERVICES = [
    ("moud", _("Medication treatment (FindTreatment.gov)")),
    ("housing", _("Housing")),
    ("employment", _("Employment")),
    ("mental_health", _("Mental health care")),
    ("legal", _("Legal help")),
    ("other", _("Other")),
]


class Outcome(models.TextChoices):
    ATTENDED = "attended", _("Went")
    FIT_WELL = "fit_well", _("Went, and it fit well")
    DIDNT_FIT = "didnt_fit", _("Went, and it did not fit")
    NOT_YET = "not_yet", _("Not yet")
    DECLINED = "declined", _("Declined")


# A referral waits for its follow-up while it has no outcome, or "not yet".
OPEN_OUTCOMES = ("", Outcome.NOT_YET)


class Referral(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    staff = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, related_name="referrals")
    made_on = models.DateField(db_index=True)
    kind = models.CharField(max_length=16, choices=ReferralKind.choices)
    program = models.CharField(max_length=40, blank=True, help_text="Program code (for a meeting, its program).")
    meeting = models.CharField(max_length=400, blank=True, help_text="<source>/<key>: the meeting's lasting address.")
    service = models.CharField(max_length=20, blank=True, choices=SERVICES)
    # A referral that passes on who the participant is needs a consent that covers it.
    shares_identity = models.BooleanField(default=False)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    follow_up_on = models.DateField(db_index=True)
    outcome = models.CharField(max_length=16, blank=True, choices=Outcome.choices)
    outcome_on = models.DateField(null=True, blank=True)
    details = EncryptedJSONField(default=dict, payload=ReferralDetails)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "outcome", "follow_up_on"], name="referral_due"),
            models.Index(fields=["organisation", "made_on"], name="referral_org_made"),
        ]

    def save(self, *args, **kwargs):
        self.organisation_id = self.organisation_id or self.participant.organisation_id
        super().save(*args, **kwargs)


class Assessment(models.Model):
    """A BARC-10: ten items, each 1 (strongly disagree) to 6 (strongly agree); total 10–60."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="assessments")
    staff = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, related_name="+")
    taken_on = models.DateField(db_index=True)
    total = models.PositiveSmallIntegerField()
    answers = EncryptedJSONField(default=list)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Participant.objects.filter(pk=self.participant_id).filter(
            models.Q(last_barc_on__isnull=True) | models.Q(last_barc_on__lt=self.taken_on)
        ).update(last_barc_on=self.taken_on)


class CompanionLink(models.Model):
    """A participant shares their companion's clocks and check-ins with the organisation, by a
    code made in their companion (``journal.ShareGrant``); they can stop at any time there."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="companion_links")
    grant = models.OneToOneField("journal.ShareGrant", on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)


class AuditRecord(models.Model):
    """Append-only and chained: each record's HMAC, under the audit key ``key_id``, covers the one
    before (``audit.py``)."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    user_id_at = models.CharField(
        max_length=40, blank=True, help_text="Who: an opaque id (an HMAC of the account's id), never a username."
    )
    organisation_id_at = models.PositiveBigIntegerField(null=True)
    action = models.CharField(max_length=20)
    view = models.CharField(max_length=80, help_text="Why: the view that acted.")
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    participant_id_at = models.PositiveBigIntegerField(null=True, db_index=True)
    address = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, blank=True, default="", help_text="The audit key that signed it.")

    class Meta:
        ordering = ["seq"]

    def save(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only: records are added by audit.record() alone.")

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only: records are never deleted.")


class AuditHead(models.Model):
    """The chain's last link, locked while a record is added (one row)."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
