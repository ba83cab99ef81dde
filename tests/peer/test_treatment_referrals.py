"""Issue 30, part 6: a referral to a treatment provider found with the treatment search.

- A member of staff searches providers near a place (``treatment.search``, the finder's own engine)
  and picks one; the referral keeps what the listing said that day (facility id, source, name,
  phone, address, in its encrypted details) and shows it, marked "no longer listed" once the
  facility is gone from the data.
- A referral that carries the participant's identity to a treatment provider needs a consent that
  carries the HIPAA redisclosure statement of 42 CFR §2.31(a)(4)(iii); the statement (one text, in
  ``peer/consent.py``) is on the consent and on the referral sheet, in English and Spanish.
- A consent for a minor (§2.14) or for a person adjudicated as lacking capacity (§2.15) carries the
  signatures the case needs, and a refusal names what is missing.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from commonground.feeds.importing import import_location
from commonground.peer import audit
from commonground.peer import consent as consents
from commonground.peer.models import AuditRecord, Consent, Referral
from commonground.peer.records import ReferralDetails, Signature
from commonground.private.ids import encode as oid
from commonground.treatment import search
from commonground.treatment.models import Facility
from tests.treatment.export_fixture import write

EN = consents.REDISCLOSURE["en"]
ES = consents.REDISCLOSURE["es"]
NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


@pytest.fixture
def providers(world, tmp_path):
    search.reset()
    import_location(write(tmp_path / "ny.json"), format="findtreatment", name="FindTreatment NY")
    world["clinic"] = Facility.objects.select_related("source").get(name__startswith="Harbor Bupe Clinic")
    yield world
    search.reset()


def base(p) -> str:
    return f"/peer/participants/{oid('participant', p.pk)}"


def follow_up() -> str:
    return (timezone.localdate() + timedelta(days=7)).isoformat()


def pick(client, p, facility_id, *, share=False, query="near=10001&radius_km=30", **fields):
    data = {"facility": str(facility_id), "service": "moud", "follow_up_on": follow_up()} | fields
    if share:
        data["shares_identity"] = "on"
    return client.post(f"{base(p)}/refer/treatment?{query}", data)


def treatment_consent(p, *, statement=True, **fields) -> Consent:
    signature = {"typed_name": "Jordan Reyes", "patient_name": "Jordan Reyes"}
    if statement:
        signature["redisclosure"] = consents.REDISCLOSURE_VERSION
    return Consent.objects.create(
        participant=p,
        discloser="Harbor Recovery",
        recipients="The treatment providers I am referred to",
        information=["identity", "referrals"],
        purpose="treatment",
        revocation="tell us",
        covers_referrals=True,
        signature=signature,
        signed_at=timezone.now() - timedelta(days=1),
        **fields,
    )


def consent_form(**changes) -> dict:
    return {
        "patient_name": "Jordan Reyes",
        "discloser": "Harbor Recovery",
        "recipients": "The treatment providers I am referred to",
        "information": ["identity", "referrals"],
        "purpose": "To start treatment",
        "revocation": "I may revoke it by telling my peer specialist.",
        "covers_referrals": "on",
        "typed_signature": "Jordan Reyes",
    } | changes


def head() -> int:
    return AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


# 1. Pick a provider from a search; the referral shows it.


@pytest.mark.django_db
def test_a_provider_picked_from_the_search_is_kept_and_shown(providers):
    client, p, clinic = providers["clients"]["a_one"], providers["people"]["p1"], providers["clinic"]
    page = client.get(f"{base(p)}/refer/treatment?near=10001&radius_km=30")
    assert page.status_code == 200
    text = page.content.decode()
    assert clinic.name in text and f'value="{clinic.pk}"' in text and clinic.phone in text
    assert text.index("Harbor Bupe Clinic") < text.index("Queens Withdrawal Center")  # nearest first

    made = pick(client, p, clinic.pk, note="Call on Monday")
    assert made.status_code == 302, made.content.decode()[:2000]
    referral = Referral.objects.get()
    provider = referral.details.provider
    assert (provider.facility_id, provider.source, provider.key) == (clinic.pk, clinic.source.slug, clinic.key)
    assert (provider.name, provider.phone, provider.address) == (clinic.name, clinic.phone, clinic.address)
    assert provider.chosen_on == timezone.localdate().isoformat()
    assert referral.kind == "service" and referral.service == "moud" and not referral.shares_identity

    sheet = client.get(made["Location"]).content.decode()
    for shown in (clinic.name, clinic.phone, clinic.address):
        assert shown in sheet, shown
    assert 'id="provider-gone"' not in sheet
    assert EN not in sheet and "Jordan" not in sheet  # nothing disclosed, so no statement either
    assert clinic.name in client.get(base(p)).content.decode()  # and on the participant's page


@pytest.mark.django_db
def test_a_bad_place_or_no_provider_is_refused_in_words(providers):
    client, p = providers["clients"]["a_one"], providers["people"]["p1"]
    page = client.get(f"{base(p)}/refer/treatment?near=nowhere-at-all-xyz")
    assert page.status_code == 200 and 'role="alert"' in page.content.decode()
    refused = client.post(f"{base(p)}/refer/treatment", {"service": "moud", "follow_up_on": follow_up()})
    assert refused.status_code == 400 and "Choose a provider" in refused.content.decode()
    assert not Referral.objects.exists()


# 2. The facility removed later: still shown, marked.


@pytest.mark.django_db
def test_a_facility_gone_from_the_data_is_still_shown_marked_as_no_longer_listed(providers):
    client, p, clinic = providers["clients"]["a_one"], providers["people"]["p1"], providers["clinic"]
    sheet_url = pick(client, p, clinic.pk)["Location"]
    name, phone, address = clinic.name, clinic.phone, clinic.address
    Facility.objects.filter(pk=clinic.pk).delete()
    sheet = client.get(sheet_url).content.decode()
    for shown in (name, phone, address):
        assert shown in sheet, shown
    assert 'id="provider-gone"' in sheet and "no longer listed" in sheet.lower()


@pytest.mark.django_db
def test_a_disconnected_source_counts_as_gone_and_a_listing_that_went_away_cannot_be_picked(providers):
    client, p, clinic = providers["clients"]["a_one"], providers["people"]["p1"], providers["clinic"]
    sheet_url = pick(client, p, clinic.pk)["Location"]
    clinic.source.disconnected_at = timezone.now()
    clinic.source.save(update_fields=["disconnected_at"])
    assert 'id="provider-gone"' in client.get(sheet_url).content.decode()
    refused = pick(client, p, clinic.pk)  # between the search and the choice, the listing went
    assert refused.status_code == 400 and "no longer listed" in refused.content.decode()
    assert Referral.objects.count() == 1


@pytest.mark.django_db
def test_the_payload_keeps_keys_it_does_not_know():
    raw = {
        "note": "n",
        "meeting_name": "",
        "provider": {"facility_id": 7, "source": "ft", "name": "Clinic", "future": [1, 2]},
        "later": True,
    }
    details = ReferralDetails.load(raw)
    assert details.provider.facility_id == 7 and details.provider.name == "Clinic"
    dumped = details.dump()
    assert dumped["later"] is True and dumped["provider"]["future"] == [1, 2]
    assert ReferralDetails.load({"note": "old row"}).provider is None  # rows from before
    assert Signature.load({"typed_name": "J"}).signer == "" and Signature.load({}).representative is None


# 3. The redisclosure statement: on the consent and on the referral, in English and Spanish.


@pytest.mark.django_db
def test_identity_to_a_provider_needs_a_consent_that_carries_the_statement(providers):
    client, p, clinic = providers["clients"]["a_one"], providers["people"]["p1"], providers["clinic"]
    treatment_consent(p, statement=False)  # covers referrals with identity, but has no statement
    refused = pick(client, p, clinic.pk, share=True)
    assert refused.status_code == 400 and not Referral.objects.exists()
    assert "No active consent" in refused.content.decode() and "redisclosure" in refused.content.decode()

    consent = treatment_consent(p)
    start = head()
    made = pick(client, p, clinic.pk, share=True)
    assert made.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent == consent and referral.shares_identity
    [step] = [r for r in AuditRecord.objects.filter(seq__gt=start) if r.view == "peer.referral_treatment"]
    assert (step.action, step.object_type, step.object_id) == ("disclose", "Referral", str(referral.pk))

    sheet = client.get(made["Location"]).content.decode()
    assert "Jordan Reyes" in sheet and NOTICE in sheet and EN in sheet and ES not in sheet
    spanish = client.get(made["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ES in spanish and EN in spanish  # the Spanish, and the English the recipient reads
    assert 'lang="es"' in spanish and 'lang="en"' in spanish

    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    after = client.get(made["Location"]).content.decode()
    assert "Jordan Reyes" not in after and EN not in after and clinic.name in after


@pytest.mark.django_db
def test_a_plain_consent_still_covers_a_meeting_or_program_referral(providers):
    """The statement is needed for a treatment provider only: other referrals are as they were."""
    client, p = providers["clients"]["a_one"], providers["people"]["p1"]
    treatment_consent(p, statement=False)
    made = client.post(
        f"{base(p)}/refer",
        {"kind": "program", "program": "aa", "follow_up_on": follow_up(), "shares_identity": "on"},
    )
    assert made.status_code == 302 and EN not in client.get(made["Location"]).content.decode()


@pytest.mark.django_db
def test_the_consent_form_shows_the_statement_and_the_print_carries_it(providers):
    client, p = providers["clients"]["a_one"], providers["people"]["p1"]
    form = client.get(f"{base(p)}/consents/new?treatment=1").content.decode()
    assert EN in form and "The treatment providers I am referred to" in form
    assert ES in client.get(f"{base(p)}/consents/new?treatment=1", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    made = client.post(f"{base(p)}/consents/new", consent_form(for_treatment="on"))
    assert made.status_code == 302
    consent = Consent.objects.get()
    assert consent.signature.redisclosure == consents.REDISCLOSURE_VERSION
    printed = client.get(made["Location"]).content.decode()
    assert EN in printed and "2.31(a)(4)(iii)" in printed
    printed_es = client.get(made["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ES in printed_es and EN in printed_es

    plain = client.post(f"{base(p)}/consents/new", consent_form())
    assert EN not in client.get(plain["Location"]).content.decode()
    assert consents.covers(consent, consents.REFERRAL_TO_TREATMENT)
    assert not consents.covers(Consent.objects.exclude(pk=consent.pk).get(), consents.REFERRAL_TO_TREATMENT)


def test_the_statement_is_written_once_and_says_what_the_rule_asks():
    for text in (EN, ES):
        assert text and text == text.strip()
    assert "HIPAA" in EN and "HIPAA" in ES
    for words in ("treatment", "payment", "health care operations", "civil, criminal, administrative or legislative"):
        assert words in EN, words
    for words in ("tratamiento", "pago", "civiles, penales, administrativos o legislativos"):
        assert words in ES, words
    assert "2.31(a)(4)(iii)" in consents.REDISCLOSURE_SOURCE and "89 FR 12472" in consents.REDISCLOSURE_SOURCE


def test_no_template_writes_the_statement_itself():
    from pathlib import Path

    import commonground.peer as peer

    templates = Path(peer.__file__).parent / "templates"
    for path in templates.rglob("*.html"):
        body = path.read_text(encoding="utf-8")
        assert "redisclosed" not in body and "civil, criminal" not in body and "HIPAA allows" not in body, path


# 4. Who signs: the participant, a minor (§2.14), a person adjudicated as lacking capacity (§2.15).

GUARDIAN = {
    "representative_name": "Maria Reyes",
    "representative_authority": "Mother",
    "representative_signed_on": timezone.localdate().isoformat(),
}


def record(client, p, **fields):
    return client.post(f"{base(p)}/consents/new", consent_form(**fields))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("signer", "fields", "missing"),
    [
        # A minor who may consent to treatment alone: only the minor signs.
        ("minor_alone", {}, None),
        ("minor_alone", {"typed_signature": ""}, "the minor's signature"),
        ("minor_alone", GUARDIAN, "only the minor signs"),
        # A minor whose state needs a parent's consent to treatment: both sign.
        ("minor_with_guardian", {}, "the parent's or guardian's name"),
        ("minor_with_guardian", {**GUARDIAN, "typed_signature": ""}, "the minor's signature"),
        ("minor_with_guardian", {**GUARDIAN, "representative_authority": ""}, "relationship or authority"),
        ("minor_with_guardian", {**GUARDIAN, "representative_signed_on": ""}, "the date"),
        ("minor_with_guardian", GUARDIAN, None),
        # An adult deciding for themselves signs alone.
        ("self", {"typed_signature": ""}, "the participant's signature"),
        ("self", GUARDIAN, "signs alone"),
    ],
)
def test_a_minors_consent_needs_the_right_signatures(providers, signer, fields, missing):
    client, p = providers["clients"]["a_one"], providers["people"]["p1"]
    answer = record(client, p, signer=signer, **fields)
    if missing is None:
        assert answer.status_code == 302
        consent = Consent.objects.get()
        assert consent.signature.signer == signer
        if signer == "minor_with_guardian":
            rep = consent.signature.representative
            assert (rep.name, rep.authority, rep.signed_on) == (
                "Maria Reyes",
                "Mother",
                GUARDIAN["representative_signed_on"],
            )
            printed = client.get(answer["Location"]).content.decode()
            assert "Maria Reyes" in printed and "Mother" in printed and "Jordan Reyes" in printed
        else:
            assert consent.signature.representative is None
    else:
        assert answer.status_code == 400 and not Consent.objects.exists()
        assert missing in html.unescape(answer.content.decode()), answer.content.decode()[-3000:]


@pytest.mark.django_db
def test_an_adjudicated_incapacity_consent_needs_the_guardian(providers):
    client, p = providers["clients"]["a_one"], providers["people"]["p1"]
    refused = record(client, p, signer="incapacity")  # the participant's own signature is not enough
    assert refused.status_code == 400 and "the guardian's name" in html.unescape(refused.content.decode())
    assert not Consent.objects.exists()
    guardian = {**GUARDIAN, "representative_authority": "Guardian appointed by the county court"}
    made = record(client, p, signer="incapacity", typed_signature="", **guardian)  # instead of the participant
    assert made.status_code == 302
    consent = Consent.objects.get()
    assert consent.signature.typed_name == "" and consent.signature.representative.name == "Maria Reyes"
    printed = client.get(made["Location"]).content.decode()
    assert "Guardian appointed by the county court" in printed and "Maria Reyes" in printed
    also = record(client, p, signer="incapacity", **guardian)  # or besides the participant
    assert also.status_code == 302 and Consent.objects.count() == 2


def test_the_signature_rule_itself():
    from commonground.peer.records import Representative

    rep = Representative(name="M", authority="Mother", signed_on="2026-01-01")
    assert consents.missing_signatures("minor_with_guardian", True, rep) == []
    assert [k for k, _ in consents.missing_signatures("minor_with_guardian", True, None)] == [
        "representative_name",
        "representative_authority",
        "representative_signed_on",
    ]
    assert [k for k, _ in consents.missing_signatures("incapacity", False, None)] == [
        "representative_name",
        "representative_authority",
        "representative_signed_on",
    ]
    assert consents.missing_signatures("incapacity", False, rep) == []
    assert [k for k, _ in consents.missing_signatures("minor_alone", True, rep)] == ["representative_name"]
    assert [k for k, _ in consents.missing_signatures("self", False, None)] == ["typed_signature"]
    assert consents.missing_signatures("", True, None) == []  # a consent from before the rule: the participant


# 5. Audit, access, logs.


@pytest.mark.django_db
def test_the_audit_records_the_search_the_consent_and_the_sheet(providers):
    client, p, clinic = providers["clients"]["a_one"], providers["people"]["p1"], providers["clinic"]
    me = audit.pseudonym(providers["staff"]["a_one"].user.pk)
    start = head()
    client.get(f"{base(p)}/refer/treatment?near=10001")
    [looked] = AuditRecord.objects.filter(seq__gt=start, view="peer.referral_treatment")
    assert (looked.action, looked.participant_id_at, looked.user_id_at) == ("view", p.pk, me)

    start = head()
    record(client, p, signer="minor_with_guardian")  # refused: still recorded
    made = record(client, p, signer="minor_with_guardian", for_treatment="on", **GUARDIAN)
    consent = Consent.objects.get()
    rows = list(AuditRecord.objects.filter(seq__gt=start, view="peer.consent_new").order_by("seq"))
    assert [(r.action, r.object_type) for r in rows] == [("change", "Participant"), ("change", "Consent")]
    assert rows[1].object_id == str(consent.pk) and made.status_code == 302

    made = pick(client, p, clinic.pk, share=True)
    start = head()
    client.get(made["Location"])
    [shown] = AuditRecord.objects.filter(seq__gt=start, view="peer.referral_sheet")
    assert (shown.action, shown.object_type) == ("disclose", "Referral")
    assert audit.verify().ok


@pytest.mark.django_db
def test_the_provider_search_answers_only_the_participants_own_staff(providers):
    p, url = providers["people"]["p1"], f"{base(providers['people']['p1'])}/refer/treatment?near=10001"
    for role in ("a_two", "b_supervisor", "b_one"):
        answer = providers["clients"][role].get(url)
        assert answer.status_code == 404 and b"Harbor Bupe" not in answer.content, role
        refused = pick(providers["clients"][role], p, providers["clinic"].pk)
        assert refused.status_code == 404 and not Referral.objects.exists(), role
    assert providers["clients"]["a_supervisor"].get(url).status_code == 200


@pytest.mark.django_db
def test_nothing_private_reaches_the_logs(providers, caplog):
    client, p, clinic = providers["clients"]["a_one"], providers["people"]["p1"], providers["clinic"]
    caplog.set_level(logging.DEBUG)
    treatment_consent(p)
    record(client, p, signer="minor_with_guardian")  # a refusal (a 400, which Django logs)
    record(client, p, signer="minor_with_guardian", **GUARDIAN)
    made = pick(client, p, clinic.pk, share=True, note="Ask about evening hours")
    pick(client, p, 10**9, share=True)  # a 400 too
    client.get(made["Location"], HTTP_ACCEPT_LANGUAGE="es")
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for private in ("Jordan", "Reyes", "555 010 1111", "Maria", "Mother", "evening hours", "P-ONE111"):
        assert private not in logged, private
