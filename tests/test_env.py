from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from commonground.env import database_from_url, env_bool, env_int, env_list


def test_env_bool_accepts_common_spellings_and_refuses_others(monkeypatch):
    monkeypatch.setenv("X", "yes")
    assert env_bool("X", False) is True
    monkeypatch.setenv("X", "0")
    assert env_bool("X", True) is False
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env_bool("X", False)


def test_env_int_refuses_words_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env_int("N", 1, minimum=1)
    monkeypatch.delenv("N")
    assert env_int("N", 5) == 5


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_sqlite_urls_absolute_and_relative():
    absolute = database_from_url("sqlite:////tmp/x.sqlite3", base_dir=Path("/srv"))
    assert absolute["NAME"] == "/tmp/x.sqlite3"
    assert "journal_mode=WAL" in absolute["OPTIONS"]["init_command"]
    relative = database_from_url("sqlite:///var/db.sqlite3", base_dir=Path("/srv"))
    assert relative["NAME"] == "/srv/var/db.sqlite3"
    assert database_from_url("sqlite:///:memory:", base_dir=Path("/srv"))["NAME"] == ":memory:"


def test_postgres_url():
    db = database_from_url("postgres://cg:s%40cret@db.internal:5433/commonground?sslmode=require", base_dir=Path("."))
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "cg",
        "s@cret",
        "db.internal",
        "5433",
        "commonground",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_unsupported_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="unsupported scheme"):
        database_from_url("mysql://x/y", base_dir=Path("."))
