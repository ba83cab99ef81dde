"""The fit finder's questions: the answers a person may give, parsed and checked.

All answers are optional. Each question has "prefer not to say" (no answer). Several answers
can repeat where a person may mean more than one (help_with, group, day, time_of_day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from commonground.search.query import QueryError

CHOICES: dict[str, tuple[str, ...]] = {
    "help_with": ("alcohol", "drugs", "both", "behavior", "someone_else"),
    "spirituality": ("spiritual", "christian", "buddhist", "none", "any"),
    "medication": ("moud", "psychiatric", "none", "undisclosed"),
    "mental_health": ("yes", "no", "undisclosed"),
    "group": ("women", "men", "lgbtq", "young", "none"),
    "attend": ("in_person", "online", "either"),
    "structure": ("steps", "tools", "discussion", "unsure"),
    "goal": ("abstinence", "moderation", "unsure"),
    "day": tuple(str(d) for d in range(7)),
    "time_of_day": ("morning", "afternoon", "evening", "night"),
}
MULTIPLE = {"help_with", "medication", "group", "day", "time_of_day"}
FREE_TEXT = ("language", "near")
FIELDS = tuple(CHOICES) + FREE_TEXT
# Answers meaning "no answer": they never trigger a rule.
NO_ANSWER = {"undisclosed", "any", "either", "unsure", "none"}
TIMES_OF_DAY = {"morning": ("06:00", "12:00"), "afternoon": ("12:00", "17:00"), "evening": ("17:00", "21:00"),
                "night": ("21:00", "02:00")}


@dataclass
class Answers:
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    language: str = ""
    near: str = ""

    def get(self, name: str) -> tuple[str, ...]:
        return self.values.get(name, ())

    def as_params(self) -> list[tuple[str, str]]:
        """The answers as query-string pairs (for links: change my answers, share)."""
        pairs = [(name, value) for name in CHOICES for value in self.values.get(name, ())]
        if self.language:
            pairs.append(("language", self.language))
        if self.near:
            pairs.append(("near", self.near))
        return pairs


def _values(params, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        raw = params.get(name)
        raw = raw if isinstance(raw, list | tuple) else ([] if raw is None else [raw])
    out = []
    for item in raw:
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise QueryError(name, f"{name} must be text, such as one of: {', '.join(CHOICES.get(name, ()))}.")
        out += [part.strip() for part in str(item).split(",") if part.strip()]
    return out


def parse_answers(params) -> Answers:
    """Answers from a query string or a JSON body. Raises QueryError naming the first bad field."""
    unknown = [k for k in params.keys() if k not in FIELDS and k not in ("now",)] if hasattr(params, "keys") else []
    if unknown:
        raise QueryError(unknown[0], f"{unknown[0]!r} is not a question; the questions are {', '.join(FIELDS)}.")
    answers = Answers()
    for name, allowed in CHOICES.items():
        values = _values(params, name)
        bad = [v for v in values if v not in allowed]
        if bad:
            raise QueryError(name, f"{name} cannot be {bad[0]!r}; choose from {', '.join(allowed)}.")
        if len(values) > 1 and name not in MULTIPLE:
            raise QueryError(name, f"Give one answer for {name}.")
        if values:
            answers.values[name] = tuple(dict.fromkeys(values))
    language = (_values(params, "language") or [""])[0].lower()
    if language and not re.fullmatch(r"[a-z]{2,3}", language):
        raise QueryError("language", "language must be an ISO 639-1 code such as es.")
    answers.language = language
    answers.near = (_values(params, "near") or [""])[0][:120]
    return answers
