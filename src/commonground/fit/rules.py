"""Load and check the fit finder's rules (rules.toml): readable data, not buried if-statements."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from commonground.catalog.loader import FACT_VALUES
from commonground.fit.answers import CHOICES, NEEDS

RULES_FILE = Path(__file__).resolve().parent / "rules.toml"
KINDS = ("plus", "minus", "caution", "not_for")
# Program keys a rule may test: catalog facts, code and status, and what the ranking computes.
COMPUTED = {
    "meetings_in_language": {"none", "some"},
    # Whether the person is in the United States (or a US territory); absent when not known.
    "person_in_us": {"yes", "no"},
}
PROGRAM_KEYS = set(FACT_VALUES) | {"code", "status"} | set(COMPUTED)
QUESTIONS = {**CHOICES, "needs": NEEDS}
# Facts a reason may rest on: the catalog's, and our own meeting listings.
REASON_FACTS = set(FACT_VALUES) | {"meetings"}


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    when: dict[str, tuple[str, ...]]
    when_all: dict[str, tuple[str, ...]]
    unless: dict[str, tuple[str, ...]]
    program: dict[str, tuple[str, ...]]
    program_all: dict[str, tuple[str, ...]]
    program_not: dict[str, tuple[str, ...]]
    kind: str
    score: int
    fact: str
    text: dict[str, str]

    def applies(self, answers, program, computed: dict | None = None) -> bool:
        for name, values in self.when.items():
            if not set(answers.get(name)) & set(values):
                return False
        for name, values in self.when_all.items():
            if not set(values) <= set(answers.get(name)):
                return False
        for name, values in self.unless.items():
            if set(answers.get(name)) & set(values):
                return False
        for key, values in self.program.items():
            if not program_values(program, key, computed) & set(values):
                return False
        for key, values in self.program_all.items():
            if not set(values) <= program_values(program, key, computed):
                return False
        for key, values in self.program_not.items():
            if program_values(program, key, computed) & set(values):
                return False
        return True


def program_values(program, key: str, computed: dict | None = None) -> set[str]:
    if key in COMPUTED:
        value = (computed or {}).get(key)
        return {value} if value else set()
    if key == "code":
        return {program.code}
    if key == "status":
        return {program.status}
    value = program.facts.get(key, {}).get("value")
    return set(value) if isinstance(value, list) else {value}


def _tuples(table: dict, where: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for key, values in (table or {}).items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RulesError(f"{where}.{key} must be a list of strings")
        out[key] = tuple(values)
    return out


@cache
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rules, seen = [], set()
    for raw in data.get("rule", []):
        rid = raw.get("id", "?")
        if rid in seen:
            raise RulesError(f"rule {rid!r} is defined twice")
        seen.add(rid)
        rule = Rule(
            id=rid,
            when=_tuples(raw.get("when"), f"{rid}.when"),
            when_all=_tuples(raw.get("when_all"), f"{rid}.when_all"),
            unless=_tuples(raw.get("unless"), f"{rid}.unless"),
            program=_tuples(raw.get("program"), f"{rid}.program"),
            program_all=_tuples(raw.get("program_all"), f"{rid}.program_all"),
            program_not=_tuples(raw.get("program_not"), f"{rid}.program_not"),
            kind=raw.get("kind", ""),
            score=raw.get("score", 0),
            fact=raw.get("fact", ""),
            text={"en": raw.get("en", ""), "es": raw.get("es", "")},
        )
        problems = []
        if rule.kind not in KINDS:
            problems.append(f"kind must be one of {KINDS}")
        if not isinstance(rule.score, int):
            problems.append("score must be a whole number")
        if rule.kind == "plus" and rule.score <= 0 or rule.kind in ("minus", "not_for") and rule.score >= 0:
            problems.append("a plus scores above 0, a minus or not_for below")
        if rule.fact not in REASON_FACTS:
            problems.append(f"fact {rule.fact!r} is not a catalog fact")
        for name, values in [*rule.when.items(), *rule.when_all.items(), *rule.unless.items()]:
            if name not in QUESTIONS:
                problems.append(f"{name!r} is not a question")
            problems += [f"{name}={v!r} is not an answer" for v in values if v not in QUESTIONS.get(name, ())]
        for key, values in [*rule.program.items(), *rule.program_all.items(), *rule.program_not.items()]:
            if key not in PROGRAM_KEYS:
                problems.append(f"program.{key} is not a catalog fact")
            allowed = FACT_VALUES.get(key) or COMPUTED.get(key)
            if allowed is not None:
                problems += [f"program.{key}={v!r} is not a value of that fact" for v in values if v not in allowed]
        if not rule.text["en"] or not rule.text["es"] or "{program}" not in rule.text["en"] + rule.text["es"]:
            problems.append("needs en and es texts naming {program}")
        if problems:
            raise RulesError(f"rule {rid!r}: " + "; ".join(problems))
        rules.append(rule)
    return tuple(rules)
