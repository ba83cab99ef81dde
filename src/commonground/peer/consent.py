"""Which consent covers a disclosure today: the one owner of that rule (42 CFR Part 2 §2.31, §2.13).

A consent covers a disclosure when, on the day it is made or shown:

- it is in force: signed on or before that day, not revoked, and not past its end date;
- it names every kind of information the disclosure carries (``Consent.information``, the
  ``InformationKind`` values: "BARC-10 scores" alone never lets a name or phone go);
- it names the recipient: a referral that carries the participant's identity goes to the group,
  program or service referred to, which ``Consent.covers_referrals`` names;
- for a treatment provider (a HIPAA covered entity receiving the record for treatment), it carries
  the redisclosure statement of §2.31(a)(4)(iii) (``REDISCLOSURE``, written here once).

Which signatures a consent needs is decided here too (``missing_signatures``): the participant's;
for a minor, the minor's alone or the minor's and a parent's or guardian's, as state law has it
(§2.14); for a person adjudicated as lacking capacity, a guardian's or another person's authorised
by state law (§2.15).

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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.i18n import language
from commonground.peer.models import Consent, InformationKind
from commonground.peer.records import Representative


@dataclass(frozen=True)
class Disclosure:
    kinds: frozenset[str]
    to_referral_recipient: bool = False
    to_treatment_provider: bool = False  # the consent must carry the redisclosure statement


# A referral sheet that shows the participant's name and phone to the group or service.
REFERRAL_WITH_IDENTITY = Disclosure(frozenset({InformationKind.IDENTITY.value}), to_referral_recipient=True)
# The same, to a treatment provider chosen with the treatment search.
REFERRAL_TO_TREATMENT = Disclosure(
    frozenset({InformationKind.IDENTITY.value}), to_referral_recipient=True, to_treatment_provider=True
)
DISCLOSURES = {"referral_with_identity": REFERRAL_WITH_IDENTITY, "referral_to_treatment": REFERRAL_TO_TREATMENT}


def referral_disclosure(to_treatment_provider: bool) -> Disclosure:
    """What a referral that carries the participant's identity discloses, and so what covers it."""
    return REFERRAL_TO_TREATMENT if to_treatment_provider else REFERRAL_WITH_IDENTITY


# 42 CFR §2.31(a)(4)(iii) (2024 rule): when the recipient is a HIPAA covered entity or business
# associate receiving the record for treatment, payment or health care operations, the consent must
# state that the record may be redisclosed as the HIPAA regulations permit, except for uses and
# disclosures for civil, criminal, administrative and legislative proceedings against the patient.
# Our plain words for it, in the participant's voice like the rest of the form; not the rule's
# text, which is not shown. The one copy: every page and print asks ``redisclosure_statements``.
REDISCLOSURE_VERSION = "2.31(a)(4)(iii)/2024"
REDISCLOSURE_SOURCE = (
    "42 CFR 2.31(a)(4)(iii), as amended by the final rule of 16 February 2024 "
    "(89 FR 12472; in force 16 April 2024, compliance by 16 February 2026)"
)
REDISCLOSURE = {
    "en": (
        "When a treatment provider covered by HIPAA (the federal health privacy law), or a business "
        "associate of one, receives my records for my treatment, for payment or for health care "
        "operations, it may share them again in the ways HIPAA allows, except that they may not be used "
        "or shared in civil, criminal, administrative or legislative proceedings against me."
    ),
    "es": (
        "Cuando un proveedor de tratamiento sujeto a HIPAA (la ley federal de privacidad de la salud), "
        "o un socio comercial suyo, recibe mis registros para mi tratamiento, para el pago o para "
        "operaciones de atención médica, puede volver a compartirlos como HIPAA lo permite, salvo que no "
        "se pueden usar ni compartir en procedimientos civiles, penales, administrativos o legislativos "
        "en mi contra."
    ),
}


def redisclosure_statements(lang: str | None = None) -> list[dict[str, str]]:
    """The statement for a page: in the page's language, then in English (the recipient's) when the
    page is in another language we have it in. Each ``{"lang", "text"}``."""
    lang = lang or language()
    first = lang if lang in REDISCLOSURE else "en"
    return [{"lang": code, "text": REDISCLOSURE[code]} for code in dict.fromkeys((first, "en"))]


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
    if disclosure.to_treatment_provider and not consent.signature.redisclosure:
        return False  # §2.31(a)(4)(iii): without the statement it cannot go to a covered entity
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


# Who signs (42 CFR §2.31(a), §2.14, §2.15): the case the consent form asks, and its words.
SIGNERS = [
    ("self", gettext_lazy("The participant, an adult who decides for themselves: they sign")),
    (
        "minor_alone",
        gettext_lazy(
            "A minor whose state lets them consent to this treatment on their own: only the minor signs (§2.14)"
        ),
    ),
    (
        "minor_with_guardian",
        gettext_lazy(
            "A minor whose state needs a parent's or guardian's consent to treatment: "
            "the minor and the parent or guardian both sign (§2.14)"
        ),
    ),
    (
        "incapacity",
        gettext_lazy(
            "A person a court has found unable to manage their own affairs: their guardian, or another "
            "person state law authorises, signs, with or without the participant (§2.15)"
        ),
    ),
]
REPRESENTED = ("minor_with_guardian", "incapacity")  # a representative must sign
ALONE = ("", "self", "minor_alone")  # nobody may sign for them


def missing_signatures(signer: str, participant_signed: bool, representative: Representative | None) -> list:
    """What the signatures lack for this case, as ``(form field, words)``: empty when they fit.

    ``signer`` empty is a consent from before the question: the participant signed it.
    """
    problems: list[tuple[str, str]] = []
    if signer in ALONE or signer == "minor_with_guardian":
        if not participant_signed:
            whose = _("the participant's signature") if signer in ("", "self") else _("the minor's signature")
            problems.append(("typed_signature", _missing(_("%(whose)s (their full name, typed)") % {"whose": whose})))
    if signer in ALONE:
        if representative:
            problems.append(
                (
                    "representative_name",
                    _(
                        "where state law lets the minor consent to treatment on their own, only the minor signs: "
                        "leave the parent's or guardian's part empty"
                    )
                    if signer == "minor_alone"
                    else _(
                        "an adult who decides for themselves signs alone: a representative signs only for a minor "
                        "or for a person a court has found to lack capacity"
                    ),
                )
            )
        return problems
    rep = representative or Representative()
    if signer == "minor_with_guardian":
        name = _("the parent's or guardian's name, typed as their signature")
        authority = _("their relationship or authority (mother, father, legal guardian ...)")
    else:
        name = _("the guardian's name (or that of another person state law authorises), typed as their signature")
        authority = _("their relationship or authority (such as the court order that appointed them)")
    if not rep.name.strip():
        problems.append(("representative_name", _missing(name)))
    if not rep.authority.strip():
        problems.append(("representative_authority", _missing(authority)))
    if not rep.signed_on:
        problems.append(("representative_signed_on", _missing(_("the date they signed"))))
    return problems


def _missing(part: str) -> str:
    return _("%(part)s is missing") % {"part": part}
