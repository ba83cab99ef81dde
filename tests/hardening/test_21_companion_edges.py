"""Issue 25, Low items of the companion: the private calendar link dies with the sessions ("sign out
everywhere", a recovery), and clocks at the ends of time (a start on 9999-12-31, in year 1, far in
the future) are refused by the form and never break a page when a value is already stored."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.journal.models import Account, Clock, ShareGrant
from commonground.private.ids import encode as oid
from tests.journal import conftest as journal_fixtures
from tests.peer import conftest as peer_fixtures
from tests.tiers import sweep

person, world = journal_fixtures.person, peer_fixtures.world  # the companion's and the workspace's fixtures

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ZONES = ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns", "Pacific/Pago_Pago", "Asia/Kathmandu"]


# --- the calendar link ----------------------------------------------------------------------------


def _calendar_path(client) -> str:
    client.post("/me/calendar/new-link")
    page = client.get("/me/calendar").content.decode()
    return page.split('id="cal-url" type="text" readonly value="')[1].split('"')[0].split("testserver")[1]


@pytest.mark.slow
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


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_the_calendar_link_dies_when_recovering_the_account(person):
    me = person()
    path = _calendar_path(me)
    assert Client().get(path).status_code == 200
    stranger = Client()  # the person who lost their passphrase, on a new phone
    answer = stranger.post(
        "/me/recover", {"username": me.username, "code": me.codes[0], "passphrase": "a brand new long passphrase"}
    )
    assert answer.status_code == 200, answer.content.decode()[:500]
    assert Client().get(path).status_code == 404
    assert path not in stranger.get("/me/calendar").content.decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_other_changes_leave_the_calendar_link_working(person):
    me = person()
    path = _calendar_path(me)
    me.post("/me/signout")
    other = Client()
    other.post("/me/signin", {"username": me.username, "passphrase": me.passphrase})
    other.post("/me/recovery-codes")
    assert Client().get(path).status_code == 200


# --- clocks at the ends of time -------------------------------------------------------------------


def _new_clock(client, start, *, start_time="", zone="UTC", **headers):
    return client.post(
        "/me/clocks/new",
        {
            "name": "drinking",
            "start_date": start,
            "start_time": start_time,
            "timezone": zone,
            "convention": "na-keytags",
        },
        **headers,
    )


@pytest.mark.django_db
@sweep("start", ["9999-12-31", "0001-01-01", "2999-01-01", "1899-12-31", "+2 days", "+400 days"])
def test_item25_low_the_form_refuses_dates_outside_a_sane_window(person, start):
    if start.startswith("+"):  # days after today where the clock is kept (14 hours ahead of UTC)
        there = datetime.now(UTC).astimezone(ZoneInfo("Pacific/Kiritimati")).date()
        start = (there + timedelta(days=int(start.split()[0]))).isoformat()
    me = person()
    answer = _new_clock(me, start, zone="Pacific/Kiritimati")
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "between" in text and "1900" in text, text[:3000]
    spanish = _new_clock(me, start, zone="Pacific/Kiritimati", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 400 and "entre" in spanish.content.decode()
    assert not Clock.objects.exists()
    assert me.get("/me/").status_code == 200


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_item25_low_the_form_takes_the_window_s_edges(person, zone):
    me = person()
    tomorrow = (datetime.now(UTC) + timedelta(hours=-12 if zone == "Etc/GMT+12" else 14)).date() + timedelta(days=1)
    for start in ("1900-01-01", tomorrow.isoformat()):
        assert _new_clock(me, start, zone=zone).status_code == 302, start
    for clock in Clock.objects.all():
        assert me.get(f"/me/clocks/{oid('clock', clock.pk)}").status_code == 200


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_any_date_through_the_form_is_a_clock_or_a_clear_refusal(person):
    me = person()
    today = datetime.now(UTC).date()

    @FAST
    @given(st.dates(), st.sampled_from(["", "00:00", "23:30"]), st.sampled_from(ZONES))
    def check(start, start_time, zone):
        answer = _new_clock(me, start.isoformat(), start_time=start_time, zone=zone)
        sane = date(1900, 1, 1) <= start <= today + timedelta(days=2)  # tomorrow in the zone furthest ahead
        if answer.status_code == 400:
            assert "1900" in answer.content.decode()
            assert start > today - timedelta(days=1) or start < date(1900, 1, 1)
        else:
            assert answer.status_code == 302 and sane, (start, answer.status_code)
            assert me.get(answer["Location"]).status_code == 200
        assert me.get("/me/").status_code == 200

    check()


STORED_DATES = st.one_of(
    st.dates(),
    st.sampled_from([date.min, date.max, date(9999, 12, 31), date(1, 1, 1), date(9998, 12, 31), date(9999, 1, 31)]),
)


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_a_stored_clock_at_any_date_never_breaks_a_page(person, world):
    """Values an older version stored: /me/, the clock, its calendar file, a reset, and the
    specialist's participant page (the clock shared with the workspace) all answer."""
    from commonground.journal.sharing import code_hash
    from commonground.peer.companion import link

    me = person()
    user = get_user_model().objects.get(username=me.username)
    ShareGrant.objects.create(user=user, code_hash=code_hash("shared-code-1"), data={})
    assert link(world["people"]["p1"], "shared-code-1")
    specialist = world["clients"]["a_one"]
    clock = Clock.objects.create(user=user, data={})
    participant_page = f"/peer/participants/{oid('participant', world['people']['p1'].pk)}"

    @FAST
    @given(
        STORED_DATES,
        st.sampled_from([None, "00:00", "23:59"]),
        st.sampled_from(ZONES),
        STORED_DATES,
        st.sampled_from(ZONES),
        st.sampled_from(["plain", "na-keytags", "aa-chips"]),
    )
    def check(start, start_time, zone, past, my_zone, convention):
        account = Account.objects.get(user=user)
        account.data = account.data.but(timezone=my_zone)
        account.save(update_fields=["data"])
        clock.data = {
            "name": "drinking",
            "start_date": start.isoformat(),
            "start_time": start_time,
            "timezone": zone,
            "convention": convention,
            "slips": [{"date": past.isoformat(), "time": "12:00", "note": "", "timezone": zone}],
            "stretches": [{"start_date": past.isoformat(), "end_date": start.isoformat()}],
        }
        clock.save()
        for path in (
            "/me/",
            f"/me/clocks/{oid('clock', clock.pk)}",
            f"/me/clocks/{oid('clock', clock.pk)}/milestones.ics",
        ):
            answer = me.get(path)
            assert answer.status_code == 200, (path, start, start_time, zone, answer.status_code)
        assert specialist.get(participant_page).status_code == 200, (start, start_time, zone)

    check()
    before = Clock.objects.get(pk=clock.pk).data.start_date
    assert me.post(f"/me/clocks/{oid('clock', clock.pk)}/reset").status_code == 302
    assert Clock.objects.get(pk=clock.pk).data.start_date != before or before == datetime.now(UTC).date()


@pytest.mark.django_db
def test_item25_low_the_export_holds_neither_the_calendar_seal_nor_a_session_key(person):
    """The seal is the server's, not the person's; a session key in a downloaded file would let
    whoever holds the file use that session."""
    import io
    import zipfile

    me = person()
    me.post("/me/calendar/new-link")
    archive = zipfile.ZipFile(io.BytesIO(me.post("/me/export").content))
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    account = Account.objects.get(user__username=me.username)
    assert account.data.calendar_seal not in text
    assert me.cookies["sessionid"].value not in text
    assert account.data.calendar_token in text  # the person's own link is theirs to keep
