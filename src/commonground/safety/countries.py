"""Help lines by country: the emergency number and the crisis lines, read from ``countries.toml``.

Every number there was checked on the service's own site (its ``source``, on its ``checked`` date;
docs/helplines.md lists them). A country we do not list gets no invented number: the page says
which country the lines it shows serve and links to a directory of helplines by country.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

COUNTRIES_FILE = Path(__file__).resolve().parent / "countries.toml"
KINDS = ("crisis", "drugs", "gambling", "youth")
LINE_KEYS = {"id", "kind", "name", "name_es", "hours", "hours_es", "en", "es", "source", "checked"}
# A line is called (call, tel), texted (text, text_keyword), or both.
OPTIONAL_LINE_KEYS = {"call", "tel", "text", "text_keyword", "confirmed", "note"}
TEL = re.compile(r"\+?\d{3,15}")


class CountriesError(ValueError):
    pass


def _spanish(language: str) -> bool:
    return (language or "")[:2] == "es"


@dataclass(frozen=True)
class Line:
    id: str
    kind: str
    name: str
    name_es: str
    hours: str
    hours_es: str
    en: str
    es: str
    source: str
    checked: str
    call: str = ""  # as a person dials it ("" for a line that only takes texts)
    tel: str = ""
    text: str = ""
    text_keyword: str = ""
    confirmed: bool = True  # False: the number is from a public body or a partner, not yet the service's own site
    note: str = ""  # for maintainers: where the number was found, what is not confirmed

    def label(self, language: str) -> str:
        return self.name_es if _spanish(language) else self.name

    def about(self, language: str) -> str:
        return self.es if _spanish(language) else self.en

    def when(self, language: str) -> str:
        return self.hours_es if _spanish(language) else self.hours

    @property
    def tel_href(self) -> str:
        return f"tel:{self.tel}" if self.tel else ""

    @property
    def sms_href(self) -> str:
        if not self.text:
            return ""
        return f"sms:{self.text}" + (f"?body={self.text_keyword}" if self.text_keyword else "")


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    name_es: str
    emergency: str
    emergency_source: str
    emergency_checked: str
    lines: tuple[Line, ...]
    territories: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        return self.name_es if _spanish(language) else self.name

    @property
    def crisis_line(self) -> Line:
        """The first crisis line a person can call (every country has one; the loader makes sure)."""
        return next(line for line in self.lines if line.kind == "crisis" and line.tel)

    def lines_of(self, kind: str) -> list[Line]:
        return [line for line in self.lines if line.kind == kind]


@dataclass(frozen=True)
class Directory:
    name: str
    url: str
    source: str
    checked: str


def _date(value: object, where: str) -> str:
    text = str(value)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise CountriesError(f"{where}: {text!r} is not a date") from None
    return text


def _line(raw: dict[str, Any], where: str) -> Line:
    missing = LINE_KEYS - set(raw)
    unknown = set(raw) - LINE_KEYS - OPTIONAL_LINE_KEYS
    if missing or unknown:
        raise CountriesError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    if raw["kind"] not in KINDS:
        raise CountriesError(f"{where}: kind must be one of {KINDS}")
    if not (raw.get("tel") and raw.get("call")) and not raw.get("text"):
        raise CountriesError(f"{where}: a line needs call and tel, or text")
    if bool(raw.get("tel")) != bool(raw.get("call")):
        raise CountriesError(f"{where}: call and tel go together")
    for key in [k for k in ("tel", "text") if raw.get(k)]:
        if not TEL.fullmatch(str(raw[key])):
            raise CountriesError(f"{where}: {key} {raw[key]!r} must be digits, with an optional leading +")
    if not str(raw["source"]).startswith("https://"):
        raise CountriesError(f"{where}: source must be an https address")
    values = {k: str(v) for k, v in raw.items() if k != "confirmed"}
    values["checked"] = _date(raw["checked"], where)
    return Line(**values, confirmed=bool(raw.get("confirmed", True)))


@cache
def load(path: Path = COUNTRIES_FILE) -> tuple[dict[str, Country], Directory]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    countries: dict[str, Country] = {}
    for code, raw in (data.get("country") or {}).items():
        where = f"{path.name}: country.{code}"
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise CountriesError(f"{where}: the key must be an ISO 3166 alpha-2 code")
        for key in ("name", "name_es", "emergency", "emergency_source", "emergency_checked"):
            if not raw.get(key):
                raise CountriesError(f"{where}: {key} is missing")
        lines = tuple(_line(line, f"{where}.lines[{n}]") for n, line in enumerate(raw.get("lines") or []))
        if not any(line.kind == "crisis" and line.tel for line in lines):
            raise CountriesError(f"{where}: no crisis line to call")
        countries[code] = Country(
            code,
            raw["name"],
            raw["name_es"],
            str(raw["emergency"]),
            raw["emergency_source"],
            _date(raw["emergency_checked"], where),
            lines,
            tuple(raw.get("territories") or ()),
        )
    ids = [line.id for c in countries.values() for line in c.lines]
    if len(ids) != len(set(ids)):
        raise CountriesError(f"{path.name}: a line id is used twice")
    d = data.get("directory") or {}
    if not d.get("url", "").startswith("https://"):
        raise CountriesError(f"{path.name}: [directory] needs an https url")
    return countries, Directory(
        d["name"], d["url"], d.get("source", d["url"]), _date(d.get("checked", ""), "directory")
    )


def all_countries() -> dict[str, Country]:
    return load()[0]


def directory() -> Directory:
    return load()[1]


def get_country(code: str) -> Country | None:
    """The entry that serves a country: its own, or the one whose territories include it."""
    code = (code or "").upper()
    countries = all_countries()
    if code in countries:
        return countries[code]
    return next((c for c in countries.values() if code and code in c.territories), None)


@cache
def _zone_countries() -> dict[str, str]:
    text = (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    out = {}
    for row in text.splitlines():
        if row and not row.startswith("#"):
            parts = row.split("\t")
            out[parts[2]] = parts[0]
    return out


def country_for_zone(tz: str) -> str:
    """The country of an IANA zone ("Europe/London" -> "GB"); "" for UTC and zones of no one country."""
    return _zone_countries().get(tz or "", "")


@cache
def iso_codes() -> frozenset[str]:
    """Every ISO 3166 alpha-2 code the tz database knows (its iso3166.tab)."""
    text = (resources.files("tzdata") / "zoneinfo" / "iso3166.tab").read_text(encoding="utf-8")
    return frozenset(row.split("\t")[0] for row in text.splitlines() if row and not row.startswith("#"))
