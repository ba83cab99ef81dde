"""FindTreatment.gov's services, read into the four lists people search by.

``offers`` (methadone, buprenorphine, naltrexone, detox, outpatient, residential, telehealth),
``pays`` (medicaid, medicare, private_insurance, sliding_fee, free), ``serves`` (pregnant, veterans,
adolescents, lgbtq, justice) and ``languages`` (ISO 639 codes; sign language is ``sgn``). The rules
are data (``vocabulary.toml``), matched by category name or code and by value text; other languages
are read by their English names (``meetings.types.LANGUAGE_NAMES``).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from commonground.meetings.types import LANGUAGE_NAMES

OFFERS = ("methadone", "buprenorphine", "naltrexone", "detox", "outpatient", "residential", "telehealth")
PAYS = ("medicaid", "medicare", "private_insurance", "sliding_fee", "free")
SERVES = ("pregnant", "veterans", "adolescents", "lgbtq", "justice")
LISTS = {"offers": OFFERS, "pays": PAYS, "serves": SERVES}
MOUD = ("methadone", "buprenorphine", "naltrexone")


MATCHES = {
    "contains": lambda value, phrase: phrase in value,
    "prefix": lambda value, phrase: value.startswith(phrase),
    "exact": lambda value, phrase: value == phrase,
}


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


@cache
def rules() -> list[tuple[str, frozenset[str], dict[str, tuple[str, ...]], str]]:
    data = tomllib.loads((Path(__file__).with_name("vocabulary.toml")).read_text(encoding="utf-8"))
    out = []
    for rule in data["rule"]:
        allowed = LISTS.get(rule["list"])
        for code in rule["codes"]:
            if allowed is not None and code not in allowed:
                raise ValueError(f"vocabulary.toml: {code!r} is not one of the {rule['list']} codes")
        match = rule.get("match", "contains")
        if match not in MATCHES:
            raise ValueError(f"vocabulary.toml: match must be one of {', '.join(MATCHES)}, not {match!r}")
        categories = frozenset(_plain(c) for c in rule["categories"])
        codes = {code: tuple(_plain(p) for p in phrases) for code, phrases in rule["codes"].items()}
        out.append((rule["list"], categories, codes, match))
    return out


def classify(services: list[dict]) -> dict[str, list[str]]:
    """The four lists for a facility's services (``normalize._services``' shape), each in a fixed order."""
    found: dict[str, set[str]] = {"offers": set(), "pays": set(), "serves": set(), "languages": set()}
    for service in services:
        names = {_plain(service.get("category", "")), _plain(service.get("code", ""))} - {""}
        values = [_plain(v) for v in service.get("values", [])]
        for list_name, categories, codes, match in rules():
            if not names & categories:
                continue
            matches = MATCHES[match]
            for code, phrases in codes.items():
                if any(matches(v, p) for v in values for p in phrases):
                    found[list_name].add(code)
            if list_name == "languages":
                for value in values:
                    iso = LANGUAGE_NAMES.get(value.strip())
                    if iso:
                        found["languages"].add(iso)
    return {
        "offers": [c for c in OFFERS if c in found["offers"]],
        "pays": [c for c in PAYS if c in found["pays"]],
        "serves": [c for c in SERVES if c in found["serves"]],
        "languages": sorted(found["languages"]),
    }
