"""Issue 25, Low items of the companion: the private calendar link dies with the sessions ("sign out
everywhere", a recovery), and clocks at the ends of time (a start on 9999-12-31, in year 1, far in
the future) are refused by the form and never break a page when a value is already stored."""

import pytest
from django.test import Client

from tests.journal.conftest import person  # noqa: F401 (a fixture)


# --- the calendar link ----------------------------------------------------------------------------

def _calendar_path(client) -> str:
    client.post("/me/calendar/new-link")
    page = client.get("/me/calendar").content.decode()
    return page.split('id="cal-url" type="text" readonly value="')[1].split('"')[0].split("testserver")[1]


@pytest.mark.django_db
def test_item25_low_the_calendar_link_dies_when_signing_out_everywhere(person):
    me = person()
    path = _calendar_path(me)
    assert Client().get(path).status_code == 200
    assert me.post("/me/signout-everywhere").status_code == 302
    assert Client().get(path).status_code == 404
    again = Client()
    again.post("/me/signin", {"username": me.username, "passphrase": me.passphrase})
    page = again.get("/me/calendar").content.decode()
    assert path not in page and "stopped working" in page
    fresh = _calendar_path(again)
    assert fresh != path and Client().get(fresh).status_code == 200
    assert Client().get(path).status_code == 404


@pytest.mark.django_db
def test_item25_low_the_calendar_link_dies_when_recovering_the_account(person):
    me = person()
    path = _calendar_path(me)
    assert Client().get(path).status_code == 200
    stranger = Client()  # the person who lost their passphrase, on a new phone
    answer = stranger.post("/me/recover", {"username": me.username, "code": me.codes[0],
                                           "passphrase": "a brand new long passphrase"})
    assert answer.status_code == 200, answer.content.decode()[:500]
    assert Client().get(path).status_code == 404
    assert path not in stranger.get("/me/calendar").content.decode()


@pytest.mark.django_db
def test_item25_low_other_changes_leave_the_calendar_link_working(person):
    me = person()
    path = _calendar_path(me)
    me.post("/me/signout")
    other = Client()
    other.post("/me/signin", {"username": me.username, "passphrase": me.passphrase})
    other.post("/me/recovery-codes")
    assert Client().get(path).status_code == 200
