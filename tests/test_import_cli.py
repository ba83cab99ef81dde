"""`commonground import`, `sync`, `export` and `validate` as a person runs them."""

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


@pytest.fixture
def env(tmp_path):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
    }


def run(env, *args):
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=120)


def test_import_json_output_and_exit_codes(env, samples, tmp_path):
    result = run(env, "import", str(samples / "meeting-guide-variants.json"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= {"source", "added", "updated", "removed", "unchanged", "skipped", "warnings", "errors"}
    assert (report["added"], report["skipped"]) == (20, 4)
    assert {"row", "key", "field", "message"} <= set(report["warnings"][0])

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run(env, "import", str(broken), "--json")
    assert result.returncode != 0
    assert json.loads(result.stdout)["errors"][0]["code"] == "syntax"


def test_import_summary_sync_export_validate(env, samples, tmp_path):
    result = run(env, "import", str(samples / "tsml-template-san-jose.csv"), "--name", "San Jose")
    assert result.returncode == 0 and "36 added" in result.stdout
    result = run(env, "import", str(samples / "bmlt-bronx"))
    assert result.returncode == 0 and "113 added" in result.stdout
    result = run(env, "sync")
    assert result.returncode == 0 and result.stdout.count("unchanged") == 2
    out = tmp_path / "out.json"
    result = run(env, "export", "--program", "na", "--output", str(out))
    assert result.returncode == 0 and len(json.loads(out.read_text())) == 113
    result = run(env, "validate", str(out))
    assert result.returncode == 0 and "valid: 113 meetings, 0 errors" in result.stdout
    result = run(env, "validate", str(samples / "meeting-guide-variants.json"), "--json")
    assert result.returncode == 1 and json.loads(result.stdout)["errors"] > 0


def test_bad_options_get_clear_messages(env, samples):
    result = run(env, "import", str(samples / "tsml-template-san-jose.csv"), "--program", "xyz")
    assert result.returncode != 0 and "Unknown program 'xyz'" in result.stderr
    result = run(env, "import", str(samples / "tsml-template-san-jose.csv"), "--timezone", "Nowhere/Else")
    assert result.returncode != 0 and "not an IANA time zone" in result.stderr
