"""The referral flow (``peer/referrals.py``) step by step: each step's audit record, what the sheet
(the receiving side's copy) shows, and a property over any sequence of consents, revocations,
days passing and referrals: a sheet shows the participant's name and phone exactly when the
consent the referral was made under covers that disclosure on the day it is shown.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.peer import audit, referrals
from commonground.peer import consent as consents
from commonground.peer.models import AuditRecord, Consent, InformationKind, Referral
from commonground.private.ids import encode as oid

NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
KINDS = [k.value for k in InformationKind]


def sign(p, *, kinds=("identity", "referrals"), covers=True, expires_in=None, days_ago=1) -> Consent:
    today, now = timezone.localdate(), timezone.now()
    return Consent.objects.create(
        participant=p,
        discloser="Harbor",
        recipients="groups",
        information=list(kinds),
        purpose="connect",
        revocation="tell us",
        covers_referrals=covers,
        signature={"typed_name": "J R"},
        signed_at=now - timedelta(days=days_ago),
        expires_on=None if expires_in is None else today + timedelta(days=expires_in),
    )


def refer(client, p, *, share=True, **fields):
    data = {
        "kind": "program",
        "program": "aa",
        "follow_up_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    } | fields
    if share:
        data["shares_identity"] = "on"
    return client.post(f"/peer/participants/{oid('participant', p.pk)}/refer", data)


def records_since(seq: int) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(seq__gt=seq))


def head() -> int:
    return AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.slow
@pytest.mark.django_db
def test_each_step_of_a_referral_is_audited_naming_it(world):
    client, p, staff = world["clients"]["a_one"], world["people"]["p1"], world["staff"]["a_one"]
    me = audit.pseudonym(staff.user.pk)

    start = head()  # 1. refused: no consent; the attempt is still recorded, and nothing was made
    assert refer(client, p).status_code == 400 and not Referral.objects.exists()
    [attempt] = [r for r in records_since(start) if r.view == "peer.referral_new"]
    assert attempt.action == "change" and attempt.participant_id_at == p.pk and attempt.user_id_at == me

    consent = sign(p)
    start = head()  # 2. made with identity: a disclosure, naming the referral
    made = refer(client, p)
    assert made.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent == consent and referral.shares_identity
    [step] = [r for r in records_since(start) if r.view == "peer.referral_new"]
    assert (step.action, step.object_type, step.object_id, step.participant_id_at) == (
        "disclose",
        "Referral",
        str(referral.pk),
        p.pk,
    )

    start = head()  # 3. the sheet, shown with identity: a disclosure each time
    sheet = client.get(made["Location"]).content.decode()
    assert "Jordan Reyes" in sheet and "555 010 1111" in sheet and NOTICE in sheet
    [shown] = [r for r in records_since(start) if r.view == "peer.referral_sheet"]
    assert (shown.action, shown.object_id) == ("disclose", str(referral.pk))

    start = head()  # 4. the participant revokes: recorded as a revocation of that consent
    client.post(f"/peer/participants/{oid('participant', p.pk)}/consents/{oid('consent', consent.pk)}/revoke")
    [revoked] = [r for r in records_since(start) if r.view == "peer.consent_revoke"]
    assert (revoked.action, revoked.object_type, revoked.object_id) == ("revoke", "Consent", str(consent.pk))

    start = head()  # 5. the sheet again: no identity, so a plain view, not a disclosure
    sheet = client.get(made["Location"]).content.decode()
    assert "Jordan Reyes" not in sheet and "555 010 1111" not in sheet and 'id="consent-ended"' in sheet
    [again] = [r for r in records_since(start) if r.view == "peer.referral_sheet"]
    assert again.action == "view"

    start = head()  # 6. the follow-up: a change to that referral
    url = f"/peer/participants/{oid('participant', p.pk)}/referrals/{oid('referral', referral.pk)}/follow-up"
    assert client.post(url, {"outcome": "fit_well"}).status_code == 302
    [follow] = [r for r in records_since(start) if r.view == "peer.follow_up"]
    assert (follow.action, follow.object_type, follow.object_id) == ("change", "Referral", str(referral.pk))
    referral.refresh_from_db()
    assert referral.outcome == "fit_well" and referral.outcome_on == timezone.localdate()

    start = head()  # 7. a referral without identity: a change, not a disclosure; its sheet never names them
    plain = refer(client, p, share=False)
    [step] = [r for r in records_since(start) if r.view == "peer.referral_new"]
    assert step.action == "change"
    sheet = client.get(plain["Location"]).content.decode()
    assert "Jordan Reyes" not in sheet and 'id="consent-ended"' not in sheet and NOTICE not in sheet
    assert "P-ONE111" in sheet  # the participant's code, for the participant's own copy
    assert audit.verify().ok


@pytest.mark.slow
@pytest.mark.django_db
def test_the_referral_keeps_the_latest_covering_consent(world):
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    older = sign(p, days_ago=30)
    sign(p, kinds=("barc",), days_ago=2)  # later, but does not name identity
    assert refer(client, p).status_code == 302
    assert Referral.objects.get().consent == older
    newer = sign(p, days_ago=1)
    assert refer(client, p).status_code == 302
    assert Referral.objects.order_by("-pk").first().consent == newer


@pytest.mark.django_db
def test_what_a_service_referral_sheet_shows(world):
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    made = refer(client, p, share=False, kind="service", service="moud", program="")
    assert made.status_code == 302, made.content.decode()[-2000:]
    sheet = client.get(made["Location"]).content.decode()
    assert referrals.FIND_TREATMENT in sheet and "Jordan Reyes" not in sheet
    referral = Referral.objects.get()
    assert (referral.kind, referral.service, referral.program, referral.consent) == ("service", "moud", "", None)


@pytest.mark.slow
@pytest.mark.django_db
def test_a_meeting_referral_keeps_the_meeting_s_address_and_refuses_one_no_longer_listed(world, make_meeting):
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    meeting = make_meeting(name="Harbor Lights Group")
    ref = f"{meeting.source.slug}/{meeting.key}"
    made = refer(client, p, share=False, kind="meeting", meeting=ref, program="")
    assert made.status_code == 302
    referral = Referral.objects.get()
    assert referral.meeting == ref and referral.program == meeting.program_id
    assert "Harbor Lights Group" in client.get(made["Location"]).content.decode()
    gone = refer(client, p, share=False, kind="meeting", meeting=f"{meeting.source.slug}/no-such-key", program="")
    assert gone.status_code == 400 and Referral.objects.count() == 1


# --- a property over any sequence of events ----------------------------------------------------------

event = st.one_of(
    st.tuples(st.just("sign"), st.frozensets(st.sampled_from(KINDS)), st.booleans(), st.none() | st.integers(0, 5)),
    st.tuples(st.just("revoke_latest")),
    st.tuples(st.just("days"), st.integers(1, 4)),
    st.tuples(st.just("refer"), st.booleans()),
    st.tuples(st.just("narrow_latest")),
)


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(event, min_size=1, max_size=10))
def test_a_sheet_shows_identity_exactly_while_its_consent_covers_it(world, events):
    p, staff = world["people"]["p2"], world["staff"]["a_two"]
    p.identity = {"name": "Sam Quill", "phone": "555 010 2222"}
    p.save()
    identity = frozenset({"identity"})
    with transaction.atomic(), time_machine.travel(timezone.now(), tick=False) as clock:
        made: list[Consent] = []
        for step in events:
            today = timezone.localdate()
            if step[0] == "sign":
                _, kinds, covers, expires_in = step
                made.append(
                    Consent.objects.create(
                        participant=p,
                        discloser="Harbor",
                        recipients="groups",
                        information=sorted(kinds),
                        purpose="x",
                        revocation="tell us",
                        covers_referrals=covers,
                        signature={"typed_name": "S Q"},
                        expires_on=None if expires_in is None else today + timedelta(days=expires_in),
                    )
                )
            elif step[0] == "revoke_latest" and made:
                Consent.objects.filter(pk=made[-1].pk).update(revoked_at=timezone.now())
            elif step[0] == "narrow_latest" and made:
                Consent.objects.filter(pk=made[-1].pk).update(information=["barc"])
            elif step[0] == "days":
                clock.shift(timedelta(days=step[1]))
            elif step[0] == "refer":
                live = [
                    c
                    for c in Consent.objects.filter(participant=p).order_by("-signed_at", "-id")
                    if c.revoked_at is None
                    and (c.expires_on is None or today <= c.expires_on)
                    and identity <= set(c.information)
                    and c.covers_referrals
                ]
                referral, error = referrals.create_referral(
                    p,
                    staff,
                    {
                        "kind": "program",
                        "program": "aa",
                        "shares_identity": step[1],
                        "follow_up_on": today + timedelta(days=7),
                    },
                )
                if step[1] and not live:
                    assert referral is None and error
                else:
                    assert error is None and referral.consent == (live[0] if step[1] else None)
            for referral in Referral.objects.filter(participant=p):
                consent = Consent.objects.filter(pk=referral.consent_id).first()
                covered = bool(
                    consent
                    and referral.shares_identity
                    and consent.revoked_at is None
                    and (consent.expires_on is None or timezone.localdate() <= consent.expires_on)
                    and "identity" in consent.information
                    and consent.covers_referrals
                )
                shown = referrals.sheet(p, referral)
                assert (shown["identity"] is not None) is covered, (step, referral.pk)
                assert shown["consent_ended"] is (referral.shares_identity and not covered)
                assert consents.covers(consent, consents.REFERRAL_WITH_IDENTITY) is bool(consent and covered)
        transaction.set_rollback(True)
