"""Translations are complete, and the production settings pass Django's deploy checks."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[1] / "src/commonground/locale/es/LC_MESSAGES/django.po"
EXE = shutil.which("commonground") or str(Path(sys.executable).parent / "commonground")


def po_entries(text: str):
    """(flags, msgid, msgstrs) for each entry of a .po file."""
    for block in text.strip().split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        parts = re.split(r"^(msgid|msgid_plural|msgstr(?:\[\d\])?) ", block, flags=re.M)
        fields = {}
        for key, value in zip(parts[1::2], parts[2::2], strict=True):
            fields[key] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', value))
        if "msgid" in fields:
            source = fields["msgid"] + " " + fields.get("msgid_plural", "")
            yield flags, source.strip(), [v for k, v in fields.items() if k.startswith("msgstr")]


def test_every_spanish_string_is_translated_and_none_is_fuzzy():
    entries = [e for e in po_entries(PO.read_text(encoding="utf-8")) if e[1]]
    assert len(entries) > 200
    assert [msgid for flags, msgid, _ in entries if "fuzzy" in flags] == []
    assert [msgid for _, msgid, strs in entries if not all(strs)] == []


def test_the_compiled_catalog_is_not_older_than_the_source():
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_size > 1000


def test_placeholders_survive_translation():
    for _, source, strs in po_entries(PO.read_text(encoding="utf-8")):
        wanted = set(re.findall(r"%\(\w+\)\w", source))
        for translated in strs:
            assert set(re.findall(r"%\(\w+\)\w", translated)) <= wanted, source
        if wanted and strs:
            assert set(re.findall(r"%\(\w+\)\w", strs[-1])) == wanted or len(strs) > 1, source


@pytest.mark.slow
def test_production_settings_pass_check_deploy(tmp_path):
    # (The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is theirs alone: production never sets it.)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "SECRET_KEY": secrets.token_urlsafe(50),
        "COMMONGROUND_HTTPS": "1",
        "DEBUG": "0",
        "COMPANION_KEYS": "dGVzdC1vbmx5LWtleS1mb3ItY29tbW9uLWdyb3VuZCE",
        "ALLOWED_HOSTS": "meetings.example.org",
        "COMMONGROUND_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [EXE, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_the_switch_overrides_accept_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="en"' in html


@pytest.mark.slow
def test_every_string_marked_for_translation_is_in_the_spanish_catalog(tmp_path):
    """What `makemessages` would find in the code today is all translated: a string marked in a
    template or module but missing from the catalog would show in English on a Spanish page."""
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext) is not installed")
    package = PO.parents[3]
    copy = tmp_path / "commonground"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (tmp_path / "i18n_check_settings.py").write_text(
        f"from commonground.settings import *  # noqa: F403\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    committed = PO.read_bytes()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "i18n_check_settings",
        "DEBUG": "1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "es", "--no-location"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    fresh = (copy / "locale/es/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    assert PO.read_bytes() == committed  # the check wrote only into its copy
    missing = [msgid for flags, msgid, strs in po_entries(fresh) if msgid and (not all(strs) or "fuzzy" in flags)]
    assert missing == []
