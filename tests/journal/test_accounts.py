"""Anonymous accounts: no e-mail, recovery codes once, throttled sign-ins, sign out everywhere."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from commonground.journal.models import Account, RecoveryCode


@pytest.mark.django_db
def test_sign_up_asks_for_no_email_and_shows_the_recovery_codes_once(person):
    page = Client().get("/me/signup").content.decode()
    assert "mail" not in page.split("<form")[1].split("</form>")[0].lower()
    client = person()
    user = get_user_model().objects.get(username="quiet-river")
    assert user.email == "" and user.password.startswith("argon2")
    assert len(set(client.codes)) == 10 and all(len(c) == 14 for c in client.codes)
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert not any(
        code in RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True) for code in client.codes
    )  # only hashes are kept
    assert client.codes[0] not in client.get("/me/settings").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, passphrase, message",
    [
        ("ab", "lantern harbour pebble", "Use 3 to 40 letters"),
        ("me@example.org", "lantern harbour pebble", "Use 3 to 40 letters"),
        ("fine-name", "short", "too short"),
        ("fine-name", "password123", "too common"),
    ],
)
def test_sign_up_errors_say_what_to_do(db, username, passphrase, message):
    response = Client().post(
        "/me/signup", {"username": username, "passphrase": passphrase, "passphrase2": passphrase, "timezone": "UTC"}
    )
    assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.django_db
def test_a_taken_username_is_refused_whatever_its_case(person):
    person(username="Quiet-River")
    response = Client().post(
        "/me/signup",
        {
            "username": "quiet-river",
            "passphrase": "another long phrase",
            "passphrase2": "another long phrase",
            "timezone": "UTC",
        },
    )
    assert "That username is taken" in response.content.decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_sign_in_and_a_recovery_code_that_works_once(person):
    client = person()
    assert Client().post("/me/signin", {"username": "quiet-river", "passphrase": client.passphrase}).status_code == 302
    fresh = Client()
    response = fresh.post(
        "/me/recover",
        {"username": "quiet-river", "code": client.codes[3].upper(), "passphrase": "a brand new passphrase"},
    )
    assert response.status_code == 200 and "9 recovery codes left" in response.content.decode()
    assert fresh.get("/me/").status_code == 200
    again = Client().post(
        "/me/recover", {"username": "quiet-river", "code": client.codes[3], "passphrase": "yet another passphrase"}
    )
    assert again.status_code == 400 and "used already" in again.content.decode()
    assert (
        Client().post("/me/signin", {"username": "quiet-river", "passphrase": "a brand new passphrase"}).status_code
        == 302
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_failed_sign_ins_are_throttled(person):
    person()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/me/signin", {"username": "quiet-river", "passphrase": "wrong guess here"})
    locked = Client().post("/me/signin", {"username": "quiet-river", "passphrase": "lantern harbour pebble"})
    assert locked.status_code != 302
    # Recovery codes are counted too: the same lock-out holds.
    locked_code = Client().post(
        "/me/recover", {"username": "quiet-river", "code": "aaaa-bbbb-cccc", "passphrase": "another long phrase"}
    )
    assert locked_code.status_code != 302 and locked_code.status_code != 200


@pytest.mark.django_db
def test_sign_out_everywhere_ends_every_other_session(person):
    phone = person()
    laptop = Client()
    laptop.post("/me/signin", {"username": "quiet-river", "passphrase": phone.passphrase})
    assert laptop.get("/me/").status_code == 200
    phone.post("/me/signout-everywhere")
    assert laptop.get("/me/").status_code == 302
    assert phone.get("/me/").status_code == 302
    assert Account.objects.get().session_epoch == 1


@pytest.mark.django_db
def test_sessions_end_after_idle_time_and_use_keeps_them_alive(person):
    from datetime import UTC, datetime, timedelta

    import time_machine

    start = datetime(2031, 1, 5, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        client = person()
    idle = timedelta(minutes=settings.COMPANION_IDLE_MINUTES)
    with time_machine.travel(start + idle - timedelta(minutes=5), tick=False):
        assert client.get("/me/").status_code == 200  # in use: the expiry moves on
    with time_machine.travel(start + idle + timedelta(minutes=10), tick=False):
        assert client.get("/me/").status_code == 200
    with time_machine.travel(start + 2 * idle + timedelta(minutes=11), tick=False):
        assert client.get("/me/").status_code == 302  # idle too long: signed out


@pytest.mark.slow
@pytest.mark.django_db
def test_page_titles_are_neutral(person):
    client = person()
    for url in ("/me/", "/me/plan", "/me/help", "/me/checkin", "/me/signin"):
        html = client.get(url).content.decode()
        assert "<title>Common Ground</title>" in html, url
