"""Properties of ``peer/consent.py``, the one owner of "which consent covers a disclosure".

The oracle below is written from docs/peer.md's words, not from the code: "a consent covers a
disclosure when, that day, it is in force (signed on or before it, not revoked, not past its end
date) and it names every kind of information the disclosure carries and the disclosure's
recipients" (a referral's recipients are named by ``covers_referrals``). The purpose and the
free-text recipients are recorded for the printed form only: nothing in the rule reads them, so
the answer must not change with them. Days are the local day of the zone in force, so signatures
near midnight are drawn in zones from UTC-11 to UTC+14.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.peer import consent as consents
from commonground.peer.models import Consent, InformationKind

KINDS = [k.value for k in InformationKind]
ZONES = [
    "UTC",
    "Pacific/Pago_Pago",
    "Pacific/Kiritimati",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
]
BASE = datetime(2026, 3, 28, 12, tzinfo=UTC)  # near the spring clock changes of both hemispheres


def oracle(consent: dict, kinds: frozenset, to_recipient: bool, on: date, zone: str) -> bool:
    """docs/peer.md, "42 CFR Part 2 §2.31", in plain Python."""
    signed_day = consent["signed_at"].astimezone(ZoneInfo(zone)).date()
    in_force = (
        consent["revoked_at"] is None
        and signed_day <= on
        and (consent["expires_on"] is None or on <= consent["expires_on"])
    )
    names_everything = kinds <= set(consent["information"])
    names_recipient = consent["covers_referrals"] or not to_recipient
    return in_force and names_everything and names_recipient


# Times within a few days of BASE, to the minute, so midnight in some zone is often near.
moments = st.integers(-4 * 24 * 60, 4 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))
days = st.integers(-5, 5).map(lambda d: BASE.date() + timedelta(days=d))


@st.composite
def consent_values(draw):
    signed_at = draw(moments)
    return {
        "signed_at": signed_at,
        "expires_on": draw(st.none() | days),
        "revoked_at": draw(st.none() | moments),
        "information": draw(st.lists(st.sampled_from(KINDS), unique=True, max_size=len(KINDS))),
        "covers_referrals": draw(st.booleans()),
        "purpose": draw(st.sampled_from(["to connect me with support", "any purpose at all", ""])),
        "recipients": draw(st.sampled_from(["groups I am referred to", "nobody", "my employer"])),
    }


disclosures = st.tuples(st.frozensets(st.sampled_from(KINDS)), st.booleans())


def unsaved(values: dict) -> Consent:
    return Consent(discloser="Harbor", revocation="tell us", signature={"typed_name": "J R"}, **values)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(consent_values(), disclosures, days, st.sampled_from(ZONES))
def test_covers_is_exactly_the_documented_rule(values, disclosure, on, zone):
    kinds, to_recipient = disclosure
    with timezone.override(zone):
        got = consents.covers(unsaved(values), consents.Disclosure(kinds, to_referral_recipient=to_recipient), on)
    assert got is oracle(values, kinds, to_recipient, on, zone), (values, disclosure, on, zone)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(consent_values(), days, st.sampled_from(ZONES))
def test_never_before_grant_never_after_expiry_never_once_revoked(values, on, zone):
    everything = consents.Disclosure(frozenset(), to_referral_recipient=False)  # the least a disclosure asks
    with timezone.override(zone):
        signed_day = timezone.localtime(values["signed_at"]).date()
        allowed = consents.covers(unsaved(values), everything, on)
    if on < signed_day:
        assert not allowed, "covered before it was signed"
    if values["expires_on"] is not None and on > values["expires_on"]:
        assert not allowed, "covered after its end date"
    if values["revoked_at"] is not None:
        assert not allowed, "covered after revocation"
    if (
        values["revoked_at"] is None
        and signed_day <= on
        and (values["expires_on"] is None or on <= values["expires_on"])
    ):
        assert allowed, "in force, asking for nothing, and still refused"


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    consent_values(),
    disclosures,
    days,
    st.sampled_from(["to connect me with support", "research", ""]),
    st.sampled_from(["groups I am referred to", "my employer"]),
)
def test_purpose_and_recipient_wording_do_not_change_the_answer(values, disclosure, on, purpose, recipients):
    kinds, to_recipient = disclosure
    wanted = consents.Disclosure(kinds, to_referral_recipient=to_recipient)
    reworded = {**values, "purpose": purpose, "recipients": recipients}
    assert consents.covers(unsaved(values), wanted, on) is consents.covers(unsaved(reworded), wanted, on)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(consent_values(), st.frozensets(st.sampled_from(KINDS)), st.frozensets(st.sampled_from(KINDS)), days)
def test_naming_more_never_covers_less(values, extra, kinds, on):
    """Monotone in what the consent names: adding kinds, or covering referrals, only widens it."""
    wider = {**values, "information": sorted(set(values["information"]) | extra), "covers_referrals": True}
    for to_recipient in (False, True):
        wanted = consents.Disclosure(kinds, to_referral_recipient=to_recipient)
        if consents.covers(unsaved(values), wanted, on):
            assert consents.covers(unsaved(wider), wanted, on)


def test_no_consent_covers_nothing():
    assert consents.covers(None, consents.REFERRAL_WITH_IDENTITY) is False
    assert consents.covers(None, consents.Disclosure(frozenset())) is False


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(consent_values(), max_size=5), days, st.sampled_from(ZONES))
def test_covering_is_the_latest_signed_consent_that_covers(world, many, on, zone):
    """``covering`` (what referrals ask): among a participant's consents, the latest signed one for
    which the documented rule holds, or None; and ``scope`` agrees with it."""
    p = world["people"]["p2"]
    with transaction.atomic(), timezone.override(zone):
        made = [_create(p, v) for v in many]
        identity = frozenset({InformationKind.IDENTITY.value})
        good = [c for c, v in zip(made, many, strict=True) if oracle(v, identity, True, on, zone)]
        expected = max(good, key=lambda c: (c.signed_at, c.pk), default=None)
        assert consents.covering(p, consents.REFERRAL_WITH_IDENTITY, on) == expected
        scope = consents.scope(p, on)
        assert scope["referrals_may_carry_identity"] is (expected is not None)
        in_force = [c for c, v in zip(made, many, strict=True) if oracle(v, frozenset(), False, on, zone)]
        assert scope["in_force"] is bool(in_force)
        assert scope["kinds"] == sorted({k for c in in_force for k in c.information})
        transaction.set_rollback(True)


def _create(participant, values: dict) -> Consent:
    return Consent.objects.create(
        participant=participant, discloser="Harbor", revocation="tell us", signature={"typed_name": "J R"}, **values
    )
