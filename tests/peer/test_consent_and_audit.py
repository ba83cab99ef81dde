"""Consent gates every disclosure; the audit trail records every view and catches tampering."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import URLPattern, reverse
from django.utils import timezone

from commonground.peer import audit
from commonground.peer import urls as peer_urls
from commonground.peer.models import AuditRecord, Consent, Referral
from commonground.private.ids import encode as oid


def consent_form(**changes):
    data = {
        "patient_name": "Jordan Reyes",
        "discloser": "Harbor Recovery",
        "recipients": "groups I am referred to",
        "information": ["identity", "referrals"],
        "purpose": "to connect me with support",
        "revocation": "tell my peer specialist",
        "covers_referrals": "on",
        "typed_signature": "Jordan Reyes",
    }
    data.update(changes)
    return data


def refer(client, p, *, share=True):
    data = {"kind": "program", "program": "aa", "follow_up_on": (timezone.localdate() + timedelta(days=7)).isoformat()}
    if share:
        data["shares_identity"] = "on"
    return client.post(f"/peer/participants/{oid('participant', p.pk)}/refer", data)


@pytest.mark.slow
@pytest.mark.django_db
def test_a_referral_with_identity_needs_a_consent_that_covers_it(world):
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    refused = refer(client, p)
    assert refused.status_code == 400 and "No active consent" in refused.content.decode()
    assert not Referral.objects.exists()
    assert refer(client, p, share=False).status_code == 302  # the code alone may go

    client.post(f"/peer/participants/{oid('participant', p.pk)}/consents/new", consent_form(covers_referrals=""))
    assert refer(client, p).status_code == 400, "a consent that does not cover referrals is not enough"

    client.post(f"/peer/participants/{oid('participant', p.pk)}/consents/new", consent_form())
    allowed = refer(client, p)
    assert allowed.status_code == 302
    sheet = client.get(allowed["Location"]).content.decode()
    assert "Jordan Reyes" in sheet and "42 CFR part 2 prohibits unauthorized use or disclosure" in sheet
    referral = Referral.objects.get(shares_identity=True)
    assert referral.consent.covers_referrals

    consent = Consent.objects.get(covers_referrals=True)
    client.post(f"/peer/participants/{oid('participant', p.pk)}/consents/{oid('consent', consent.pk)}/revoke")
    assert refer(client, p).status_code == 400, "revoked: refused again, at once"
    after = client.get(allowed["Location"]).content.decode()
    assert "Jordan Reyes" not in after and 'id="consent-ended"' in after


@pytest.mark.slow
@pytest.mark.django_db
def test_an_expired_consent_no_longer_covers_anything(world):
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    today = timezone.localdate()
    client.post(
        f"/peer/participants/{oid('participant', p.pk)}/consents/new",
        consent_form(expires_on=(today + timedelta(days=10)).isoformat()),
    )
    assert refer(client, p).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(days=11), tick=False):
        client.force_login(world["staff"]["a_one"].user, backend="django.contrib.auth.backends.ModelBackend")
        from tests.peer.conftest import signed_in

        later = signed_in(world["staff"]["a_one"])
        refused = refer(later, p)
        assert refused.status_code == 400 and "No active consent" in refused.content.decode()


@pytest.mark.django_db
def test_the_consent_form_records_every_element_and_prints(world):
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    made = client.post(
        f"/peer/participants/{oid('participant', p.pk)}/consents/new",
        consent_form(expiry_event="the end of my program"),
    )
    page = client.get(made["Location"]).content.decode()
    for element in (
        "Jordan Reyes",
        "Harbor Recovery",
        "groups I am referred to",
        "Name and contact details",
        "to connect me with support",
        "tell my peer specialist",
        "the end of my program",
    ):
        assert element in page, element
    consent = Consent.objects.get()
    signed = consent.signature.dump()
    assert (signed["typed_name"], signed["patient_name"]) == ("Jordan Reyes", "Jordan Reyes")
    assert signed["signer"] == "self" and signed["representative"] is None and signed["redisclosure"] == ""


def _workspace_views():
    for pattern in peer_urls.urlpatterns + peer_urls.api_urlpatterns:
        assert isinstance(pattern, URLPattern)
        yield pattern


def test_every_workspace_view_is_audited():
    missing = [p.name for p in _workspace_views() if not getattr(p.callback, "audited", False)]
    assert missing == []


@pytest.mark.slow
@pytest.mark.django_db
def test_every_view_writes_an_audit_record_naming_it(world):
    from tests.peer.conftest import helpline_with_a_shift
    from tests.peer.test_permissions import API, MATRIX

    p = world["people"]["p1"]
    world["consent"] = Consent.objects.create(
        participant=p,
        discloser="Harbor",
        recipients="groups",
        information=["identity"],
        purpose="connect",
        revocation="tell us",
        covers_referrals=True,
        signature={"typed_name": "J R"},
    )
    world["referral"] = Referral.objects.create(
        participant=p,
        staff=world["staff"]["a_one"],
        made_on="2026-11-01",
        kind="program",
        program="aa",
        follow_up_on="2026-11-08",
    )
    world["shift"] = helpline_with_a_shift(world["orgs"]["a"])
    client = world["clients"]["a_supervisor"]
    for name, (method, kwargs, _allowed) in MATRIX.items():
        before = AuditRecord.objects.count()
        getattr(client, method)(reverse(f"peer:{name}", kwargs=kwargs(world)))
        added = AuditRecord.objects.filter(seq__gt=before).values_list("view", flat=True)
        assert any(v.endswith(name) or v.endswith(_function(name)) for v in added), (name, list(added))
    for name, (kwargs, _allowed) in API.items():
        before = AuditRecord.objects.count()
        client.get(reverse(f"peer_api:{name}", kwargs=kwargs(world)))
        assert AuditRecord.objects.filter(seq__gt=before).exists(), name
    for name in ("signin", "setup", "enrol", "verify"):
        before = AuditRecord.objects.count()
        client.get(reverse(f"peer:{name}"))
        assert AuditRecord.objects.filter(seq__gt=before).exists(), name
    viewed = AuditRecord.objects.filter(participant_id_at=p.pk, action="view").first()
    # who, by an opaque id: never the username (issue 25, item 11)
    assert (
        viewed.user_id_at == audit.pseudonym(world["staff"]["a_supervisor"].user.pk) and "ana" not in viewed.user_id_at
    )
    assert viewed.address == "127.0.0.1"
    assert audit.verify().ok


def _function(url_name: str) -> str:
    return next(p.callback.__name__ for p in _workspace_views() if p.name == url_name)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_audit_verify_catches_an_edited_or_removed_record(world, audit_cleanup):
    from importlib import import_module

    triggers = import_module("commonground.peer.migrations.0002_audit_append_only")
    client, p = world["clients"]["a_supervisor"], world["people"]["p1"]
    for _ in range(6):
        client.get(f"/peer/participants/{oid('participant', p.pk)}")
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "is whole" in out.getvalue()

    # The database itself refuses to change the trail ...
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditRecord._meta.db_table} SET action = 'view' WHERE seq = 2")
    with pytest.raises(TypeError):
        AuditRecord.objects.first().delete()
    # ... so a tamperer with the database's owner rights drops the triggers first: the chain shows it.
    with connection.schema_editor() as editor:
        triggers.backwards(None, editor)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {AuditRecord._meta.db_table} SET address = '10.9.9.9' WHERE seq = 2")
        with pytest.raises(CommandError, match="record 2 was changed"):
            call_command("audit", "verify", stdout=io.StringIO())
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {AuditRecord._meta.db_table} SET address = '127.0.0.1' WHERE seq = 2")
            cursor.execute(f"DELETE FROM {AuditRecord._meta.db_table} WHERE seq = 3")
        with pytest.raises(CommandError, match="record 3 is missing"):
            call_command("audit", "verify", stdout=io.StringIO())
        with connection.cursor() as cursor:
            last = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
            cursor.execute(f"DELETE FROM {AuditRecord._meta.db_table} WHERE seq >= 3")
        result = audit.verify()
        assert not result.ok and "removed" in result.problem, (last, result)
    finally:
        with connection.schema_editor() as editor:
            triggers.forwards(None, editor)
