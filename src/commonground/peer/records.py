"""What each of the workspace's encrypted fields holds: one dataclass per kind (``private/payloads.py``).

Every part is optional: a participant may give no name at all (the code stands for them), and the
workspace never needs more than it was told. Dates are ISO text, meetings their lasting reference
(``<source>/<key>``, ``meetings/refs.py``), a treatment provider what its listing said when it was
chosen. A BARC-10's answers stay a list of ten numbers (1-6), checked by the form that takes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.private.payloads import Payload


@dataclass(kw_only=True)
class Identity(Payload):
    """Who the participant is, where they chose to say: shown to their organisation only, and passed
    on in a referral only under a consent that covers it (``consent.py``)."""

    name: str = ""
    phone: str = ""
    date_of_birth: str = ""


@dataclass(kw_only=True)
class Interests(Payload):
    programs: list[str] = field(default_factory=list)  # program codes
    meetings: list[str] = field(default_factory=list)  # meeting references


@dataclass(kw_only=True)
class Representative(Payload):
    """Who signs for the participant (42 CFR §2.14 for a minor, §2.15 for a person adjudicated as
    lacking capacity): their name typed as their signature, their relationship or authority (a
    parent, a guardian appointed by a court ...), and the date they signed (ISO)."""

    name: str = ""
    authority: str = ""
    signed_on: str = ""


@dataclass(kw_only=True)
class Signature(Payload):
    """What a consent keeps encrypted: who signed and what they were shown.

    ``typed_name`` is the participant's signature (their name typed), ``patient_name`` their name as
    written. ``signer`` is the case the form asked (``consent.SIGNERS``; empty in consents from
    before it: the participant signed), ``representative`` who signed for or beside them, and
    ``redisclosure`` the version of the HIPAA redisclosure statement the consent carries
    (``consent.REDISCLOSURE_VERSION``; empty: none).
    """

    typed_name: str = ""
    patient_name: str = ""
    signer: str = ""
    representative: Representative | None = None
    redisclosure: str = ""


@dataclass(kw_only=True)
class EncounterDetails(Payload):
    topics: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(kw_only=True)
class TreatmentProvider(Payload):
    """A treatment provider chosen with the treatment search, as its listing read that day: the
    facility's id, its source's slug and its key in that source (to find it again), and its name,
    address, phone and website (to show it when the listing has changed or gone)."""

    facility_id: int | None = None
    source: str = ""
    key: str = ""
    name: str = ""
    address: str = ""
    phone: str = ""
    website: str = ""
    chosen_on: str = ""


@dataclass(kw_only=True)
class ReferralDetails(Payload):
    note: str = ""
    meeting_name: str = ""
    provider: TreatmentProvider | None = None
