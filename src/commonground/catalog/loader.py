"""Load the program catalog from its versioned TOML files (one per program) into the database.

Loading is idempotent: a program whose file has not changed is left alone, a changed file updates
its row, and nothing is ever deleted automatically (meetings point at programs).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from commonground.catalog.models import (
    Approach,
    Availability,
    MedicationStance,
    Program,
    ProgramStatus,
    SpiritualContent,
    YesNoUnknown,
)
from commonground.meetings import types

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"

REQUIRED_KEYS = ("code", "name", "short_name", "status", "order", "type_table", "summary", "first_meeting")
MEDICATION_STANCES = set(MedicationStance.values)
FACT_VALUES: dict[str, set[str] | None] = {
    "approach": set(Approach.values),
    "spiritual_content": set(SpiritualContent.values),
    "support_model": {"sponsor", "facilitator", "mentor", "convenor", "peer-leader", "clinician", "unknown"},
    "meeting_format": {"discussion", "speaker", "step-study", "tools", "meditation", "teaching", "unknown"},
    "scope": {"alcohol", "drugs", "any-substance", "behaviours", "gambling", "family"},
    "focus": {"none", "cannabis", "stimulants", "gambling", "medication"},
    "family_of": {"not-applicable", "drinking", "drugs", "gambling", "any"},
    "audience": {"everyone", "women", "family", "young-people", "people-on-medication", "dual-diagnosis"},
    "dual_diagnosis": set(YesNoUnknown.values),
    "moud": MEDICATION_STANCES,
    "psychiatric_medication": MEDICATION_STANCES,
    "online": set(Availability.values),
    "goal": {"abstinence", "moderation-or-abstinence", "self-chosen", "not-applicable"},
    "milestones": None,  # free text
}
LIST_FACTS = {"support_model", "meeting_format", "scope", "focus", "family_of"}
SOURCE_KINDS = ("primary", "peer-reviewed", "secondary")
CONFIRMING_KINDS = ("primary", "peer-reviewed")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What users must never see as a source: our own files and notes.
INTERNAL = re.compile(r"research notes|programs-facts|fact-check|\.md\b|\.toml\b|common ground", re.I)


class CatalogError(ValueError):
    """A catalog file is missing something or holds a value we do not understand."""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_program_file(path: Path) -> dict:
    """Parse and validate one program file; raise CatalogError naming the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path.name}: not valid TOML ({exc})") from None
    problems = validate_program(data, path.stem)
    if problems:
        raise CatalogError(f"{path.name}: " + "; ".join(problems))
    return data


def validate_program(data: dict, stem: str) -> list[str]:
    problems = [f"missing {key!r}" for key in REQUIRED_KEYS if key not in data]
    if data.get("code") != stem:
        problems.append(f"code {data.get('code')!r} must equal the file name {stem!r}")
    if data.get("status") not in ProgramStatus.values:
        problems.append(f"status must be one of {sorted(ProgramStatus.values)}")
    if data.get("type_table") not in types.known_tables():
        problems.append(f"type_table {data.get('type_table')!r} is not a known code table")
    sources = data.get("sources") or {}
    if not sources:
        problems.append("no [sources]")
    facts = data.get("facts") or {}
    for name, allowed in FACT_VALUES.items():
        fact = facts.get(name)
        if not isinstance(fact, dict):
            problems.append(f"missing [facts.{name}]")
            continue
        values = fact.get("value")
        values = values if isinstance(values, list) else [values]
        if allowed is not None and (not values or any(v not in allowed for v in values)):
            problems.append(f"facts.{name} = {fact.get('value')!r} is not one of {sorted(allowed)}")
        if name in LIST_FACTS and not isinstance(fact.get("value"), list):
            problems.append(f"facts.{name} must be a list")
        cited = fact.get("sources") or []
        if not cited:
            problems.append(f"facts.{name} cites no source")
        problems += [f"facts.{name} cites undeclared source {s!r}" for s in cited if s not in sources]
    for key in ("website", "meeting_finder"):
        link = data.get(key)
        if link is not None:
            problems += [f"{key} cites undeclared source {s!r}" for s in link.get("sources", []) if s not in sources]
            if "url" not in link:
                problems.append(f"{key} has no url")
    for language, texts in (data.get("i18n") or {}).items():
        unknown = [f for f in texts.get("notes", {}) if f not in facts]
        problems += [f"i18n.{language}.notes.{f} translates no fact" for f in unknown]
    for name, fact in facts.items():
        if name not in FACT_VALUES:
            problems.append(f"facts.{name} is not a catalog fact")
        elif "confirmed" in fact and not isinstance(fact["confirmed"], bool):
            problems.append(f"facts.{name}.confirmed must be true or false")
    for sid, source in sources.items():
        problems += [f"source {sid!r}: {p}" for p in check_source(source)]
    for language, texts in (data.get("i18n") or {}).items():
        for sid in texts.get("sources") or {}:
            if sid not in sources:
                problems.append(f"i18n.{language}.sources.{sid} translates no source")
    return problems


def check_source(source: dict) -> list[str]:
    """What is wrong with one source entry (users see its title, site and date checked)."""
    problems = []
    title, url = str(source.get("title") or ""), str(source.get("url") or "")
    if not title.strip():
        problems.append("needs a title")
    if not url.startswith("https://") and not url.startswith("http://"):
        problems.append("needs a full http(s) url")
    if source.get("kind") not in SOURCE_KINDS:
        problems.append(f"kind must be one of {', '.join(SOURCE_KINDS)}")
    if not DATE.fullmatch(str(source.get("checked") or "")):
        problems.append('needs the date it was checked (checked = "YYYY-MM-DD")')
    if INTERNAL.search(title) or INTERNAL.search(url):
        problems.append("names an internal file or note; cite the program's own material or a paper")
    return problems


def fact_confirmed(fact: dict, sources: dict) -> bool:
    """Confirmed: a value other than unknown, backed by the program's material or a paper."""
    if fact.get("confirmed") is False or fact.get("value") in ("unknown", ["unknown"]):
        return False
    return any(sources.get(sid, {}).get("kind") in CONFIRMING_KINDS for sid in fact.get("sources", []))


def program_files(directory: Path = PROGRAMS_DIR) -> list[Path]:
    return sorted(directory.glob("*.toml"))


@cache
def program_type_tables() -> dict[str, str]:
    """Program code -> meeting-type table, straight from the files (no database needed)."""
    tables = {}
    for path in program_files():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        tables[data["code"]] = data["type_table"]
    return tables


def _fields(data: dict) -> dict:
    facts = data["facts"]
    website = data.get("website") or {}
    finder = data.get("meeting_finder") or {}
    return {
        "name": data["name"],
        "short_name": data["short_name"],
        "status": data["status"],
        "order": data["order"],
        "type_table": data["type_table"],
        "summary": data["summary"].strip(),
        "first_meeting": data["first_meeting"].strip(),
        "not_for": data.get("not_for", "").strip(),
        "website": website.get("url", ""),
        "website_confirmed": fact_confirmed(
            {"value": website.get("url"), "sources": website.get("sources", [])}, data["sources"]
        ),
        "meeting_finder": finder.get("url", ""),
        "approach": facts["approach"]["value"],
        "spiritual_content": facts["spiritual_content"]["value"],
        "support_model": facts["support_model"]["value"],
        "scope": facts["scope"]["value"],
        "audience": facts["audience"]["value"],
        "dual_diagnosis": facts["dual_diagnosis"]["value"],
        "moud": facts["moud"]["value"],
        "psychiatric_medication": facts["psychiatric_medication"]["value"],
        "online": facts["online"]["value"],
        "goal": facts["goal"]["value"],
        "milestones": facts["milestones"]["value"],
        # Links carry sources too; keep them beside the facts so pages can cite them.
        "facts": {
            **{name: {**fact, "confirmed": fact_confirmed(fact, data["sources"])} for name, fact in facts.items()},
            "website": website,
            "meeting_finder": finder,
        },
        "sources": data["sources"],
        "translations": data.get("i18n", {}),
    }


@transaction.atomic
def load_catalog(directory: Path = PROGRAMS_DIR) -> LoadResult:
    """Upsert every program file in ``directory``. All files are validated before any write."""
    parsed = []
    for path in program_files(directory):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        parsed.append((read_program_file(path), digest))
    if not parsed:
        raise CatalogError(f"no program files in {directory}")
    result = LoadResult()
    existing = dict(Program.objects.values_list("code", "data_hash"))
    now = timezone.now()
    for data, digest in parsed:
        code = data["code"]
        if existing.get(code) == digest:
            result.unchanged += 1
            continue
        Program.objects.update_or_create(code=code, defaults={**_fields(data), "data_hash": digest, "loaded_at": now})
        if code in existing:
            result.updated += 1
        else:
            result.created += 1
    return result
