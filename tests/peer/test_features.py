"""The workspace's features through its pages: sign-in with TOTP, the dashboard, BARC-10, reports
with small-cell suppression, a participant's record, deletion under a retention rule, and the
companion shared by the participant's choice."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonground.peer.models import Assessment, Encounter, Invitation, Participant, Referral, Staff, invitation_hash
from commonground.private.ids import encode as oid


def token_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.slow
@pytest.mark.django_db
def test_a_new_organisation_a_second_factor_and_a_colleague(db):
    Invitation.objects.create(code_hash=invitation_hash("invite-123"))
    client = Client()
    made = client.post(
        "/peer/setup",
        {
            "invitation": "invite-123",
            "organisation": "Harbor Recovery",
            "display_name": "Ana",
            "username": "ana-sup",
            "passphrase": "a long staff passphrase",
        },
    )
    assert made.status_code == 302 and made["Location"] == "/peer/enrol"
    assert client.get("/peer/").status_code == 302, "no second factor yet: no workspace"
    page = client.get("/peer/enrol").content.decode()
    assert 'id="totp-key"' in page and "otpauth://totp/" in page
    device = TOTPDevice.objects.get(user__username="ana-sup")
    wrong = client.post("/peer/enrol", {"token": "000000" if token_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "did not match" in wrong.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):  # django-otp's throttle: 1 s
        device.refresh_from_db()
        assert client.post("/peer/enrol", {"token": token_for(device)}).status_code == 302
        assert client.get("/peer/").status_code == 200
        assert client.session.get_expiry_age() == 15 * 60  # automatic logoff after 15 minutes idle
    reused = Client().post(
        "/peer/setup",
        {
            "invitation": "invite-123",
            "organisation": "Other",
            "display_name": "X",
            "username": "xx-x",
            "passphrase": "another long one",
        },
    )
    assert "not valid or was used" in reused.content.decode()

    added = client.post(
        "/peer/staff",
        {"display_name": "Ben", "username": "ben-one", "passphrase": "ben's own passphrase!", "role": "specialist"},
    )
    assert added.status_code == 302, added.content.decode()[-3000:]
    ben = Client()
    first = ben.post("/peer/signin", {"username": "ben-one", "passphrase": "ben's own passphrase!"})
    assert first["Location"] == "/peer/enrol"
    ben.get("/peer/enrol")
    ben_device = TOTPDevice.objects.get(user__username="ben-one")
    ben.post("/peer/enrol", {"token": token_for(ben_device)})
    assert ben.get("/peer/reports").status_code == 404 and ben.get("/peer/").status_code == 200
    ben.post("/peer/signout")
    again = ben.post("/peer/signin", {"username": "ben-one", "passphrase": "ben's own passphrase!"})
    assert again["Location"] == "/peer/verify"
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False):
        assert ben.post("/peer/verify", {"token": token_for(ben_device)}).status_code == 302
        assert ben.get("/peer/").status_code == 200


@pytest.mark.django_db
def test_idle_staff_are_signed_out_after_15_minutes(world):
    client = world["clients"]["a_one"]
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert client.get("/peer/").status_code == 302


@pytest.mark.slow
@pytest.mark.django_db
def test_the_dashboard_shows_what_is_due(world):
    a_one, p1, p2 = world["staff"]["a_one"], world["people"]["p1"], world["people"]["p2"]
    today = timezone.localdate()
    Referral.objects.create(
        participant=p1, staff=a_one, made_on=today - timedelta(days=7), kind="program", program="aa", follow_up_on=today
    )
    Referral.objects.create(
        participant=p1,
        staff=a_one,
        made_on=today - timedelta(days=20),
        kind="program",
        program="smart",
        follow_up_on=today - timedelta(days=3),
    )
    Referral.objects.create(
        participant=p2, staff=world["staff"]["a_two"], made_on=today, kind="program", program="na", follow_up_on=today
    )
    Participant.objects.filter(pk=p1.pk).update(last_contact_on=today - timedelta(days=30))
    Assessment.objects.create(participant=p1, taken_on=today - timedelta(days=100), total=30, answers=[3] * 10)
    Assessment.objects.create(participant=p1, taken_on=today - timedelta(days=2), total=41, answers=[4] * 10 + [1])
    page = world["clients"]["a_one"].get("/peer/").content.decode()
    due_today = page.split('id="due-today"')[1].split("</ul>")[0]
    assert "P-ONE111" in due_today and "P-TWO222" not in due_today  # one's own caseload only
    assert "P-ONE111" in page.split('id="overdue"')[1].split("</ul>")[0]
    assert "P-ONE111" in page.split('id="quiet"')[1].split("</ul>")[0]
    assert "41 (+11)" in page.split('id="barc-changes"')[1]
    supervisor = world["clients"]["a_supervisor"].get("/peer/").content.decode()
    assert "P-TWO222" in supervisor.split('id="due-today"')[1].split("</ul>")[0]


@pytest.mark.slow
@pytest.mark.django_db
def test_barc10_scores_the_published_way_and_charts_without_script(world):
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    answers = {f"item_{n}": str(1 + n % 6) for n in range(1, 11)}
    client.post(
        f"/peer/participants/{oid('participant', p.pk)}/barc/new",
        {"taken_on": timezone.localdate().isoformat(), **answers},
    )
    assessment = Assessment.objects.get()
    assert assessment.total == sum(1 + n % 6 for n in range(1, 11)) and len(assessment.answers) == 10
    bad = client.post(
        f"/peer/participants/{oid('participant', p.pk)}/barc/new",
        {"taken_on": timezone.localdate().isoformat(), **{**answers, "item_3": "7"}},
    )
    assert bad.status_code == 400
    page = client.get(f"/peer/participants/{oid('participant', p.pk)}").content.decode()
    assert "47 or more" in page and "doi.org/10.1016/j.drugalcdep.2017.03.022" in page
    svg = client.get(f"/peer/participants/{oid('participant', p.pk)}/barc.svg")
    assert b"<script" not in svg.content and b"47" in svg.content


@pytest.mark.slow
@pytest.mark.django_db
def test_reports_count_suppress_small_cells_and_export_csv(world):
    org, a_one = world["orgs"]["a"], world["staff"]["a_one"]
    month = timezone.localdate().replace(day=1)
    people = [Participant.objects.create(organisation=org, code=f"P-R{n:05d}", specialist=a_one) for n in range(23)]
    Encounter.objects.bulk_create(
        Encounter(participant=p, organisation=org, staff=a_one, on=month, kind="phone", minutes=10) for p in people
    )
    for n, p in enumerate(people):
        Referral.objects.create(
            participant=p,
            staff=a_one,
            made_on=month,
            kind="program",
            program="aa",
            follow_up_on=month,
            outcome="fit_well" if n < 12 else "didnt_fit",
            outcome_on=month,
        )
    for p in people[:12]:
        Referral.objects.create(
            participant=p,
            staff=a_one,
            made_on=month,
            kind="program",
            program="na",
            follow_up_on=month + timedelta(days=40),
        )
    Referral.objects.create(
        participant=people[0], staff=a_one, made_on=month, kind="program", program="smart", follow_up_on=month
    )
    page = world["clients"]["a_supervisor"].get(f"/peer/reports?from={month:%Y-%m}&to={month:%Y-%m}")
    html = page.content.decode()
    row = html.split('id="by-month"')[1].split("</tbody>")[0]
    assert f">{month:%Y-%m}<" in row and "<td>23</td>" in row and "<td>36</td>" in row and "<td>24</td>" in row
    # 23 of the 24 follow-ups due this month have an outcome: the one still open is too few to show
    assert "<td>24</td><td>suppressed</td></tr>" in row
    programs = html.split('id="by-program"')[1].split("</tbody>")[0]
    # AA: 12 of 23 fit well; SMART (one referral) is suppressed, and so is NA, or 36 - 23 - 12 = 1
    assert "Alcoholics Anonymous</th><td>23</td><td>100%</td><td>52%</td>" in programs
    assert "SMART Recovery</th><td>suppressed</td>" in programs
    assert "Narcotics Anonymous</th><td>suppressed</td>" in programs
    assert "P-R0" not in html and "Jordan" not in html
    csv = world["clients"]["a_supervisor"].get(f"/peer/reports?from={month:%Y-%m}&to={month:%Y-%m}&format=csv")
    assert csv["Content-Type"].startswith("text/csv") and "suppressed" in csv.content.decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_a_participants_full_record_and_deletion_under_the_retention_rule(world):
    supervisor, p = world["clients"]["a_supervisor"], world["people"]["p1"]
    Encounter.objects.create(
        participant=p,
        staff=world["staff"]["a_one"],
        on=timezone.localdate(),
        kind="phone",
        minutes=20,
        details={"topics": ["housing"], "note": "needs a room"},
    )
    archive = zipfile.ZipFile(
        io.BytesIO(supervisor.get(f"/peer/participants/{oid('participant', p.pk)}/export").content)
    )
    record = json.loads(archive.read("P-ONE111.json"))
    assert record["identity"]["name"] == "Jordan Reyes" and record["encounters"][0]["note"] == "needs a room"
    org = world["orgs"]["a"]
    org.retention_days = 365
    org.save()
    kept = supervisor.post(f"/peer/participants/{oid('participant', p.pk)}/delete", {"confirm": "P-ONE111"})
    assert kept.status_code == 400 and "cannot be deleted yet" in kept.content.decode()
    org.retention_days = 0
    org.save()
    assert (
        supervisor.post(f"/peer/participants/{oid('participant', p.pk)}/delete", {"confirm": "P-ONE111"}).status_code
        == 200
    )
    assert not Participant.objects.filter(pk=p.pk).exists() and not Encounter.objects.exists()
    from commonground.peer.models import AuditRecord

    assert AuditRecord.objects.filter(action="delete", participant_id_at=p.pk).exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_participant_shares_their_companion_and_can_stop(world, django_user_model):
    person = Client()
    person.post(
        "/me/signup",
        {
            "username": "shares-a-lot",
            "passphrase": "lantern harbour pebble",
            "passphrase2": "lantern harbour pebble",
            "timezone": "America/Chicago",
        },
    )
    person.post(
        "/me/clocks/new",
        {
            "name": "Sober from beer zq7",
            "start_date": "2026-01-10",
            "timezone": "America/Chicago",
            "convention": "plain",
        },
    )
    person.post("/me/checkin", {"mood": "4", "craving": "2", "note": "private words"})
    code = person.post("/me/share").content.decode().split('id="share-code">')[1].split("<")[0]
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    assert (
        client.post(f"/peer/participants/{oid('participant', p.pk)}/companion", {"code": "wrong-code"}).status_code
        == 400
    )
    assert client.post(f"/peer/participants/{oid('participant', p.pk)}/companion", {"code": code}).status_code == 302
    page = client.get(f"/peer/participants/{oid('participant', p.pk)}").content.decode()
    assert "Sober from beer zq7" in page and "private words" not in page and "Recent check-ins" in page
    assert "Shared with Harbor Recovery" in person.get("/me/share").content.decode()
    from commonground.journal.models import ShareGrant

    person.post(f"/me/share/{oid('share', ShareGrant.objects.get().pk)}/stop")
    page = client.get(f"/peer/participants/{oid('participant', p.pk)}").content.decode()
    assert "Sober from beer zq7" not in page and "stopped sharing" in page
    assert client.post(f"/peer/participants/{oid('participant', p.pk)}/companion", {"code": code}).status_code == 400


def test_staff_accounts_are_unique_people():
    assert Staff._meta.get_field("user").one_to_one
    assert get_user_model()._meta.get_field("username").unique
