"""Meeting type codes, scoped by program, and the small unified tag vocabulary built on them.

Feeds describe meetings with short codes, and a code only means something inside one program's
code table: ``A`` is "Secular" for AA but "Age Restricted 18+" for ACA, ``Y`` is "Young People"
for AA but "Alateen" for Al-Anon. So every look-up here takes the program's *type table* first:

- ``spec``: the Meeting Guide spec table (``meeting-guide-types.json``, names in 9 languages);
- a TSML program key (``aa``, ``na``, ``al-anon``, ``rd`` ...): that program's own table from
  ``tsml-program-types.tsv``;
- BMLT formats are keyed by world id (``bmlt-formats-en.tsv``) and are translated to the NA
  table by :func:`bmlt_world_ids_to_codes`.

Search and the UI never see raw codes. They use :data:`TAGS`, a small vocabulary that every
code table maps onto by the code's English *name*, and ISO 639-1 language codes, which are kept
apart from types on the meeting (``Meeting.languages``).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

# The unified vocabulary. The position of a tag is its bit in ``Meeting.tag_bits``: append new
# tags at the end, never reorder, or stored bit masks change meaning.
TAGS: tuple[str, ...] = (
    "open",
    "closed",
    "women",
    "men",
    "lgbtq",
    "young",
    "newcomer",
    "speaker",
    "discussion",
    "study",
    "meditation",
    "wheelchair",
    "asl",
    "childcare",
    "secular",
    "dual_diagnosis",
)
TAG_BIT = {tag: 1 << i for i, tag in enumerate(TAGS)}
# Display labels (translated) live in web/presenters.py.


# English type names (lower case, as the tables spell them) -> unified tags.
_NAME_TAGS: dict[str, tuple[str, ...]] = {
    "open": ("open",),
    "families friends and observers welcome": ("open",),
    "closed": ("closed",),
    "families and friends only": ("closed",),
    "women": ("women",),
    "men": ("men",),
    "lgbtq": ("lgbtq",),
    "lgbtq+": ("lgbtq",),
    "lgbtqia+": ("lgbtq",),
    "lgbtqi+": ("lgbtq",),
    "gay": ("lgbtq",),
    "lesbian": ("lgbtq",),
    "gay/lesbian": ("lgbtq",),
    "gay/lesbian/transgender": ("lgbtq",),
    "bisexual": ("lgbtq",),
    "transgender": ("lgbtq",),
    "non-binary": ("lgbtq",),
    "young people": ("young",),
    "young adults": ("young",),
    "alateen": ("young",),
    "teen (ages 12 to 18)": ("young",),
    "newcomer": ("newcomer",),
    "beginner": ("newcomer",),
    "beginners": ("newcomer",),
    "beginner/newcomer": ("newcomer",),
    "speaker": ("speaker",),
    "speaker only": ("speaker",),
    "speaker/discussion": ("speaker", "discussion"),
    "discussion": ("discussion",),
    "discussion/participation": ("discussion",),
    "topic": ("discussion",),
    "step study": ("study",),
    "step meeting": ("study",),
    "steps": ("study",),
    "step": ("study",),
    "big book": ("study",),
    "book study": ("study",),
    "literature": ("study",),
    "literature study": ("study",),
    "tradition study": ("study",),
    "tradition": ("study",),
    "traditions": ("study",),
    "12 steps & 12 traditions": ("study",),
    "12 concepts": ("study",),
    "concepts of service": ("study",),
    "basic text": ("study",),
    "it works study": ("study",),
    "just for today study": ("study",),
    "living clean": ("study",),
    "step working guide study": ("study",),
    "ip study": ("study",),
    "spiritual principle a day": ("study",),
    "as bill sees it": ("study",),
    "daily reflections": ("study",),
    "living sober": ("study",),
    "fellowship text": ("study",),
    "eightfold path study": ("study",),
    "inquiry study": ("study",),
    "meditation": ("meditation",),
    "11th step meditation": ("meditation",),
    "mindfulness practice": ("meditation",),
    "wheelchair access": ("wheelchair",),
    "wheelchair accessible": ("wheelchair",),
    "wheelchair": ("wheelchair",),
    "american sign language": ("asl",),
    "sign language": ("asl",),
    "sign language asl": ("asl",),
    "asl": ("asl",),
    "babysitting available": ("childcare",),
    "child care available": ("childcare",),
    "secular": ("secular",),
    "atheist / agnostic": ("secular",),
    "agnostic": ("secular",),
    "dual diagnosis": ("dual_diagnosis",),
}

# English language names used in the code tables -> ISO 639-1.
LANGUAGE_NAMES: dict[str, str] = {
    "afrikaans": "af",
    "amharic": "am",
    "arabic": "ar",
    "bulgarian": "bg",
    "croatian": "hr",
    "danish": "da",
    "dutch": "nl",
    "english": "en",
    "english speaking": "en",
    "finnish": "fi",
    "french": "fr",
    "georgian": "ka",
    "german": "de",
    "greek": "el",
    "hebrew": "he",
    "hindi": "hi",
    "hungarian": "hu",
    "icelandic": "is",
    "italian": "it",
    "japanese": "ja",
    "korean": "ko",
    "lithuanian": "lt",
    "malayalam": "ml",
    "maltese": "mt",
    "nepali": "ne",
    "norwegian": "no",
    "persian": "fa",
    "polish": "pl",
    "portuguese": "pt",
    "punjabi": "pa",
    "russian": "ru",
    "slovak": "sk",
    "slovenian": "sl",
    "spanish": "es",
    "español": "es",
    "swedish": "sv",
    "tagalog": "tl",
    "thai": "th",
    "turkish": "tr",
    "ukrainian": "uk",
}
# Codes that only mark attendance, recomputed from the conference fields (see derive.attendance_mode).
ONLINE_CODE = "ONL"
TEMPORARILY_CLOSED_CODE = "TC"

# BMLT world ids whose NA-table code is spelled differently. Others are the same string.
_BMLT_WORLD_TO_NA = {"CLOSED": "C", "OPEN": "O", "WCHR": "X", "VM": "ONL", "S-D": "SPK"}


@dataclass(frozen=True)
class TypeCode:
    code: str
    name: str  # English
    names: dict[str, str]  # language -> name, at least "en"
    tags: tuple[str, ...]
    language: str | None  # ISO 639-1 when the code names a language


def _normalize(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


def _make(code: str, names: dict[str, str]) -> TypeCode:
    english = names["en"]
    key = _normalize(english)
    if key.startswith("online meeting"):
        key = "online meeting"
    return TypeCode(code, english, names, _NAME_TAGS.get(key, ()), LANGUAGE_NAMES.get(key))


@cache
def _spec_names() -> dict[str, dict[str, str]]:
    with open(DATA_DIR / "meeting-guide-types.json", encoding="utf-8") as fh:
        names: dict[str, dict[str, str]] = json.load(fh)
    return names


@cache
def type_table(table: str) -> dict[str, TypeCode]:
    """The code table ``table`` (``spec`` or a TSML program key) as code -> TypeCode."""
    spec = _spec_names()
    if table == "spec":
        codes = {code: _make(code, names) for code, names in spec.items()}
        codes.setdefault(ONLINE_CODE, _make(ONLINE_CODE, {"en": "Online Meeting", "es": "Reunión en línea"}))
        return codes
    rows = {}
    with open(DATA_DIR / "tsml-program-types.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["program_key"] != table:
                continue
            english = row["type_name"].removesuffix(" (added to all programs)")
            names = {"en": english}
            # Reuse the spec's translations where the program's code means the same thing.
            if row["type_code"] in spec and _normalize(spec[row["type_code"]]["en"]) == _normalize(english):
                names = dict(spec[row["type_code"]])
            rows[row["type_code"]] = _make(row["type_code"], names)
    if not rows:
        raise KeyError(f"no meeting-type table called {table!r}")
    return rows


@cache
def known_tables() -> frozenset[str]:
    with open(DATA_DIR / "tsml-program-types.tsv", encoding="utf-8", newline="") as fh:
        return frozenset(row["program_key"] for row in csv.DictReader(fh, delimiter="\t")) | {"spec"}


@cache
def _names_index(table: str) -> dict[str, str]:
    index = {}
    for code, info in type_table(table).items():
        index[_normalize(info.name)] = code
    # TSML's own aliases, and a few spellings seen in spreadsheets.
    aliases = {
        "sign language": "ASL",
        "outdoor meeting": "OUT",
        "step meeting": "ST",
        "online meeting": ONLINE_CODE,
        "temporary closure": TEMPORARILY_CLOSED_CODE,
        "location temporarily closed": TEMPORARILY_CLOSED_CODE,
    }
    for alias, code in aliases.items():
        if code in type_table(table):
            index.setdefault(alias, code)
    return index


@cache
def resolve(table: str, text: str) -> tuple[str | None, str | None]:
    """(code, language) for a type as a feed writes it: a code or an English name, any case.

    A language code (S, FR ...) resolves to its ISO language; a code of the table to itself;
    anything else to (None, None). Cached: feeds repeat the same few dozen values.
    """
    code = code_for(table, text)
    info = _language_info(table, code or text.strip().upper())
    if info is not None:
        return info.code, info.language
    return code, None


def code_for(table: str, text: str) -> str | None:
    """Resolve a code or an English name (any case) to a code of ``table``; None if unknown."""
    codes = type_table(table)
    cleaned = text.strip()
    if cleaned in codes:
        return cleaned
    if cleaned.upper() in codes:
        return cleaned.upper()
    return _names_index(table).get(_normalize(cleaned))


def tags_for(table: str, codes: list[str]) -> list[str]:
    """Unified tags for a list of codes from ``table``, in vocabulary order. Unknown codes add none."""
    return tags_from_bits(bits_for(table, tuple(codes)))


@cache
def bits_for(table: str, codes: tuple[str, ...]) -> int:
    """The tag bit mask for a tuple of codes (cached: feeds repeat the same combinations)."""
    table_codes = type_table(table)
    return tag_bits([tag for code in codes if code in table_codes for tag in table_codes[code].tags])


def tag_bits(tags: list[str] | tuple[str, ...]) -> int:
    bits = 0
    for tag in tags:
        bits |= TAG_BIT[tag]
    return bits


def tags_from_bits(bits: int) -> list[str]:
    return [tag for tag in TAGS if bits & TAG_BIT[tag]]


@cache
def _language_info(table: str, code: str) -> TypeCode | None:
    """The TypeCode for ``code`` if it names a language for this program.

    Most TSML program tables carry no language codes; feeds for those programs still use the
    spec's (S = Spanish, FR = French). A spec language code counts only where the program's own
    table does not give the same code another meaning (ACA's S is "Speaker").
    """
    own = type_table(table)
    if code in own:
        return own[code] if own[code].language else None
    spec = type_table("spec").get(code)
    return spec if spec is not None and spec.language else None


def is_valid_code(table: str, code: str) -> bool:
    """A code this program's feeds may use: its own table's, or a spec language code it lacks."""
    return code in type_table(table) or _language_info(table, code) is not None


def languages_for(table: str, codes: list[str]) -> list[str]:
    """ISO 639-1 languages named by language codes in ``codes``."""
    found = (_language_info(table, code) for code in codes)
    return sorted({info.language for info in found if info is not None and info.language is not None})


@cache
def language_code(table: str, iso: str) -> str | None:
    """The code that names language ``iso`` for this program (es -> S), if there is one."""
    for candidate in (type_table(table), type_table("spec")):
        for code, info in candidate.items():
            if info.language == iso and _language_info(table, code) is info:
                return code
    return None


# A program's type name -> the Meeting Guide spec's name for the same thing. Only true synonyms:
# "Families and Friends Only" (Al-Anon's C) is not "Closed", and Alateen is not "Young People".
SPEC_SYNONYMS = {
    "beginner": "newcomer",
    "beginners": "newcomer",
    "beginner/newcomer": "newcomer",
    "discussion/participation": "discussion",
    "step": "step study",
    "steps": "step study",
    "step meeting": "step study",
    "wheelchair accessible": "wheelchair access",
    "sign language": "american sign language",
    "sign language asl": "american sign language",
    "literature study": "literature",
    "tradition": "tradition study",
    "traditions": "tradition study",
    "lgbtqia+": "lgbtq",
    "lgbtqi+": "lgbtq",
    "lgbtq+": "lgbtq",
    "outdoor meeting": "outdoor",
    "persons of color": "people of color",
    "child care available": "babysitting available",
    "children welcome": "child-friendly",
    "atheist / agnostic": "secular",
}


@cache
def spec_code(table: str, code: str) -> str | None:
    """The Meeting Guide spec code that means what ``code`` means in ``table``, or None.

    Meeting Guide clients (TSML UI, the Meeting Guide app) read every code as a spec (AA) code,
    whatever the meeting's program. So our feed exports a program's code only as the spec code
    with the same meaning, and drops the codes that have none.
    """
    info = type_table(table).get(code)
    if info is None or code in (ONLINE_CODE,):
        return None
    if table == "spec":
        return code
    name = _normalize(info.name)
    name = SPEC_SYNONYMS.get(name, name)
    by_name = {_normalize(t.name): c for c, t in type_table("spec").items()}
    return by_name.get(name)


def type_name(table: str, code: str, language: str = "en") -> str:
    info = type_table(table).get(code)
    if info is None:
        return code
    return info.names.get(language) or info.name


def own_format_names(extra: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """A source's own formats that a meeting lists and we have no mapping for, in the source's
    words: (name, description, language code or ""). The BMLT reader keeps them (``bmlt_own``)."""
    out = []
    for entry in (extra or {}).get("bmlt_own") or []:
        if isinstance(entry, list) and len(entry) in (4, 5) and str(entry[1]).strip():
            language = str(entry[4]).strip() if len(entry) == 5 else ""
            code = language if language.isascii() and language.replace("-", "").isalpha() else ""
            out.append((str(entry[1]).strip()[:100], str(entry[2]).strip()[:300], code[:8]))
    return out


@cache
def bmlt_world_formats() -> dict[str, dict[str, str]]:
    """BMLT's stock English formats by ``key_string``: world_id, name and description."""
    with open(DATA_DIR / "bmlt-formats-en.tsv", encoding="utf-8", newline="") as fh:
        return {row["key_string"]: row for row in csv.DictReader(fh, delimiter="\t")}


def bmlt_world_ids_to_codes(world_ids: list[str], table: str = "na") -> list[str]:
    """Translate BMLT world ids to codes of the NA table (CLOSED -> C, WCHR -> X, ...).

    World ids with no counterpart in the table (HYBR, LANG, TC handled elsewhere) are dropped.
    """
    codes = type_table(table)
    out: list[str] = []
    for world_id in world_ids:
        code = _BMLT_WORLD_TO_NA.get(world_id, world_id)
        if code in codes and code not in out:
            out.append(code)
        if world_id == "S-D" and "DISC" in codes and "DISC" not in out:
            out.append("DISC")
    return out
