"""The fit finder's questions: the answers a person may give, parsed and checked.

All answers are optional; "prefer not to say" is no answer. Several answers can repeat where a
person may mean more than one (help_with, medication, group, day, time_of_day). The rules read
the answers as given and a few derived from them (``needs``): "both" means alcohol and drugs,
opioids, stimulants and cannabis are drugs, gambling is a behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from commonground.meetings import schedule
from commonground.safety import situation
from commonground.safety.countries import iso_codes
from commonground.safety.situation import Situation
from commonground.search.query import QueryError

CHOICES: dict[str, tuple[str, ...]] = {
    "help_with": (
        "alcohol",
        "drugs",
        "both",
        "opioids",
        "stimulants",
        "sedatives",
        "cannabis",
        "gambling",
        "behavior",
        "someone_else",
    ),
    "their_use": ("drinking", "drugs", "both", "gambling"),
    "dependence": ("yes", "no", "unsure"),
    "goal": ("abstinence", "moderation", "unsure"),
    "medication": ("moud", "alcohol_medication", "psychiatric", "none", "undisclosed"),
    "spirituality": ("spiritual", "christian", "buddhist", "indigenous", "muslim", "none", "any"),
    "mental_health": ("yes", "no", "undisclosed"),
    "gender": ("woman", "man", "nonbinary", "undisclosed"),
    "group": ("women", "men", "lgbtq", "young", "asl", "none"),
    "attend": ("in_person", "online", "either"),
    "day": tuple(str(d) for d in range(7)),
    "time_of_day": ("morning", "afternoon", "evening", "night"),
    "structure": ("steps", "tools", "discussion", "unsure"),
    # Safety answers: read by the safety layer (commonground/safety), all optional.
    "pregnant": situation.PREGNANT,
    "age": situation.AGES,
    "recently_left": situation.LEFT,
    "crisis": ("yes", "no"),
}
MULTIPLE = {"help_with", "medication", "group", "day", "time_of_day", "recently_left"}
FREE_TEXT = ("language", "near", "tz", "country")
FIELDS = tuple(CHOICES) + FREE_TEXT
TIMES_OF_DAY = {
    "morning": ("06:00", "12:00"),
    "afternoon": ("12:00", "17:00"),
    "evening": ("17:00", "21:00"),
    "night": ("21:00", "02:00"),
}
DRUGS = {"drugs", "both", "opioids", "stimulants", "sedatives", "cannabis"}
# What the person wants help with, as the rules read it (``when.needs``).
NEEDS = (
    "own_use",
    "alcohol",
    "drugs",
    "opioids",
    "stimulants",
    "sedatives",
    "cannabis",
    "behaviour",
    "gambling",
    "family",
    "family_drinking",
    "family_drugs",
    "family_gambling",
    "withdrawal_risk",
)
# The fit's answers in the safety layer's words (its Situation).
OWN_SUBSTANCE = {
    "alcohol": ("alcohol",),
    "drugs": ("drugs",),
    "both": ("alcohol", "drugs"),
    "opioids": ("opioids",),
    "stimulants": ("stimulants",),
    "sedatives": ("sedatives",),
    "cannabis": ("cannabis",),
    "gambling": ("gambling",),
    "behavior": ("behaviour",),
}
FAMILY_USE = {"drinking": ("drinking",), "drugs": ("drugs",), "both": ("drinking", "drugs"), "gambling": ("gambling",)}


@dataclass
class Answers:
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    language: str = ""
    near: str = ""
    tz: str = ""
    country: str = ""  # ISO 3166 alpha-2, as answered

    def get(self, name: str) -> tuple[str, ...]:
        if name == "needs":
            return self.needs
        return self.values.get(name, ())

    def situation(self, *, country: str = "", country_from: str = "") -> Situation:
        """The answers in the safety layer's words; the country as found by the caller (answer, place, zone)."""
        helped = self.get("help_with")
        own = {s for h in helped for s in OWN_SUBSTANCE.get(h, ())}
        family = {s for t in self.get("their_use") for s in FAMILY_USE[t]} if "someone_else" in helped else set()
        one = {name: (self.get(name) or ("",))[0] for name in ("dependence", "pregnant", "age", "crisis")}
        return Situation(
            own=frozenset(own),
            family=frozenset(family),
            medication=frozenset(self.get("medication")),
            recently_left=frozenset(self.get("recently_left")),
            country=country,
            country_from=country_from,
            **one,
        )

    @cached_property
    def needs(self) -> tuple[str, ...]:
        """Derived once per set of answers (the rules read it for every program): parse_answers fills the
        answers before anything reads it, and nothing changes them after."""
        helped = set(self.get("help_with"))
        theirs = set(self.get("their_use"))
        out = set()
        own = helped - {"someone_else"}
        if own:
            out.add("own_use")
        if own & {"alcohol", "both"}:
            out.add("alcohol")
        if own & DRUGS:
            out.add("drugs")
        out |= own & {"opioids", "stimulants", "sedatives", "cannabis", "gambling"}
        if own & {"behavior", "gambling"}:
            out.add("behaviour")
        if "someone_else" in helped:
            out.add("family")
            if theirs & {"drinking", "both"}:
                out.add("family_drinking")
            if theirs & {"drugs", "both"}:
                out.add("family_drugs")
            if "gambling" in theirs:
                out.add("family_gambling")
        # The safety layer owns the rule: sedatives, or alcohol with withdrawal signs (or not sure).
        if self.situation().withdrawal_risk:
            out.add("withdrawal_risk")
        return tuple(n for n in NEEDS if n in out)

    def as_params(self) -> list[tuple[str, str]]:
        """The answers as query-string pairs (for links: change my answers, share)."""
        pairs = [(name, value) for name in CHOICES for value in self.values.get(name, ())]
        for name in FREE_TEXT:
            if getattr(self, name):
                pairs.append((name, getattr(self, name)))
        return pairs


def _values(params, name: str, *, split: bool = True) -> list[str]:
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        raw = params.get(name)
        raw = raw if isinstance(raw, list | tuple) else ([] if raw is None else [raw])
    out = []
    for item in raw:
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise QueryError(name, f"{name} must be text, such as one of: {', '.join(CHOICES.get(name, ()))}.")
        text = str(item).strip()
        if split:
            out += [part.strip() for part in text.split(",") if part.strip()]
        elif text:
            out.append(text)
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
            raise QueryError(name, f"{name} cannot be {bad[0][:40]!r}; choose from {', '.join(allowed)}.")
        if len(set(values)) > 1 and name not in MULTIPLE:
            raise QueryError(name, f"Give one answer for {name}.")
        if values:
            answers.values[name] = tuple(dict.fromkeys(values))
    language = (_values(params, "language") or [""])[-1].lower()
    if language and not re.fullmatch(r"[a-z]{2,3}", language):
        raise QueryError("language", "language must be an ISO 639-1 code such as es.")
    answers.language = language
    # A place is one text, never split: "Portland, ME" is a town in Maine, not two answers.
    near = _values(params, "near", split=False)
    answers.near = near[-1][:120] if near else ""
    tz = _values(params, "tz", split=False)
    if tz:
        try:
            schedule.zone(tz[-1])
        except ValueError:
            raise QueryError("tz", f"tz {tz[-1][:60]!r} is not a time zone name such as America/Denver.") from None
        answers.tz = tz[-1]
    country = _values(params, "country", split=False)
    if country:
        code = country[-1].upper()
        if code not in iso_codes():
            raise QueryError("country", f"country {country[-1][:20]!r} is not an ISO 3166 country code such as GB.")
        answers.country = code
    return answers
