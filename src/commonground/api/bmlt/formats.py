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

Issue 27: a format means what its program means by it.

- Open and closed differ by program (who may come), so an open or closed meeting of any program
  but NA goes out as that program's own format: key ``O-<program>``/``C-<program>``, its world
  id kept (OPEN/CLOSED, so apps that read world ids still know it), named "Closed (Nar-Anon)",
  described in the program's terms (``program_words.py``). NA keeps BMLT's stock C and O.
- A code with no equal (Al-Anon's "Families and Friends Only" and "Alateen", say) is kept as the
  program's own format, ``<code>-<program>``, under the program's own name; never dropped, and
  never sent under a key that means something else.
- A meeting read from a BMLT server keeps the server's own stock formats (the reader records
  those whose key and name are BMLT's stock ones): "Speaker/Discussion" stays itself, and "No
  Children" is kept although NA's code table has no code for it.

Per-program formats have ids from 1000 up, from a hash of ``<program>/<code>``, so they are the
same on every server and in every version; a clash is refused when the table is made.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cache

from commonground.meetings import types

# Meeting Guide spec code -> BMLT stock key with the same meaning.
SPEC_TO_STOCK = {
    "O": "O",
    "C": "C",
    "W": "W",
    "M": "M",
    "BE": "B",
    "D": "D",
    "ST": "St",
    "TR": "Tr",
    "LIT": "BK",
    "MED": "ME",
    "X": "WC",
    "CAN": "CL",
    "CF": "CW",
    "Y": "YP",
    "LGBTQ": "GL",
    "ASL": "SL",
    "TC": "TC",
}
LANGUAGE_TO_STOCK = {"es": "ES", "en": "ENG", "fi": "FIN", "fa": "PER"}
# NA codes spelled differently from their world id (the reverse of types._BMLT_WORLD_TO_NA).
NA_TO_WORLD = {"C": "CLOSED", "O": "OPEN", "X": "WCHR", "ONL": "VM"}


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
    program: str = ""  # set on a program's own format
    name_es: str = ""  # a program's own format's Spanish name, from its type table

    def as_bmlt(self, lang: str) -> dict:
        name = self.localized_name(lang)
        return {
            "key_string": self.key,
            "name_string": name,
            "description_string": self.description if lang == "en" else name,
            "lang": lang,
            "id": str(self.id),
            "world_id": self.world_id,
            "format_type_enum": self.type,
        }

    def localized_name(self, lang: str) -> str:
        if lang == "es" and self.name_es:
            return self.name_es
        if lang != "en" and self.spec_code:
            info = types.type_table("spec").get(self.spec_code)
            if info and info.names.get(lang):
                return info.names[lang]
        return self.name


def table() -> dict[str, Format]:
    """Every format we can send, by key: stock, ours, and each catalog program's own."""
    programs = _programs()
    if programs is not _LAST[0]:  # called per code of every meeting: no hashing of the catalog each time
        _LAST[:] = [programs, _table(programs), {}]
    return _LAST[1]


_LAST: list = [None, {}, {}]  # the catalog read, its table, key_for's answers for it


@cache
def _table(programs: tuple) -> dict[str, Format]:
    out = dict(_shared())
    ids = {f.id for f in out.values()}
    for f in _program_formats(programs):
        if f.key in out or f.id in ids:
            raise RuntimeError(f"BMLT format {f.key} ({f.id}) clashes with another format")
        out[f.key] = f
        ids.add(f.id)
    return out


@cache
def _shared() -> dict[str, Format]:
    """BMLT's stock formats and our shared ones (no program's own)."""
    out: dict[str, Format] = {}
    spec_for_stock = {stock: spec for spec, stock in SPEC_TO_STOCK.items()}
    for key, row in types.bmlt_world_formats().items():
        world = row["world_id"] if row["world_id"] != "null" else ""
        out[key] = Format(
            int(row["shared_id"]),
            key,
            world,
            row["format_type"],
            row["name"],
            row.get("description") or row["name"],
            spec_for_stock.get(key, ""),
            {v: k for k, v in LANGUAGE_TO_STOCK.items()}.get(key, ""),
        )
    # A Meeting Guide "Speaker" meeting is not BMLT's "Speaker Only" (others do not take part):
    # the spec says only that a speaker shares, so it goes out as that (issue 27).
    out["Sp"] = Format(180, "Sp", "", "FC1", "Speaker", "A speaker shares their story at this meeting.", "SP")
    with open(types.DATA_DIR / "bmlt-formats-ours.tsv", encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t"):
            out[row["key_string"]] = Format(
                int(row["shared_id"]),
                row["key_string"],
                row["world_id"],
                row["format_type"],
                row["name"],
                row["name"],
                row["spec_code"],
                row["language"],
            )
    return out


_PROGRAMS: tuple = ()


def _programs() -> tuple:
    """(code, short name, type table, scope, name) of every catalog program, read once per process."""
    global _PROGRAMS
    if not _PROGRAMS:
        from commonground.catalog.models import Program

        try:
            rows = list(
                Program.objects.order_by("code").values_list("code", "short_name", "type_table", "facts", "name")
            )
        except Exception:  # noqa: BLE001 - no database here (a check, a test without one): stock formats only
            return ()
        _PROGRAMS = tuple((code, short or code, tab, _scope(facts), name) for code, short, tab, facts, name in rows)
    return _PROGRAMS


def _scope(facts) -> tuple:
    value = ((facts or {}).get("scope") or {}).get("value", "")
    return tuple(value) if isinstance(value, list) else (value,)


@cache
def fellowship_key(program: str) -> str:
    """The key of the format that names a meeting's fellowship: the program's code, upper case."""
    return program.upper()


def _program_id(program: str, code: str) -> int:
    return 1000 + int.from_bytes(hashlib.sha256(f"{program}/{code}".encode()).digest()[:4], "big") % 9_000_000


def _program_formats(programs: tuple) -> list[Format]:
    from commonground.api.bmlt import program_words

    out = []
    for program, short, program_table, scope, name in programs:
        # The fellowship itself, on every one of its meetings: crouton shows no program otherwise.
        out.append(
            Format(
                _program_id(program, ""),
                fellowship_key(program),
                "",
                "FC3",
                name,
                f"A meeting of {name}" + (f" ({short})." if short.casefold() not in name.casefold() else "."),
                program=program,
            )
        )
        for code, info in types.type_table(program_table).items():
            if code in (types.ONLINE_CODE, types.TEMPORARILY_CLOSED_CODE) or info.language:
                continue
            spec = types.spec_code(program_table, code) if program_table != "na" else {"O": "O", "C": "C"}.get(code)
            if spec in ("O", "C") and program != "na":
                out.append(
                    Format(
                        _program_id(program, code),
                        f"{spec}-{program}",
                        "OPEN" if spec == "O" else "CLOSED",
                        "O",
                        f"{info.name} ({short})",
                        program_words.describe(program, short, scope, closed=spec == "C"),
                        program=program,
                        name_es=_spanish(info, spec, short),
                    )
                )
            elif shared_key_for(program_table, code) is None:
                out.append(
                    Format(
                        _program_id(program, code),
                        f"{code}-{program}",
                        "",
                        "FC3",
                        f"{info.name} ({short})",
                        f"{info.name}: as {short} uses this term.",
                        program=program,
                        name_es=_spanish(info, None, short),
                    )
                )
    return out


def _spanish(info: types.TypeCode, spec: str | None, short: str) -> str:
    """A program's own format's Spanish name: its table's, else the spec's for open and closed."""
    name = info.names.get("es") or (types.type_table("spec")[spec].names.get("es") if spec else "")
    return f"{name} ({short})" if name else ""


def by_id() -> dict[int, Format]:
    return _by_id(_programs())


@cache
def _by_id(programs: tuple) -> dict[int, Format]:
    return {f.id: f for f in _table(programs).values()}


@cache
def _by_world_id() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, f in _shared().items():
        if f.world_id and f.world_id != "LANG":
            out.setdefault(f.world_id, key)
    return out


@cache
def _by_spec() -> dict[str, str]:
    out = dict(SPEC_TO_STOCK)
    for key, f in _shared().items():
        if f.spec_code and f.spec_code not in out:
            out[f.spec_code] = key
    return out


@cache
def _by_language() -> dict[str, str]:
    out = dict(LANGUAGE_TO_STOCK)
    for key, f in _shared().items():
        if f.language and f.language not in out:
            out[f.language] = key
    return out


def key_for(program: str, program_table: str, code: str) -> str | None:
    """The format key that means what ``code`` means in ``program``'s table ``program_table``:
    the program's own format where it has one (open, closed, a code with no equal), else the
    stock or our shared format with the same meaning; None for an unknown code."""
    fmt = table()
    known = _LAST[2]  # per table: the answer for each (program, table, code) asked
    asked = (program, program_table, code)
    if asked in known:
        return known[asked]
    known[asked] = _key_for(fmt, program, program_table, code)
    return known[asked]


def _key_for(fmt: dict, program: str, program_table: str, code: str) -> str | None:
    spec = types.spec_code(program_table, code) if program_table != "na" else {"O": "O", "C": "C"}.get(code)
    if spec in ("O", "C") and f"{spec}-{program}" in fmt:
        return f"{spec}-{program}"
    if f"{code}-{program}" in fmt:
        return f"{code}-{program}"
    return shared_key_for(program_table, code)


def shared_key_for(program_table: str, code: str) -> str | None:
    """The stock or shared format that means what ``code`` means in ``program_table``, or None."""
    if program_table == "na":
        if code == "SPK":  # NA's table says "Speaker", not BMLT's "Speaker Only" (a BMLT server's SD is kept)
            return "Sp"
        world = NA_TO_WORLD.get(code, code)
        key = _by_world_id().get(world)
        if key:
            return key
    spec = types.spec_code(program_table, code)
    return _by_spec().get(spec) if spec else None


def _names_a_language(f: Format) -> bool:
    """A language format the meeting's languages carry (Bi-Lingual is no one language: kept)."""
    return f.type == "LANG" and (
        bool(f.language) or f.key in LANGUAGE_TO_STOCK.values() or f.name.strip().lower() in types.LANGUAGE_NAMES
    )


def source_formats(extra: dict | None, source_slug: str) -> list[Format]:
    """A BMLT server's own formats (no stock equal, no world id) that a meeting lists, in the
    server's words: key ``<key>-<source>``, id from 10,000,000 up by a hash of both."""
    out = []
    for entry in (extra or {}).get("bmlt_own") or []:
        if not (isinstance(entry, list) and len(entry) in (4, 5)):  # the language came fifth later
            continue
        key, name, description, kind = (str(v).strip() for v in entry[:4])
        number = int.from_bytes(hashlib.sha256(f"{source_slug}/{key}".encode()).digest()[:4], "big")
        out.append(
            Format(
                10_000_000 + number % 90_000_000,
                f"{key[:16]}-{source_slug}",
                "",
                kind if kind in ("FC1", "FC2", "FC3", "O") else "FC3",
                name[:100],
                description[:300],
            )
        )
    return out


ATTENDANCE_KEYS = ("VM", "HY", "TC")  # decided from the meeting itself, never from a code


def meeting_keys(
    program: str, program_table: str, codes, languages, mode: str, temporarily_closed: bool, extra: dict | None = None
) -> list[str]:
    """A meeting's format keys, in table order, each once."""
    keys: set[str] = set()
    fmt = table()
    if fellowship_key(program) in fmt:
        keys.add(fellowship_key(program))
    if program == "na" and extra and "bmlt_kept" in extra:
        # Read from a BMLT server: its own stock formats, as it listed them; the codes only for
        # the formats that were not stock ones (``feeds/bmlt/reader.py``).
        keys.update(
            k
            for k in str(extra["bmlt_kept"]).split(",")
            if k in fmt and k not in ATTENDANCE_KEYS and not _names_a_language(fmt[k])
        )
        codes = [c for c in str(extra.get("bmlt_other_codes") or "").split(",") if c in codes]
    for code in codes:
        key = key_for(program, program_table, code)
        if key and key not in ATTENDANCE_KEYS:
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
    return sorted(keys, key=lambda k: fmt[k].id)
