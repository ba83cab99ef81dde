"""What each of the workspace's encrypted fields holds: one dataclass per kind (``private/payloads.py``).

Every part is optional: a participant may give no name at all (the code stands for them), and the
workspace never needs more than it was told. Dates are ISO text, meetings their lasting reference
(``<source>/<key>``, ``meetings/refs.py``). A BARC-10's answers stay a list of ten numbers (1-6),
checked by the form that takes them.
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
class Signature(Payload):
    """A consent's signature: the name typed as a signature, and the participant's name as written."""

    typed_name: str = ""
    patient_name: str = ""


@dataclass(kw_only=True)
class EncounterDetails(Payload):
    topics: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(kw_only=True)
class ReferralDetails(Payload):
    note: str = ""
    meeting_name: str = ""
