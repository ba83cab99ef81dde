"""Private data is encrypted at rest, bound to its column, rotatable, and never stored in plain text."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from commonground.journal.models import Account, CheckIn, Plan
from commonground.keys import new_key
from commonground.private import crypto

SECRET = "Marisol-knows-about-the-blue-door-7731"


def all_stored_text() -> str:
    """Every value of every table, as the database holds it (works on SQLite and PostgreSQL)."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            out.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(out)


@pytest.mark.django_db
def test_the_database_holds_no_plaintext_of_what_a_person_writes(person):
    client = person(username="blue-door-person")
    client.post("/me/plan", {"reasons": SECRET, "person_1_name": "Marisol", "person_1_phone": "555 010 7731"})
    client.post("/me/checkin", {"mood": "2", "craving": "7", "note": SECRET})
    client.post(
        "/me/clocks/new",
        {"name": SECRET[:40], "start_date": "2026-01-02", "timezone": "America/Chicago", "convention": "plain"},
    )
    assert Plan.objects.get().data.reasons == SECRET  # readable through the app
    stored = all_stored_text()
    for needle in (SECRET, SECRET[:40], "Marisol", "555 010 7731", "2026-01-02", "America/Chicago"):
        assert needle not in stored, f"{needle!r} is stored in plain text"
    assert "cg1." in stored


@pytest.mark.django_db
def test_a_value_moved_to_another_column_or_row_kind_does_not_decrypt(person):
    client = person()
    client.post("/me/checkin", {"mood": "4", "craving": "1", "note": "fine"})
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {CheckIn._meta.db_table}")
        stolen = cursor.fetchone()[0]
        cursor.execute(f"UPDATE {Plan._meta.db_table} SET data = %s", [stolen])
        cursor.execute(
            f"INSERT INTO {Plan._meta.db_table} (user_id, data) SELECT user_id, %s FROM {CheckIn._meta.db_table}",
            [stolen],
        )
    with pytest.raises(crypto.DecryptionError):
        list(Plan.objects.all())
    tampered = stolen[:-4] + ("AAAA" if not stolen.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, b"commonground:journal.CheckIn.data")


@pytest.mark.django_db
def test_key_rotation_re_encrypts_everything_and_the_old_key_can_then_go(person, settings):
    client = person()
    client.post("/me/checkin", {"mood": "4", "craving": "1", "note": "rotation"})
    old = settings.COMPANION_KEYS
    new = new_key()
    settings.COMPANION_KEYS = f"{new},{old}"
    counts = crypto.rotate()
    assert counts["journal.CheckIn.data"] == 1 and counts["journal.Account.data"] == 1
    settings.COMPANION_KEYS = new  # the old key is gone
    assert CheckIn.objects.get().data.note == "rotation"
    assert Account.objects.get().data.timezone == "America/Chicago"
    assert crypto.rotate()["journal.CheckIn.data"] == 0


def test_bad_keys_are_refused_with_a_message(settings):
    settings.COMPANION_KEYS = "c2hvcnQ"  # "short"
    with pytest.raises(crypto.KeyError_, match="32 bytes"):
        crypto.ring()


def _run(env: dict, code: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("COMPANION_KEYS", "DJANGO_SETTINGS_MODULE", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_a_key_and_development_makes_one(tmp_path):
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='commonground.settings'; import django; django.setup();"
        "from commonground.private.crypto import refuse_missing_key; refuse_missing_key(); print('started')"
    )
    env = {
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    refused = _run({**env, "DEBUG": "0"}, code)
    assert refused.returncode != 0 and "No key for the companion's private data" in refused.stderr
    made = _run({**env, "DEBUG": "1"}, code)
    assert made.returncode == 0 and "started" in made.stdout, made.stderr
    assert "Made a local key" in made.stderr
    key_file = tmp_path / "var" / "companion_keys"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    again = _run({**env, "DEBUG": "0"}, code)  # the file is a key: production may use it
    assert again.returncode == 0, again.stderr
