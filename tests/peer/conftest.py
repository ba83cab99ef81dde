"""Organisations, staff with a confirmed second factor, and signed-in clients for the workspace."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonground.peer.models import Organisation, Participant, Role, Staff
from commonground.phone.models import Helpline, Shift


def make_staff(org, username, role=Role.SPECIALIST, is_admin=False):
    user = get_user_model().objects.create_user(username, password="a long staff passphrase")
    staff = Staff.objects.create(
        user=user, organisation=org, role=role, is_admin=is_admin, display_name=username.title()
    )
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return staff


def signed_in(staff) -> Client:
    """A client signed in with passphrase and second factor (the session django-otp leaves)."""
    client = Client()
    client.force_login(staff.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=staff.user).persistent_id
    session.set_expiry(15 * 60)
    session.save()
    client.staff = staff
    return client


def helpline_with_a_shift(org) -> Shift:
    """Organisation A's helpline with one shift: the shift pages' object."""
    org.helpline = Helpline.objects.create(name="Harbor helpline", number="+12125550100")
    org.save(update_fields=["helpline"])
    return Shift.objects.create(helpline=org.helpline, person="Ana", phone="+12125550177", starts="09:00", ends="17:00")


@pytest.fixture
def world(db):
    """Two organisations. In A: a supervisor (also admin), two specialists; P1 is in specialist one's
    caseload, P2 in specialist two's. In B: a supervisor (admin) and a specialist with P3."""
    a, b = Organisation.objects.create(name="Harbor Recovery"), Organisation.objects.create(name="Other Org")
    staff = {
        "a_supervisor": make_staff(a, "ana-sup", Role.SUPERVISOR, is_admin=True),
        "a_one": make_staff(a, "ben-one"),
        "a_two": make_staff(a, "cy-two"),
        "b_supervisor": make_staff(b, "dee-sup", Role.SUPERVISOR, is_admin=True),
        "b_one": make_staff(b, "eve-one"),
    }
    people = {
        "p1": Participant.objects.create(
            organisation=a,
            code="P-ONE111",
            specialist=staff["a_one"],
            identity={"name": "Jordan Reyes", "phone": "555 010 1111"},
        ),
        "p2": Participant.objects.create(organisation=a, code="P-TWO222", specialist=staff["a_two"]),
        "p3": Participant.objects.create(organisation=b, code="P-THREE3", specialist=staff["b_one"]),
    }
    return {
        "orgs": {"a": a, "b": b},
        "staff": staff,
        "people": people,
        "clients": {name: signed_in(s) for name, s in staff.items()},
    }
