"""countries.toml, read as plain TOML (not through the safety layer's loader): every country we list
has an emergency number and a crisis line first, every line is complete and sourced, and the two
US-only numbers stay where they work (988 in the US and Canada; the SAMHSA line in the US)."""

import re
import tomllib
from datetime import date
from pathlib import Path

from tests.tiers import sweep

DATA = Path(__file__).resolve().parents[2] / "src" / "commonground" / "safety" / "countries.toml"
REQUIRED_COUNTRIES = {"US", "CA", "MX", "GB", "IE", "AU", "NZ", "ES", "FR", "DE", "IT", "BR", "AR", "IN"}
COUNTRY_KEYS = {"name", "name_es", "emergency", "emergency_source", "emergency_checked"}
LINE_KEYS = {"id", "kind", "name", "name_es", "hours", "hours_es", "en", "es", "source", "checked"}
OPTIONAL_LINE_KEYS = {"call", "tel", "text", "text_keyword", "confirmed", "note"}  # called, texted, or both
KINDS = {"crisis", "drugs", "gambling", "youth"}
TEL = re.compile(r"\+?\d{3,15}")
SAMHSA = "18006624357"


def _data():
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def _countries():
    return _data()["country"]


def _lines():
    return [(code, line) for code, country in _countries().items() for line in country.get("lines", [])]


def _is_date(value) -> bool:
    if isinstance(value, date):
        return True
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _digits(value) -> str:
    return re.sub(r"\D", "", str(value or ""))


def test_every_required_country_is_listed():
    assert REQUIRED_COUNTRIES <= set(_countries()), REQUIRED_COUNTRIES - set(_countries())


@sweep("code", sorted(_countries()))
def test_each_country_has_an_emergency_number_and_a_crisis_line_first(code):
    country = _countries()[code]
    assert re.fullmatch(r"[A-Z]{2}", code)
    missing = COUNTRY_KEYS - {k for k, v in country.items() if v}
    assert not missing, f"{code} lacks {missing}"
    assert _digits(country["emergency"]) == str(country["emergency"]), "emergency is digits only"
    assert _is_date(country["emergency_checked"])
    assert country["emergency_source"].startswith("https://")
    lines = country.get("lines", [])
    assert lines, f"{code} has no lines"
    assert lines[0]["kind"] == "crisis" and lines[0].get("tel"), f"{code}: the first line must be a crisis line to call"
    for territory in country.get("territories", []):
        assert re.fullmatch(r"[A-Z]{2}", territory)


@sweep("code,line", _lines(), ids=[line["id"] for _, line in _lines()])
def test_each_line_is_complete_sourced_and_dialable(code, line):
    assert not LINE_KEYS - set(line), f"missing {LINE_KEYS - set(line)}"
    assert not set(line) - LINE_KEYS - OPTIONAL_LINE_KEYS, f"unknown {set(line) - LINE_KEYS - OPTIONAL_LINE_KEYS}"
    assert line["kind"] in KINDS
    assert re.fullmatch(r"[a-z]{2}-[a-z0-9-]+", line["id"]) and line["id"].startswith(code.lower() + "-")
    assert line.get("tel") or line.get("text"), "a line is called, texted, or both"
    assert bool(line.get("tel")) == bool(line.get("call")), "call and tel go together"
    if line.get("tel"):
        assert TEL.fullmatch(str(line["tel"])), line["tel"]
        assert _digits(line["call"]).endswith(_digits(line["tel"]).lstrip("0")[-6:]), "call and tel disagree"
    if line.get("text"):
        assert TEL.fullmatch(str(line["text"])), line["text"]
    if line.get("text_keyword"):
        assert line.get("text"), "a keyword without a number to text it to"
    for key in ("name", "name_es", "hours", "hours_es", "en", "es"):
        assert str(line[key]).strip(), f"{key} is empty"
    assert line["source"].startswith("https://")
    assert _is_date(line["checked"])
    assert isinstance(line.get("confirmed", True), bool)


def test_line_ids_are_unique():
    ids = [line["id"] for _, line in _lines()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_988_only_in_the_united_states_and_canada():
    where = {code for code, line in _lines() if "988" in {_digits(line.get("tel")), _digits(line.get("text"))}}
    assert where == {"US", "CA"}


def test_the_samhsa_helpline_only_in_the_united_states():
    where = {code for code, line in _lines() if _digits(line.get("tel")).endswith(SAMHSA)}
    assert where == {"US"}


def test_the_us_988_line_tells_spanish_speakers_to_press_2_and_text_ayuda():
    line = next(line for code, line in _lines() if code == "US" and _digits(line.get("tel")) == "988")
    assert "marque 2" in line["es"].lower()
    assert "AYUDA" in line["es"]


def test_the_directory_for_other_countries_is_sourced():
    directory = _data()["directory"]
    assert directory["name"]
    assert directory["url"].startswith("https://") and directory["source"].startswith("https://")
    assert _is_date(directory["checked"])
