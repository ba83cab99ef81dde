"""An organisation's admin sets its helpline and shifts in the workspace (issue 31): the pages
validate in words, every change is audited, a staff member's number is never logged, and a call
routed by ``phone.helpline`` rings the shifts set here."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from commonground.peer.models import AuditRecord
from commonground.phone import helpline as routing
from commonground.phone.models import Helpline, Shift
from commonground.phone.providers import Dial

HELPLINE = {
    "name": "Harbor helpline",
    "number": "+1 (212) 555-0100",
    "timezone": "America/New_York",
    "covers": "10001, 10002 ny",
    "ring_seconds": "25",
}
STAFF_NUMBER = "+1 212 555 0177"
STAFF_E164 = "+12125550177"
SPELLINGS = (STAFF_E164, "2125550177", "555 0177", "555-0177")


def shift_form(**changes):
    data = {"person": "Ana", "phone": STAFF_NUMBER, "days": ["0", "1", "2", "3", "4"], "starts": "09:00"}
    data |= {"ends": "17:00", "order": "0"}
    return data | changes


@pytest.fixture
def admin(world):
    return world["clients"]["a_supervisor"]


def set_helpline(client, **changes):
    return client.post(reverse("peer:helpline"), HELPLINE | changes)


def add_shift(client, **changes):
    return client.post(reverse("peer:shift_new"), shift_form(**changes))


def test_the_admin_sets_the_helpline(world, admin):
    response = set_helpline(admin)
    assert response.status_code == 302
    org = world["orgs"]["a"]
    org.refresh_from_db()
    line = org.helpline
    assert (line.name, line.number, line.timezone, line.ring_seconds) == (
        "Harbor helpline",
        "+12125550100",
        "America/New_York",
        25,
    )
    assert line.covered() == {"10001", "10002", "NY"}
    # Edited again: the same helpline, not a second one.
    assert set_helpline(admin, name="Harbor line").status_code == 302
    assert Helpline.objects.count() == 1 and Helpline.objects.get().name == "Harbor line"
    page = admin.get(reverse("peer:helpline")).content.decode()
    assert "Harbor line" in page and "+12125550100" in page


def test_helpline_errors_are_in_words(admin):
    response = set_helpline(admin, number="call me", timezone="Mars/Olympus", covers="10001 !!")
    assert response.status_code == 400
    page = response.content.decode()
    assert "country code" in page
    assert "not a time zone" in page
    assert "!!" in page
    assert not Helpline.objects.exists()


def test_a_number_another_helpline_uses_is_refused(world, admin):
    Helpline.objects.create(name="Someone else", number="+12125550100")
    response = set_helpline(admin)
    assert response.status_code == 400 and "already" in response.content.decode()


def test_a_shift_needs_a_helpline_first(admin):
    response = admin.get(reverse("peer:shift_new"))
    assert response.status_code == 302 and response["Location"] == reverse("peer:helpline")


def test_add_edit_and_delete_a_shift(world, admin):
    set_helpline(admin)
    response = add_shift(admin)
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert (shift.person, shift.phone, shift.days, shift.starts.hour, shift.ends.hour) == (
        "Ana",
        STAFF_E164,
        "01234",
        9,
        17,
    )
    world["orgs"]["a"].refresh_from_db()
    assert shift.helpline == world["orgs"]["a"].helpline
    page = admin.get(reverse("peer:helpline")).content.decode()
    assert "Ana" in page and "09:00" in page
    # Past midnight is allowed.
    edited = admin.post(
        reverse("peer:shift_edit", kwargs={"shift_pk": shift.pk}), shift_form(starts="22:00", ends="06:00")
    )
    assert edited.status_code == 302
    shift.refresh_from_db()
    assert (shift.starts.hour, shift.ends.hour) == (22, 6)
    deleted = admin.post(reverse("peer:shift_delete", kwargs={"shift_pk": shift.pk}))
    assert deleted.status_code == 302 and not Shift.objects.exists()


def test_shift_errors_are_in_words(admin):
    set_helpline(admin)
    response = add_shift(admin, days=[], starts="09:00", ends="09:00", phone="12")
    assert response.status_code == 400
    page = response.content.decode()
    assert "at least one day" in page
    assert "different times" in page
    assert "country code" in page
    assert add_shift(admin, starts="25:00").status_code == 400
    assert not Shift.objects.exists()


def test_another_organisation_cannot_touch_a_shift(world, admin):
    set_helpline(admin)
    add_shift(admin)
    shift = Shift.objects.get()
    other = world["clients"]["b_supervisor"]
    assert (
        other.post(reverse("peer:shift_edit", kwargs={"shift_pk": shift.pk}), shift_form(person="X")).status_code == 404
    )
    assert other.post(reverse("peer:shift_delete", kwargs={"shift_pk": shift.pk})).status_code == 404
    assert Shift.objects.get().person == "Ana"
    assert AuditRecord.objects.filter(action="denied", object_type="Shift", object_id=str(shift.pk)).exists()


def test_every_change_is_audited_and_no_staff_number_is_logged(world, admin, caplog):
    caplog.set_level(logging.DEBUG)
    set_helpline(admin)
    add_shift(admin)
    shift = Shift.objects.get()
    admin.post(reverse("peer:shift_edit", kwargs={"shift_pk": shift.pk}), shift_form(person="Bo"))
    admin.post(reverse("peer:shift_delete", kwargs={"shift_pk": shift.pk}))
    add_shift(admin, phone="not a number")  # a refused form is audited too, without the number
    changes = list(
        AuditRecord.objects.filter(view__in=["peer.helpline", "peer.shift_new", "peer.shift_edit", "peer.shift_delete"])
        .exclude(action="view")
        .order_by("seq")
        .values_list("view", "action", "object_type", "object_id")
    )
    world["orgs"]["a"].refresh_from_db()
    helpline_pk = world["orgs"]["a"].helpline_id
    assert changes[:4] == [
        ("peer.helpline", "change", "Helpline", str(helpline_pk)),
        ("peer.shift_new", "change", "Shift", str(shift.pk)),
        ("peer.shift_edit", "change", "Shift", str(shift.pk)),
        ("peer.shift_delete", "delete", "Shift", str(shift.pk)),
    ]
    assert changes[4][:2] == ("peer.shift_new", "change")
    stored = " ".join(str(v) for row in AuditRecord.objects.values_list() for v in row)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for spelling in SPELLINGS:
        assert spelling not in stored and spelling not in logged


def test_a_call_rings_the_shifts_set_here(world, admin):
    set_helpline(admin)
    add_shift(admin)  # Ana, weekdays 09:00-17:00 New York
    add_shift(admin, person="Bo", phone="+1 212 555 0188", order="1")
    add_shift(admin, person="Cy", phone="+1 212 555 0199", days=["5", "6"])
    new_york = ZoneInfo("America/New_York")
    monday_ten = datetime(2027, 3, 1, 10, 0, tzinfo=new_york)
    steps = routing.route("CA1", "+12125550100", "US", "en", monday_ten, record=False)
    dials = [s for s in steps if isinstance(s, Dial)]
    assert [d.number for d in dials] == [STAFF_E164] and dials[0].timeout == 25
    # A call from a covered ZIP to another number finds the same helpline.
    world["orgs"]["a"].refresh_from_db()
    assert routing.helpline_for("", "10002") == world["orgs"]["a"].helpline
    # Saturday is Cy's.
    saturday = datetime(2027, 3, 6, 10, 0, tzinfo=new_york)
    dials = [s for s in routing.route("CA2", "+12125550100", "US", "en", saturday, record=False) if isinstance(s, Dial)]
    assert [d.number for d in dials] == ["+12125550199"]
    # Monday evening: no one on shift, so the crisis line, never a staff phone.
    evening = datetime(2027, 3, 1, 20, 0, tzinfo=new_york)
    dials = [s for s in routing.route("CA3", "+12125550100", "US", "en", evening, record=False) if isinstance(s, Dial)]
    assert all(d.number not in (STAFF_E164, "+12125550188", "+12125550199") for d in dials)


def test_the_pages_speak_spanish(admin):
    page = admin.get(reverse("peer:helpline"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Línea de ayuda" in page
    set_helpline(admin)
    response = admin.post(reverse("peer:shift_new"), shift_form(days=[]), HTTP_ACCEPT_LANGUAGE="es")
    assert "al menos un día" in response.content.decode()
