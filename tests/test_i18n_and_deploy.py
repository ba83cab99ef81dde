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
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
           "SECRET_KEY": secrets.token_urlsafe(50), "COMMONGROUND_HTTPS": "1", "DEBUG": "0",
           "COMPANION_KEYS": "dGVzdC1vbmx5LWtleS1mb3ItY29tbW9uLWdyb3VuZCE",
           "ALLOWED_HOSTS": "meetings.example.org", "COMMONGROUND_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run([EXE, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_the_switch_overrides_accept_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="en"' in html
