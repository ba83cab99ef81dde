"""Referrals: a meeting found with the finder's own search, a program, a service, or a treatment
provider found with the treatment search (``providers.py``); and the sheet.

A referral that passes on who the participant is (name, contact) is a disclosure: it needs a
consent in force that names that information and the referral's recipients (``consent.py``, the
one owner of that rule), checked here at the moment it is made and again whenever the sheet is
shown. The sheet then carries the 42 CFR §2.32 notice, and for a treatment provider the consent's
HIPAA redisclosure statement (§2.31(a)(4)(iii), written once in ``consent.py``).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.meetings import refs
from commonground.meetings.models import meeting_at
from commonground.peer import consent as consents
from commonground.peer import providers
from commonground.peer.models import SERVICES, Referral, ReferralKind
from commonground.peer.records import ReferralDetails
from commonground.search import engine
from commonground.search.query import QueryError, parse_query
from commonground.web.presenters import decorate

SEARCH_FIELDS = ("near", "day", "time_from", "time_to", "mode", "type", "program", "q", "tz")
FIND_TREATMENT = "https://findtreatment.gov/"
# 42 CFR §2.32(a)(2): the short statement the rule allows on every disclosure (2024 rule). It is
# legal text, shown as written, in English, whatever the page's language.
NOTICE_2_32 = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


def meeting_search(params) -> dict:
    """The finder's search, as the participant would run it (the same engine, the same rules)."""
    wanted = {k: params.getlist(k) if k in ("type", "program") else params.get(k, "") for k in SEARCH_FIELDS}
    wanted = {k: v for k, v in wanted.items() if v}
    wanted.setdefault("limit", "20")
    try:
        page = engine.search(parse_query(wanted))
    except QueryError as exc:
        return {"error": exc.message, "field": exc.field, "results": [], "params": wanted}
    zone = wanted.get("tz") or (page.results[0]["timezone"] if page.results else "UTC")
    results = []
    for r in page.results:
        view = decorate(r, zone)
        view["ref"] = refs.from_path(r["url"])  # the lasting reference, as the referral keeps it
        results.append(view)
    return {"error": None, "results": results, "count": page.count, "params": wanted}


def create_referral(participant, staff, data: dict) -> tuple[Referral | None, str | None]:
    provider = None
    if data.get("facility"):
        provider = providers.chosen(data["facility"])
        if provider is None:
            return None, _("That provider is no longer listed. Search again.")
    consent = None
    if data["shares_identity"]:
        consent = consents.covering(participant, consents.referral_disclosure(provider is not None))
        if consent is None and provider is not None:
            return None, _(
                "No active consent lets this referral carry the participant's name and contact details to a "
                "treatment provider: it must name them, cover referrals, and be for treatment providers, with "
                "the HIPAA redisclosure statement. Record one, or refer without them."
            )
        if consent is None:
            return None, _(
                "No active consent lets this referral carry the participant's name and contact "
                "details: it must name them and cover referrals. Record one, or refer without them."
            )
    kind, meeting, program = data["kind"], None, data.get("program", "")
    if kind == ReferralKind.MEETING:
        meeting = meeting_at(data["meeting"])
        if meeting is None:
            return None, _("That meeting is no longer listed. Search again.")
        program = meeting.program_id
    referral = Referral.objects.create(
        participant=participant,
        organisation_id=participant.organisation_id,
        staff=staff,
        made_on=timezone.localdate(),
        kind=kind,
        program=program,
        meeting=meeting.ref if meeting else "",
        service=data.get("service", "") if kind == ReferralKind.SERVICE else "",
        shares_identity=data["shares_identity"],
        consent=consent,
        follow_up_on=data["follow_up_on"],
        details=ReferralDetails(
            note=data.get("note", "").strip(), meeting_name=meeting.name if meeting else "", provider=provider
        ),
    )
    return referral, None


def sheet(participant, referral) -> dict:
    meeting = meeting_at(referral.meeting)
    provider = referral.details.provider
    # The consent the referral was made under must still cover it today (not revoked, not expired).
    disclosure = consents.referral_disclosure(provider is not None)
    still = referral.shares_identity and consents.covers(referral.consent, disclosure)
    return {
        "provider": provider,
        "provider_listed": provider is not None and providers.listed(provider),
        "redisclosure": consents.redisclosure_statements() if still and provider is not None else [],
        "p": participant,
        "r": referral,
        "meeting": meeting,
        "service": dict(SERVICES).get(referral.service, ""),
        "find_treatment": FIND_TREATMENT if referral.service == "moud" and provider is None else None,
        "identity": participant.identity if still else None,
        "consent_ended": referral.shares_identity and not still,
        "notice": NOTICE_2_32,
    }
