import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.own_sqlite,
]  # subprocesses or many generated cases: `scripts/test --fast` skips them

EXE = shutil.which("commonground") or str(Path(sys.executable).parent / "commonground")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("search-cli")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "COMMONGROUND_VAR_DIR": str(tmp / "var")}
    subprocess.run([EXE, "demo", "--meetings", "800", "--seed", "5"], env=env, check=True, capture_output=True)
    return env


def run(env, *args):
    return subprocess.run([EXE, "search", *args], env=env, capture_output=True, text=True, timeout=120)


def test_table_output(env):
    result = run(
        env,
        "--near",
        "New York, NY",
        "--radius-km",
        "50",
        "--starting-within",
        "1440",
        "--now",
        "2026-06-09T18:00:00-04:00",
        "--limit",
        "3",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "meetings near New York City, NY" in lines[0] and "America/New_York" in lines[0]
    assert len([line for line in lines if " km " in line]) == 3


def test_json_matches_the_api_shape(env):
    result = run(env, "--mode", "online", "--starting-within", "120", "--now", "2026-06-09T23:00:00Z", "--json")
    body = json.loads(result.stdout)
    assert body["count"] >= len(body["results"]) > 0
    assert all(r["mode"] in ("online", "hybrid") for r in body["results"])


def test_bad_options_say_which_option(env):
    result = run(env, "--radius-km", "900")
    assert result.returncode == 2 and "--radius-km: radius_km must be at most 500" in result.stderr
    result = run(env, "--near", "Springfield")
    assert result.returncode == 2 and "did you mean: Springfield, IL" in result.stderr
