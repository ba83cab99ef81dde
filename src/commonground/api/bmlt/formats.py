"""BMLT formats for every program's meetings, with the meaning kept.

A BMLT client shows a meeting's ``formats`` (comma-separated keys) through the server's format
table (``GetFormats``). BMLT's stock NA table gives each format a stable *world id* (OPEN,
CLOSED, DISC, STEP ...) that clients and apps rely on. Our meetings carry codes from their own
program's table, so each code goes out as the format with the same meaning:

- an NA code is its BMLT world id's stock format (``C`` -> ``C``/CLOSED, ``X`` -> ``WC``/WCHR);
- any other program's code goes through the Meeting Guide spec code with the same meaning
  (``types.spec_code``) to the stock format for it (spec ``D`` -> ``D``/DISC, ``ST`` ->
  ``St``/STEP), or else to one of our own formats (``bmlt-formats-ours.tsv``: Big Book,
  Secular, Dual Diagnosis ..., ids 101+, no world id);
- languages go out as ``LANG`` formats (stock ``ES``, ``ENG``, ``FIN``, ``PER``; ours 201+);
- attendance: ``VM`` (online), ``VM`` and ``HY`` (hybrid), and ``TC`` (venue closed).

A code whose meaning has no equal (Al-Anon's "Families and Friends Only", say) is dropped, as in
our Meeting Guide feed: never sent under a key that means something else.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from commonground.meetings import types

# Meeting Guide spec code -> BMLT stock key with the same meaning.
SPEC_TO_STOCK = {"O": "O", "C": "C", "W": "W", "M": "M", "BE": "B", "SP": "So", "D": "D", "ST": "St", "TR": "Tr",
                 "LIT": "BK", "MED": "ME", "X": "WC", "CAN": "CL", "CF": "CW", "Y": "YP", "LGBTQ": "GL",
                 "ASL": "SL", "TC": "TC"}
LANGUAGE_TO_STOCK = {"es": "ES", "en": "ENG", "fi": "FIN", "fa": "PER"}
# NA codes spelled differently from their world id (the reverse of types._BMLT_WORLD_TO_NA).
NA_TO_WORLD = {"C": "CLOSED", "O": "OPEN", "X": "WCHR", "SPK": "SPK", "ONL": "VM"}


@dataclass(frozen=True)
class Format:
    id: int
    key: str
    world_id: str
    type: str
    name: str
    description: str
    spec_code: str = ""
    language: str = ""

    def as_bmlt(self, lang: str) -> dict:
        name = self.localized_name(lang)
        return {"key_string": self.key, "name_string": name,
                "description_string": self.description if lang == "en" else name, "lang": lang,
                "id": str(self.id), "world_id": self.world_id, "format_type_enum": self.type}

    def localized_name(self, lang: str) -> str:
        if lang != "en" and self.spec_code:
            info = types.type_table("spec").get(self.spec_code)
            if info and info.names.get(lang):
                return info.names[lang]
        return self.name


@cache
def table() -> dict[str, Format]:
    """Every format we can send, by key."""
    out: dict[str, Format] = {}
    spec_for_stock = {stock: spec for spec, stock in SPEC_TO_STOCK.items()}
    for key, row in types.bmlt_world_formats().items():
        world = row["world_id"] if row["world_id"] != "null" else ""
        out[key] = Format(int(row["shared_id"]), key, world, row["format_type"], row["name"],
                          row.get("description") or row["name"], spec_for_stock.get(key, ""),
                          {v: k for k, v in LANGUAGE_TO_STOCK.items()}.get(key, ""))
    with open(types.DATA_DIR / "bmlt-formats-ours.tsv", encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t"):
            out[row["key_string"]] = Format(int(row["shared_id"]), row["key_string"], row["world_id"],
                                            row["format_type"], row["name"], row["name"], row["spec_code"],
                                            row["language"])
    return out


@cache
def by_id() -> dict[int, Format]:
    return {f.id: f for f in table().values()}


@cache
def _by_world_id() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, f in table().items():
        if f.world_id and f.world_id != "LANG":
            out.setdefault(f.world_id, key)
    return out


@cache
def _by_spec() -> dict[str, str]:
    out = dict(SPEC_TO_STOCK)
    for key, f in table().items():
        if f.spec_code and f.spec_code not in out:
            out[f.spec_code] = key
    return out


@cache
def _by_language() -> dict[str, str]:
    out = dict(LANGUAGE_TO_STOCK)
    for key, f in table().items():
        if f.language and f.language not in out:
            out[f.language] = key
    return out


@cache
def key_for(program_table: str, code: str) -> str | None:
    """The format key that means what ``code`` means in ``program_table``, or None."""
    if program_table == "na":
        world = NA_TO_WORLD.get(code, code)
        key = _by_world_id().get(world)
        if key:
            return key
    spec = types.spec_code(program_table, code)
    return _by_spec().get(spec) if spec else None


def meeting_keys(program_table: str, codes, languages, mode: str, temporarily_closed: bool) -> list[str]:
    """A meeting's format keys, in table order, each once."""
    keys: set[str] = set()
    for code in codes:
        key = key_for(program_table, code)
        if key and key not in ("VM", "HY", "TC"):  # attendance is decided below, from the meeting itself
            keys.add(key)
    for iso in languages:
        key = _by_language().get(iso)
        if key:
            keys.add(key)
    if mode in ("online", "hybrid"):
        keys.add("VM")
    if mode == "hybrid":
        keys.add("HY")
    if temporarily_closed:
        keys.add("TC")
    fmt = table()
    return sorted(keys, key=lambda k: fmt[k].id)
