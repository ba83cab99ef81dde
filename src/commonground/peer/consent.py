"""Which consent covers a disclosure today: the one owner of that rule (42 CFR Part 2 §2.31, §2.13).

A consent covers a disclosure when, on the day it is made or shown:

- it is in force: signed on or before that day, not revoked, and not past its end date;
- it names every kind of information the disclosure carries (``Consent.information``, the
  ``InformationKind`` values: "BARC-10 scores" alone never lets a name or phone go);
- it names the recipient: a referral that carries the participant's identity goes to the group,
  program or service referred to, which ``Consent.covers_referrals`` names.

``DISCLOSURES`` lists what each disclosure carries. Every place that passes information outside
the organisation asks ``covering`` (``referrals.py`` when a referral is made and whenever its sheet
is shown). What is not a disclosure, and needs no consent: staff of the program using the record
in its pages and JSON API (§2.12(c)(3): communications within the program), the participant's own
record given to them (the export: the right of access, §2.23), and what the participant's
companion sends in under their own sharing code (``companion.py``: they stop it there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from commonground.peer.models import Consent, InformationKind


@dataclass(frozen=True)
class Disclosure:
    kinds: frozenset[str]
    to_referral_recipient: bool = False


# A referral sheet that shows the participant's name and phone to the group or service.
REFERRAL_WITH_IDENTITY = Disclosure(frozenset({InformationKind.IDENTITY.value}), to_referral_recipient=True)
DISCLOSURES = {"referral_with_identity": REFERRAL_WITH_IDENTITY}


def in_force(consent: Consent, on: date | None = None) -> bool:
    on = on or timezone.localdate()
    if consent.revoked_at is not None:
        return False
    if timezone.localtime(consent.signed_at).date() > on:
        return False  # dated in the future: not yet given
    return consent.expires_on is None or on <= consent.expires_on


def covers(consent: Consent | None, disclosure: Disclosure, on: date | None = None) -> bool:
    if consent is None or not in_force(consent, on):
        return False
    named = {str(kind) for kind in (consent.information or [])}
    if not disclosure.kinds <= named:
        return False
    return consent.covers_referrals or not disclosure.to_referral_recipient


def covering(participant, disclosure: Disclosure, on: date | None = None) -> Consent | None:
    """The latest signed consent that covers this disclosure today, or None."""
    on = on or timezone.localdate()
    for consent in participant.consents.filter(revoked_at__isnull=True).order_by("-signed_at", "-id"):
        if covers(consent, disclosure, on):
            return consent
    return None


def in_force_now(participant, on: date | None = None) -> list[Consent]:
    on = on or timezone.localdate()
    return [
        c for c in participant.consents.filter(revoked_at__isnull=True).order_by("-signed_at", "-id") if in_force(c, on)
    ]


def scope(participant, on: date | None = None) -> dict:
    """What the consents in force allow today, for the participant's page and the API."""
    active = in_force_now(participant, on)
    kinds = sorted({str(k) for c in active for k in (c.information or [])})
    return {
        "in_force": bool(active),
        "kinds": kinds,
        "referrals_may_carry_identity": covering(participant, REFERRAL_WITH_IDENTITY, on) is not None,
        "latest": active[0] if active else None,
    }
