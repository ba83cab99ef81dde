"""Smoke tests of the `commonground` console script, run as a person would: in a subprocess."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import TEST_COMPANION_KEY

pytestmark = [
    pytest.mark.slow,
    pytest.mark.own_sqlite,
]  # subprocesses or many generated cases: `scripts/test --fast` skips them

EXE = shutil.which("commonground") or str(Path(sys.executable).parent / "commonground")


def run(*args, env=None, timeout=180):
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def cli_env(tmp_path):
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env["COMMONGROUND_VAR_DIR"] = str(tmp_path / "var")
    return env


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "import", "export", "validate", "search", "sync"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command


def test_demo_into_the_database_named_by_database_url(cli_env, tmp_path):
    assert run("migrate", "--verbosity", "0", env=cli_env).returncode == 0
    result = run("demo", "--meetings", "250", "--seed", "4", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "Loaded 250 synthetic demo meetings" in result.stdout
    assert (tmp_path / "cli.sqlite3").exists()
    # WAL mode is on for the file database.
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM meetings_meeting").fetchone()[0] == 250


def test_bad_settings_fail_loudly(cli_env):
    cli_env["DEBUG"] = "perhaps"
    result = run("demo", "--meetings", "1", env=cli_env)
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_bad_arguments_get_a_clear_message(cli_env):
    result = run("demo", "--meetings", "0", env=cli_env)
    assert result.returncode != 0 and "--meetings must be at least 1" in result.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_with_programs_and_meetings(cli_env):
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port), "--workers", "1"],
        env={**cli_env, "SECRET_KEY": "a-test-key-" + "x" * 40, "COMPANION_KEYS": TEST_COMPANION_KEY},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"serve exited early:\n{proc.stdout.read()}")
                time.sleep(0.5)
        assert body is not None, "the server never answered"
        assert "Alcoholics Anonymous" in body and "SMART Recovery" in body
        count = int(re.search(r"([\d,]+) meetings listed", body).group(1).replace(",", ""))
        assert count > 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/web/site.css", timeout=5) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_new_key_and_rotate_keys(cli_env):
    made = run("new-key", env=cli_env)
    key = made.stdout.strip()
    assert made.returncode == 0 and len(key) == 43
    rotated = run("rotate-keys", env={**cli_env, "COMPANION_KEYS": f"{key},{TEST_COMPANION_KEY}"})
    assert rotated.returncode == 0 and "now under key" in rotated.stdout, rotated.stderr
