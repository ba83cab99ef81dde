"""No phone number in clear, anywhere we write: the database file (every table, after texts, calls
and a routed call) and the log output hold none of the numbers used, in any of their spellings, and
no message body. And the simulator at /phone/try: the same answers, stored and rung nowhere."""

import logging
import sqlite3
from datetime import time

import pytest
from django.db import connection

from commonground.phone import numbers
from commonground.phone.models import CallAudit, Helpline, PhoneContact, Shift
from tests.phone.conftest import CALLER, SPANISH_CALLER, Phone


def spellings(number: str) -> list[bytes]:
    digits = number.lstrip("+")
    national = digits[1:]
    return [s.encode() for s in (number, digits, national, f"({national[:3]}) {national[3:6]}-{national[6:]}")] + [
        national.encode("utf-16-le")
    ]


@pytest.mark.django_db(transaction=True)
def test_no_number_or_message_in_the_database_file_or_the_logs(meetings, tmp_path, caplog):
    if connection.vendor != "sqlite":
        pytest.skip("scans an SQLite file")
    caplog.set_level(logging.DEBUG)
    line = Helpline.objects.create(name="Line", number="+15005550006", covers="10001")
    Shift.objects.create(helpline=line, person="Ana", phone="+12125550001", starts=time(0), ends=time(23, 59))
    secret_body = "my secret words near 10001"
    for number in (CALLER, SPANISH_CALLER):
        phone = Phone(number)
        phone.text(secret_body)
        phone.text("reuniones cerca de 10001")
        phone.text("I want to die")
        phone.text("MORE")
        phone.text("STOP")
        phone.call()
        phone.call("/phone/voice/menu", Digits="3")
    assert PhoneContact.objects.count() == 2 and CallAudit.objects.count() == 2
    assert PhoneContact.objects.filter(number_hash=numbers.hash_number(CALLER), stopped=True).exists()
    copy = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(copy)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    data = copy.read_bytes()
    logged = caplog.text.encode()
    for number in (CALLER, SPANISH_CALLER):
        for spelling in spellings(number):
            assert spelling not in data, spelling
            assert spelling not in logged, spelling
    assert b"my secret words" not in data and b"my secret words" not in logged


def test_the_hash_is_keyed_and_one_per_number(settings):
    settings.PHONE_HASH_KEY = "dGVzdC1vbmx5LXBob25lLWhhc2gta2V5LWZvci1jZyE"
    first = numbers.hash_number("+1 (212) 555-0188")
    assert first == numbers.hash_number("+12125550188") and len(first) == 64
    settings.PHONE_HASH_KEY = "YW5vdGhlci1waG9uZS1oYXNoLWtleS0zMi1ieXRlcyE"
    assert numbers.hash_number("+12125550188") != first


def test_a_missing_key_is_refused_without_debug(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.PHONE_HASH_KEY, settings.PHONE_HASH_KEY_FILE, settings.DEBUG = "", str(tmp_path / "k"), False
    with pytest.raises(ImproperlyConfigured):
        numbers.hash_number("+12125550188")
    settings.DEBUG = True
    assert len(numbers.hash_number("+12125550188")) == 64 and (tmp_path / "k").exists()


@pytest.mark.django_db
def test_the_simulator_shows_the_reply_with_its_segments(meetings, client):
    page = client.get("/phone/try", {"mode": "sms", "text": "10001"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hope Group" in body and "GSM-7" in body and "segment" in body
    assert not PhoneContact.objects.exists()
    crisis = client.get("/phone/try", {"text": "quiero morir"}).content.decode()
    assert "988" in crisis
    es = client.get("/phone/try", {"text": "AYUDA"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Pruebe la línea telefónica" in es and "AHORA" in es


@pytest.mark.django_db
def test_the_simulator_walks_a_call(meetings, client):
    line = Helpline.objects.create(name="Line", number="+15005550006")
    Shift.objects.create(helpline=line, person="Ana", phone="+12125550001", starts=time(0), ends=time(23, 59))
    body = client.get("/phone/try", {"mode": "voice", "keys": "1 10001"}).content.decode()
    assert "Pressed 1" in body and "Pressed 10001" in body and "Hope Group" in body
    called = client.get("/phone/try", {"mode": "voice", "keys": "3"}).content.decode()
    assert "Dial" in called and not CallAudit.objects.exists()
    assert client.post("/phone/try").status_code == 405


@pytest.mark.django_db
def test_the_simulator_carries_the_conversation_from_one_text_to_the_next(meetings, client):
    """A deployer tries a ZIP, then MORE, then STOP and another text: as a phone would see them. The
    conversation rides in the page's form, signed; nothing is stored."""
    import re

    def send(text: str, state: str = "") -> tuple[str, str]:
        body = client.get("/phone/try", {"text": text, "state": state}).content.decode()
        found = re.search(r'name="state" value="([^"]*)"', body)
        return body, found[1] if found else ""

    first, state = send("10001")
    assert "Hope Group" in first and state
    more, state = send("MORE", state)
    assert "Late Night Living" in more and "Text a ZIP code or a city first" not in more
    stopped, state = send("STOP", state)
    assert "You will get no more messages" in stopped
    after, _ = send("10001", state)
    assert "No reply: this number asked to stop." in after
    # A state changed by hand is ignored (a fresh conversation), never an error.
    forged, _ = send("MORE", state[:-3] + "abc")
    assert "Text a ZIP code or a city first" in forged
    assert not PhoneContact.objects.exists()


@pytest.mark.django_db
def test_a_new_hash_key_keeps_every_stop_and_language(meetings, settings):
    """Rotating PHONE_HASH_KEY (the new key first, the old one after it) must not text a number that
    said STOP, nor forget a chosen language: the contact is found under the old key and moved."""
    old = settings.PHONE_HASH_KEY
    stopped, spanish = Phone(CALLER), Phone(SPANISH_CALLER)
    stopped.text("STOP")
    spanish.text("AYUDA")
    settings.PHONE_HASH_KEY = "TWhOBMmYLwEknzIq0R0bx7Skc4X6uft5Clc0HFNpXXk," + old
    assert stopped.text("10001") == ""
    assert (
        spanish.text("10001").splitlines()[-1] == "Responda MAS para ver mas."
    )  # still in Spanish (GSM-7: no accents)
    assert set(PhoneContact.objects.values_list("number_hash", flat=True)) == {
        numbers.hash_number(CALLER),
        numbers.hash_number(SPANISH_CALLER),
    }
    settings.PHONE_HASH_KEY = "TWhOBMmYLwEknzIq0R0bx7Skc4X6uft5Clc0HFNpXXk"  # the old key retired
    assert stopped.text("10001") == ""
    assert PhoneContact.objects.count() == 2


@pytest.mark.django_db
def test_rows_under_the_old_and_the_new_key_merge_and_the_latest_stop_holds(meetings, settings):
    """Workers restarted at different times after a new key: one kept the number's row under the
    new key, another (still on the old key alone) took a STOP under the old one. The number said
    STOP last: it must get nothing, and one row must remain."""
    from datetime import UTC, datetime, timedelta

    old, new = settings.PHONE_HASH_KEY, "TWhOBMmYLwEknzIq0R0bx7Skc4X6uft5Clc0HFNpXXk"
    earlier = datetime.now(UTC) - timedelta(hours=1)
    settings.PHONE_HASH_KEY = new
    PhoneContact.objects.create(number_hash=numbers.hash_number(CALLER), language="es", last_seen=earlier)
    settings.PHONE_HASH_KEY = old
    PhoneContact.objects.create(number_hash=numbers.hash_number(CALLER), stopped=True, last_seen=datetime.now(UTC))
    settings.PHONE_HASH_KEY = f"{new},{old}"
    assert Phone(CALLER).text("10001") == ""
    (row,) = PhoneContact.objects.all()
    assert row.number_hash == numbers.hash_number(CALLER) and row.stopped
