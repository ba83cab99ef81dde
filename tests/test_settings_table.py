"""The README's settings table names every environment variable the code reads (issue 28: drift caught
by a test). A setting added to env.py's readers without a README row fails here, naming it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = re.compile(r"env_(?:str|bool|int|float|list)\(\s*\"([A-Z][A-Z0-9_]+)\"")
# Read by a process manager or the test tools, not by Common Ground's settings: documented where used.
NOT_SETTINGS = {"CG_UPDATE_EXPECTED"}


def _read_by_code() -> set[str]:
    names = set()
    for path in (ROOT / "src" / "commonground").rglob("*.py"):
        names |= set(READERS.findall(path.read_text(encoding="utf-8")))
    return names - NOT_SETTINGS


def _in_readme() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", (ROOT / "README.md").read_text(encoding="utf-8"), re.M))


def test_every_setting_the_code_reads_is_in_the_readme():
    assert sorted(_read_by_code() - _in_readme()) == []


def test_the_readme_lists_no_setting_the_code_does_not_read():
    stale = _in_readme() - _read_by_code() - {"WEB_CONCURRENCY", "ACCESS_LOG"}  # read by `serve` for gunicorn
    assert sorted(stale) == []


def test_the_reader_pattern_finds_settings():
    assert {"DATABASE_URL", "HELP_COUNTRY", "SECRET_KEY"} <= _read_by_code()
