"""The public meeting lists we know of, shipped as data, and how they become sources.

Each ``*.toml`` file in this folder is one list (``bmlt-roots.toml``: every root server on BMLT's own
list; ``feeds.toml``: BMLT's daily export and Meeting Guide feeds), reviewed like code: a
``[registry]`` table (its name, the format and program its entries share, where it came from, when
it was checked) and one ``[[entry]]`` per source (``id``, ``name``, ``url``, ``countries``;
``program``, ``format``, ``confirmed``, ``note`` where they differ or matter). A list is named by
its file's name (``bmlt-roots``); ``world`` is the lists a deployer wants by default (``WORLD_LISTS``).

A file in BMLT's ``serverList.json`` shape (a JSON list of ``{"id", "name", "url"}``) reads as the
``bmlt-roots`` list, so a deployer can add BMLT's live list over ours and get each root once.

``add`` makes a source of each entry. A source remembers the entry it came from
(``Source.registry_key``, ``<list>:<id>``), so adding a list again adds nothing, and changes nothing
an operator changed since (a name, an address, a program). An entry whose address is already a
source's, added by hand, is left to that source. A bad entry is skipped with its reason; the others
are added, in one transaction per list. Nothing here fetches anything: ``commonground sync`` does.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from commonground.feeds.formats import FORMAT_NAMES
from commonground.meetings.links import LinkError, web_link
from commonground.meetings.models import Source, unique_source_slug
from commonground.safety.countries import iso_codes

HERE = Path(__file__).resolve().parent
WORLD = "world"
BMLT_ROOTS = "bmlt-roots"  # the list BMLT's serverList.json is, whoever's copy it is
# `world`: the lists a deployer wants by default. NA world-wide comes from BMLT's daily export (in
# feeds.toml), not from its 44 root servers one by one: `add-registry bmlt-roots` adds those, for
# areas that want fresher data than a day (the export then leaves those roots to their servers).
WORLD_LISTS = ("feeds",)


class RegistryError(ValueError):
    """A list that cannot be read at all (not an entry of it: those are skipped with a reason)."""


@dataclass(frozen=True)
class Entry:
    registry: str
    id: str
    name: str
    format: str
    url: str
    program: str = ""
    countries: tuple[str, ...] = ()
    confirmed: bool = True
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.registry}:{self.id}"


@dataclass
class Registry:
    name: str
    title: str
    entries: list[Entry] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry id or position, why)


def load(name_or_path: str) -> list[Registry]:
    """``world``, a list shipped here by name, or one file: our TOML, or BMLT's JSON list."""
    if name_or_path == WORLD:
        return [read_toml(HERE / f"{name}.toml") for name in WORLD_LISTS]
    if (HERE / f"{name_or_path}.toml").is_file() and "/" not in name_or_path:
        return [read_toml(HERE / f"{name_or_path}.toml")]
    path = Path(name_or_path).expanduser()
    if not path.is_file():
        raise RegistryError(f"{name_or_path}: no such file (give a registry file, or 'world' for the built-in lists)")
    if path.suffix.lower() == ".toml":
        return [read_toml(path)]
    return [read_server_list(path)]


def read_toml(path: Path) -> Registry:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path.name}: cannot be read as TOML ({exc})") from None
    head = data.get("registry")
    if not isinstance(head, dict) or not isinstance(head.get("name"), str) or not head["name"].strip():
        raise RegistryError(f"{path.name}: a [registry] table with a name is needed")
    name = head["name"].strip()
    shared = {"format": head.get("format", ""), "program": head.get("program", "")}
    registry = Registry(name, str(head.get("title", name)))
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise RegistryError(f"{path.name}: [[entry]] must be a list of tables")
    _take(registry, [{**shared, **e} if isinstance(e, dict) else e for e in entries])
    return registry


def read_server_list(path: Path) -> Registry:
    """BMLT's ``serverList.json``: ``[{"id": "99", "name": "...", "url": "https://.../main_server/"}, ...]``."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise RegistryError(f"{path.name}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, list):
        raise RegistryError(f"{path.name}: BMLT's server list is a JSON list of {{id, name, url}}")
    registry = Registry(BMLT_ROOTS, f"BMLT root servers ({path.name})")
    _take(registry, [{"format": "bmlt", "program": "na", **e} if isinstance(e, dict) else e for e in data])
    return registry


def _take(registry: Registry, raw_entries: list[Any]) -> None:
    seen: set[str] = set()
    for position, raw in enumerate(raw_entries, 1):
        try:
            entry = _entry(registry.name, raw)
        except ValueError as exc:
            label = str(raw.get("id", f"#{position}")) if isinstance(raw, dict) else f"#{position}"
            registry.skipped.append((label, str(exc)))
            continue
        if entry.id in seen:
            registry.skipped.append((entry.id, "the same id is listed twice; the first is kept"))
            continue
        seen.add(entry.id)
        registry.entries.append(entry)


def _entry(registry: str, raw: Any) -> Entry:
    if not isinstance(raw, dict):
        raise ValueError("an entry must be a table of fields")
    ident = raw.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or not str(ident).strip():
        raise ValueError("no id")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValueError("no name (or one over 200 characters)")
    fmt = raw.get("format", "")
    if fmt not in FORMAT_NAMES:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(sorted(FORMAT_NAMES))}")
    try:
        url = web_link(raw.get("url", "")).href
    except LinkError as exc:
        raise ValueError(f"its url is refused: {exc}") from None
    countries = raw.get("countries", [])
    if not isinstance(countries, list) or not all(isinstance(c, str) for c in countries):
        raise ValueError("countries must be a list of ISO 3166 codes")
    unknown = [c for c in countries if c.upper() not in iso_codes()]
    if unknown:
        raise ValueError(f"not ISO 3166 country codes: {', '.join(unknown)}")
    program = raw.get("program", "")
    if not isinstance(program, str):
        raise ValueError("program must be a program's code")
    return Entry(
        registry=registry,
        id=str(ident).strip(),
        name=" ".join(name.split()),
        format=fmt,
        url=url,
        program=program.strip(),
        countries=tuple(c.upper() for c in countries),
        confirmed=raw.get("confirmed", True) is not False,
        note=str(raw.get("note", "")),
    )


@dataclass
class Added:
    """What ``add`` did (or, with ``dry_run``, would do), entry by entry."""

    added: list[tuple[Entry, str]] = field(default_factory=list)  # (entry, the new source's name)
    present: list[tuple[Entry, str]] = field(default_factory=list)  # (entry, the source already there)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (registry, entry, why)


def add(registries: list[Registry], *, dry_run: bool = False) -> Added:
    report = Added()
    for registry in registries:
        report.skipped.extend((registry.name, label, why) for label, why in registry.skipped)
        with transaction.atomic():
            for entry in registry.entries:
                _add_one(entry, report, dry_run)
            if dry_run:
                transaction.set_rollback(True)
    return report


def _add_one(entry: Entry, report: Added, dry_run: bool) -> None:
    from commonground.catalog.models import Program

    known = Source.objects.filter(registry_key=entry.key).first() or Source.objects.filter(location=entry.url).first()
    if known is not None:
        report.present.append((entry, known.name))
        return
    name = entry.name
    if Source.objects.filter(name=name).exists():
        name = f"{entry.name} ({entry.key})"[:200]
    program = entry.program if entry.program and Program.objects.filter(pk=entry.program).exists() else None
    source = Source(
        name=name,
        format=entry.format,
        location=entry.url,
        registry_key=entry.key,
        countries=",".join(entry.countries),
        default_program_id=program,
    )
    source.slug = unique_source_slug(name)
    source.full_clean(exclude=["default_program"])
    source.save()
    report.added.append((entry, name))
