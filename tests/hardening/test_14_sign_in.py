"""Issue 25, items 1, 4 and 5 and three Low items: sign-in secrets, lock-outs and floods.

1. No secret typed into a sign-in, recovery or admin form is stored anywhere in the database (django-axes
   kept failed POST bodies, masking only ``password``), and what was stored before is purged.
4. Behind a proxy each client is locked out on its own address, read from X-Forwarded-For as far as the
   trusted proxies vouch for it; a spoofed left-most entry changes nothing.
5. A flood of sign-ins is refused before any hashing, by address and in total, with a friendly 429; the
   tables it touched stay bounded and are purged on a schedule.
Low: the recovery-code lock-out counts every case of a username; the CSRF cookie lasts a session;
anonymous requests create no session row; deleting an account does not read every session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.tiers import sweep

ROOT = Path(__file__).resolve().parents[2]

# Distinctive values, each typed once into a form below; none may be found in the database afterwards.
SECRETS = {
    "wrong": "zqWrongGuess7731",
    "wrong_code": "wxyz-zq7k-m3pt",
    "new_on_failed_recover": "zqNewPhraseA4410kelp",
    "new_on_recover": "zqNewPhraseB5521moss",
    "right_while_locked": "zqRightPhrase8842fern",
    "staff_near_miss": "zqStaffNearMiss6613",
    "admin_near_miss": "zqAdminNearMiss9921",
    "old_stored": "zqOldStoredPhrase3307",
    "old_deleted": "zqOldDeletedPhrase5519",
}


def _signup(client, username, passphrase):
    response = client.post(
        "/me/signup", {"username": username, "passphrase": passphrase, "passphrase2": passphrase, "timezone": "UTC"}
    )
    assert response.status_code == 200, response.content.decode()[:500]
    return [c.split("</code>")[0].strip() for c in response.content.decode().split("<code>")[1:]]


def drive_sign_in_forms() -> None:
    """Type every kind of secret into the real forms: failures, a lock-out, recovery, staff and admin."""
    from django.conf import settings

    from commonground.peer.models import Organisation, Role, Staff

    here = {"REMOTE_ADDR": "203.0.113.10"}
    _signup(Client(**here), "quiet-river", SECRETS["right_while_locked"])
    codes = _signup(Client(**here), "calm-lake", "lantern harbour pebble")
    Client(**here).post(
        "/me/recover",
        {"username": "quiet-river", "code": SECRETS["wrong_code"], "passphrase": SECRETS["new_on_failed_recover"]},
    )
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(**here).post("/me/signin", {"username": "quiet-river", "passphrase": f"{SECRETS['wrong']}{n}"})
    locked = Client(**here).post("/me/signin", {"username": "quiet-river", "passphrase": SECRETS["right_while_locked"]})
    assert locked.status_code != 302, "the right passphrase is refused during a lock-out"
    recovered = Client(REMOTE_ADDR="203.0.113.11").post(
        "/me/recover", {"username": "calm-lake", "code": codes[0], "passphrase": SECRETS["new_on_recover"]}
    )
    assert recovered.status_code == 200
    staff = User.objects.create_user("staff-one", password="the staff passphrase 1")
    Staff.objects.create(
        user=staff, organisation=Organisation.objects.create(name="Org"), role=Role.SUPERVISOR, display_name="Staff One"
    )
    Client(REMOTE_ADDR="203.0.113.12").post(
        "/peer/signin", {"username": "staff-one", "passphrase": SECRETS["staff_near_miss"]}
    )
    User.objects.create_superuser("admin", password="the admin passphrase 1")
    Client(REMOTE_ADDR="203.0.113.13").post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": SECRETS["admin_near_miss"]}
    )


def _forms_of(secret: str) -> set[bytes]:
    return {secret.encode(), quote_plus(secret).encode(), secret.upper().encode()}


def _found(blob: bytes) -> list[str]:
    return [name for name, secret in SECRETS.items() if any(form in blob for form in _forms_of(secret))]


def _every_value_in_every_table() -> bytes:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    parts.append(bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode())
    return b"\n".join(parts)


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_1_no_typed_secret_is_in_any_table(settings):
    """On SQLite and PostgreSQL alike: every column of every table, read back as text."""
    drive_sign_in_forms()
    blob = _every_value_in_every_table()
    assert b"quiet-river" in blob  # the search does see the data
    assert _found(blob) == []


SQLITE_DRIVER = textwrap.dedent("""
    import django
    django.setup()
    from django.conf import settings
    settings.PASSWORD_HASHERS = ["conftest.FastArgon2", *settings.PASSWORD_HASHERS]
    settings.SIGN_IN_RATE_PER_ADDRESS = settings.SIGN_IN_RATE_TOTAL = "100000/s"  # the flood tests are below
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    call_command("migrate", "journal", "0002", verbosity=0)  # back to before the purge
    from axes.models import AccessAttempt
    # A row as django-axes wrote them before the fix: a passphrase in clear in post_data.
    AccessAttempt.objects.create(username="old", ip_address="192.0.2.1", user_agent="x", http_accept="*/*",
                                 path_info="/me/signin", get_data="", failures_since_start=1,
                                 post_data="username=old\\npassphrase=" + OLD_SECRET)
    # And one axes deleted (a sign-in that then worked): its bytes stay in the file's free space.
    AccessAttempt.objects.create(username="gone", ip_address="192.0.2.2", user_agent="x", http_accept="*/*",
                                 path_info="/me/signin", get_data="", failures_since_start=1,
                                 post_data="username=gone\\npassphrase=" + OLD_DELETED)
    AccessAttempt.objects.filter(username="gone").delete()
    call_command("migrate", verbosity=0)
    from tests.hardening.test_14_sign_in import drive_sign_in_forms
    drive_sign_in_forms()
""")


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads the SQLite file itself")
def test_item25_1_no_typed_secret_is_in_the_sqlite_files(tmp_path):
    """The database file, its WAL and its journal, byte for byte, after a real run on a file."""
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
        "SECRET_KEY": "test-" + "k" * 50,
        "COMPANION_KEYS": "dGVzdC1vbmx5LWtleS1mb3ItY29tbW9uLWdyb3VuZCE",
        "PYTHONPATH": f"{ROOT}/src:{ROOT}",
        "ALLOWED_HOSTS": "testserver",
        "AUDIT_KEYS": "dGVzdC1vbmx5LWF1ZGl0LWtleS1jb21tb24tZ3JuZCE",
    }
    driver = SQLITE_DRIVER.replace("OLD_SECRET", repr(SECRETS["old_stored"])).replace(
        "OLD_DELETED", repr(SECRETS["old_deleted"])
    )
    run = subprocess.run([sys.executable, "-c", driver], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    files = [p for p in tmp_path.iterdir() if p.name.startswith("db.sqlite3")]
    blob = b"".join(p.read_bytes() for p in files)
    assert b"quiet-river" in blob and database.stat().st_size > 0
    assert _found(blob) == [], [p.name for p in files]


@pytest.mark.django_db
def test_item25_1_the_migration_purges_what_axes_stored(settings):
    from importlib import import_module

    from axes.models import AccessAttempt
    from django.apps import apps

    AccessAttempt.objects.create(
        username="old",
        ip_address="192.0.2.1",
        user_agent="x",
        http_accept="*/*",
        path_info="/me/signin",
        get_data="next=/me/",
        post_data=f"passphrase={SECRETS['old_stored']}",
        failures_since_start=2,
    )
    migration = import_module("commonground.journal.migrations.0003_purge_axes_post_data")
    assert ("axes", "0010_accessattemptexpiration") in migration.Migration.dependencies
    migration.purge_post_data(apps, None)
    kept = AccessAttempt.objects.get()
    assert (kept.post_data, kept.get_data, kept.failures_since_start) == ("", "", 2)  # the lock-out count stays


# --- item 4: behind a proxy ----------------------------------------------------------------------------------

PROXY = "10.0.0.2"


def _via_proxy(chain: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


@pytest.mark.parametrize(
    ("count", "remote", "chain", "client"),
    [
        (0, "198.51.100.4", "203.0.113.7", "198.51.100.4"),  # no proxy trusted: the header is ignored
        (1, PROXY, "203.0.113.7", "203.0.113.7"),
        (1, PROXY, "192.0.2.99, 203.0.113.7", "203.0.113.7"),  # a spoofed left-most entry is not believed
        (1, PROXY, "not-an-address, 203.0.113.7", "203.0.113.7"),
        (2, PROXY, "192.0.2.99, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, PROXY, "", PROXY),  # a request that did not come through the proxy chain: the peer's own address
        (2, PROXY, "203.0.113.7", PROXY),
        (1, PROXY, "192.0.2.1, garbage", PROXY),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_item25_4_the_client_address_is_read_as_far_as_the_proxies_vouch(settings, rf, count, remote, chain, client):
    from commonground.journal.throttle import client_address

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.post("/me/signin", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=chain)
    assert client_address(request) == client


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_4_two_clients_behind_one_proxy_are_locked_out_separately(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _signup(Client(), "quiet-river", "lantern harbour pebble")
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker varies a spoofed left-most entry; the proxy appends its real address.
        _via_proxy(f"192.0.2.{n}, 203.0.113.7").post(
            "/me/signin", {"username": "quiet-river", "passphrase": "wrong guess here"}
        )
    neighbour = _via_proxy("198.51.100.9").post(
        "/me/signin", {"username": "quiet-river", "passphrase": "lantern harbour pebble"}
    )
    assert neighbour.status_code == 302, "someone else behind the same proxy is not locked out"
    dodge = _via_proxy("192.0.2.200, 203.0.113.7").post(
        "/me/signin", {"username": "quiet-river", "passphrase": "lantern harbour pebble"}
    )
    assert dodge.status_code != 302, "a new spoofed entry does not end the attacker's lock-out"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("environment", "count"),
    [
        ({}, "0"),
        ({"COMMONGROUND_HTTPS": "1"}, "1"),
        ({"COMMONGROUND_HTTPS": "1", "TRUSTED_PROXY_COUNT": "2"}, "2"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "refused"),
    ],
)
def test_item25_4_the_trusted_proxy_count_comes_from_the_environment(environment, count):
    env = {k: v for k, v in os.environ.items() if k not in ("COMMONGROUND_HTTPS", "TRUSTED_PROXY_COUNT")}
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.TRUSTED_PROXY_COUNT, settings.AXES_CLIENT_IP_CALLABLE)",
        ],
        env={**env, **environment, "DJANGO_SETTINGS_MODULE": "commonground.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if count == "refused":
        assert run.returncode != 0 and "TRUSTED_PROXY_COUNT" in run.stderr
    else:
        assert run.stdout.split() == [count, "commonground.journal.throttle.client_address"], run.stderr[-2000:]


# --- item 5: a flood -------------------------------------------------------------------------------------


@pytest.fixture
def flood_limits(settings):
    """The project's own limits (tests run with generous ones), counted from zero."""
    from django.core.cache import cache

    from commonground import settings as project

    settings.SIGN_IN_RATE_PER_ADDRESS = project.SIGN_IN_RATE_PER_ADDRESS
    settings.SIGN_IN_RATE_TOTAL = project.SIGN_IN_RATE_TOTAL
    cache.clear()
    return settings


@pytest.fixture
def hashes(monkeypatch):
    """Counts every passphrase hashed or checked (the costly Argon2 work)."""
    from django.contrib.auth.hashers import get_hashers

    seen = []
    for hasher in get_hashers():
        cls = type(hasher)
        for name in ("encode", "verify"):
            original = getattr(cls, name)
            monkeypatch.setattr(cls, name, lambda self, *a, _o=original, **k: (seen.append(1), _o(self, *a, **k))[1])
    return seen


def _limit(rate: str) -> int:
    return int(rate.split("/")[0])


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_5_a_flood_from_one_address_is_refused_before_hashing(flood_limits, hashes):
    settings = flood_limits
    from axes.models import AccessAttempt, AccessFailureLog

    _signup(Client(REMOTE_ADDR="198.51.100.20"), "quiet-river", "lantern harbour pebble")
    hashes.clear()
    limit = _limit(settings.SIGN_IN_RATE_PER_ADDRESS)
    answers = [
        Client(REMOTE_ADDR="203.0.113.66").post(
            "/me/signin", {"username": f"flood{n}", "passphrase": "some long guess"}
        )
        for n in range(limit + 20)
    ]
    assert len(hashes) <= limit
    refused = answers[-1]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many sign-ins" in refused.content.decode()
    assert AccessAttempt.objects.count() <= limit and AccessFailureLog.objects.count() == 0
    spanish = Client(REMOTE_ADDR="203.0.113.66").post(
        "/me/signin", {"username": "x", "passphrase": "y" * 12}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert spanish.status_code == 429 and "Demasiados" in spanish.content.decode()
    # The other sign-in doors are the same door for this.
    for url, data in [
        ("/me/recover", {"username": "a", "code": "b", "passphrase": "c" * 12}),
        ("/peer/signin", {"username": "a", "passphrase": "b" * 12}),
        ("/me/signup", {"username": "abc", "passphrase": "b" * 12, "passphrase2": "b" * 12}),
        ("/admin/login/", {"username": "a", "password": "b"}),
    ]:
        assert Client(REMOTE_ADDR="203.0.113.66").post(url, data).status_code == 429, url
    passkey = Client(REMOTE_ADDR="203.0.113.66").post("/me/signin/passkey", b"{}", content_type="application/json")
    assert passkey.status_code == 429 and passkey.json()["error"]["status"] == 429
    # Everyone else still signs in, and the flooding address can still read every page.
    assert (
        Client(REMOTE_ADDR="198.51.100.21")
        .post("/me/signin", {"username": "quiet-river", "passphrase": "lantern harbour pebble"})
        .status_code
        == 302
    )
    assert Client(REMOTE_ADDR="203.0.113.66").get("/me/signin").status_code == 200


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_5_a_flood_from_many_addresses_meets_the_total_limit(flood_limits, hashes):
    settings = flood_limits
    import time_machine

    _signup(Client(REMOTE_ADDR="198.51.100.20"), "quiet-river", "lantern harbour pebble")
    signed_in = Client(REMOTE_ADDR="198.51.100.20")
    assert (
        signed_in.post("/me/signin", {"username": "quiet-river", "passphrase": "lantern harbour pebble"}).status_code
        == 302
    )
    hashes.clear()
    total = _limit(settings.SIGN_IN_RATE_TOTAL)
    with time_machine.travel(0, tick=False) as clock:
        codes = [
            Client(REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
            .post("/me/signin", {"username": f"flood{n}", "passphrase": "some long guess"})
            .status_code
            for n in range(total + 20)
        ]
        assert len(hashes) <= total and codes.count(429) >= 20
        # The site stays up for everyone: pages, the API, and people already signed in.
        assert Client().get("/").status_code == 200
        assert Client().get("/api/v1/meetings").status_code == 200
        assert signed_in.get("/me/").status_code == 200
        # The refusal is brief: the next window lets people in again.
        clock.shift(int(settings.SIGN_IN_RATE_TOTAL.split("/")[1].rstrip("s")) + 1)
        assert (
            Client(REMOTE_ADDR="198.51.100.30")
            .post("/me/signin", {"username": "quiet-river", "passphrase": "lantern harbour pebble"})
            .status_code
            == 302
        )


@pytest.mark.django_db
def test_item25_5_the_schedule_purges_old_attempts_and_sessions():
    from datetime import timedelta

    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    now = timezone.now()
    for n, age in enumerate([timedelta(hours=3), timedelta(days=40), timedelta(minutes=1)]):
        AccessAttempt.objects.create(
            username=f"u{n}",
            ip_address="192.0.2.1",
            user_agent="x",
            http_accept="*/*",
            path_info="/",
            get_data="",
            post_data="",
            failures_since_start=1,
        )
        AccessAttempt.objects.filter(username=f"u{n}").update(attempt_time=now - age)
        AccessFailureLog.objects.create(
            username=f"u{n}", ip_address="192.0.2.1", user_agent="x", http_accept="*/*", path_info="/"
        )
        AccessFailureLog.objects.filter(username=f"u{n}").update(attempt_time=now - age)
    old = SessionStore()
    old.set_expiry(-10)
    old.create()
    live = SessionStore()
    live.create()
    call_command("purge_sign_ins", verbosity=0)
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["u2"]
    assert list(AccessFailureLog.objects.values_list("username", flat=True)) == ["u2"]
    assert list(Session.objects.values_list("pk", flat=True)) == [live.session_key]


# --- Low items ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_the_recovery_code_lock_out_counts_every_case_of_a_username(settings):
    codes = _signup(Client(), "quiet-river", "lantern harbour pebble")
    variants = ["Quiet-River", "QUIET-RIVER", "quiet-RIVER", "Quiet-river", "qUIET-rIVER", "QuIeT-RiVeR"]
    for name in variants[: settings.AXES_FAILURE_LIMIT]:
        Client().post("/me/recover", {"username": name, "code": "aaaa-bbbb-cccc", "passphrase": "another long one"})
    locked = Client().post(
        "/me/recover", {"username": "quiet-river", "code": codes[0], "passphrase": "another long one"}
    )
    assert locked.status_code != 200, "five wrong codes under any case of the name lock that name out"


@pytest.mark.django_db
@sweep("url", ["/me/signin", "/me/signup", "/me/recover", "/peer/signin", "/admin/login/"])
def test_item25_low_the_csrf_cookie_on_sign_in_pages_lasts_a_session(url):
    response = Client().get(url)
    assert response.status_code == 200
    cookie = response.cookies["csrftoken"]
    assert cookie["max-age"] == "" and cookie["expires"] == "", cookie.OutputString()


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_anonymous_requests_create_no_session_row(client):
    for _ in range(5):
        for url in ["/", "/me/signin", "/me/signup", "/me/recover", "/peer/signin", "/admin/login/", "/me/"]:
            assert Client().get(url).status_code in (200, 302)
        Client().post("/me/signin", {"username": "nobody-here", "passphrase": "a long wrong guess"})
        Client().post(
            "/me/recover", {"username": "nobody-here", "code": "aaaa-bbbb-cccc", "passphrase": "a long wrong guess"}
        )
        assert Client().post("/me/signin/passkey/options").status_code == 200
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_item25_low_a_passkey_sign_in_still_works_without_a_session_row(monkeypatch):
    from types import SimpleNamespace

    from commonground.journal import accounts
    from commonground.journal.models import Passkey

    user = User.objects.create_user("key-holder", password="unused passphrase 1")
    Passkey.objects.create(user=user, credential_id="cred-1", public_key="AQID", sign_count=0)
    seen = {}

    def verify(**kwargs):
        seen["challenge"] = kwargs["expected_challenge"]
        return SimpleNamespace(new_sign_count=1)

    monkeypatch.setattr(accounts, "verify_authentication_response", verify)
    browser = Client()
    options = browser.post("/me/signin/passkey/options").json()
    assert Session.objects.count() == 0
    answer = browser.post("/me/signin/passkey", {"id": "cred-1"}, content_type="application/json")
    assert answer.json()["ok"] is True and browser.get("/me/").status_code == 200
    from webauthn.helpers import base64url_to_bytes

    assert seen["challenge"] == base64url_to_bytes(options["challenge"])
    # The challenge works once: the same answer again is refused.
    again = Client()
    again.cookies = browser.cookies
    assert again.post("/me/signin/passkey", {"id": "cred-1"}, content_type="application/json").status_code == 400


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_deleting_an_account_reads_no_one_elses_session(monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    first, phone, laptop = Client(), Client(), Client()
    _signup(first, "quiet-river", "lantern harbour pebble")
    for device in (phone, laptop):
        assert (
            device.post("/me/signin", {"username": "quiet-river", "passphrase": "lantern harbour pebble"}).status_code
            == 302
        )
    _signup(Client(), "calm-lake", "another long passphrase")
    mine = [device.session.session_key for device in (first, phone, laptop)]
    others = Session.objects.exclude(pk__in=mine).count()
    assert others == 1
    for _ in range(20):
        SessionStore().create()

    def refuse(self):
        raise AssertionError("a session was decoded to find its owner")

    monkeypatch.setattr(Session, "get_decoded", refuse)
    answer = phone.post("/me/delete", {"confirm": "quiet-river"})
    assert answer.status_code == 200, answer.content.decode()[:500]
    assert not User.objects.filter(username="quiet-river").exists()
    assert laptop.get("/me/").status_code == 302
    assert Session.objects.count() == others + 20


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_5_a_flood_writes_one_log_line_a_window_not_one_a_request(flood_limits, caplog):
    """A refused sign-in is logged once per limit window, not per request: a flood must not grow
    the server's log (a disk) as it once grew two tables."""
    import logging

    limit = _limit(flood_limits.SIGN_IN_RATE_PER_ADDRESS)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answers = [
            Client(REMOTE_ADDR="203.0.113.67").post(
                "/me/signin", {"username": f"flood{n}", "passphrase": "some long guess"}
            )
            for n in range(limit + 40)
        ]
    assert sum(a.status_code == 429 for a in answers) >= 40
    refusals = [r for r in caplog.records if r.name == "django.request" and getattr(r, "status_code", 0) == 429]
    assert len(refusals) == 1, [r.getMessage() for r in refusals]
