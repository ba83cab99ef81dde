"""Rank every program for a person's answers, with sourced reasons, and find meetings that fit.

Nothing is filtered out: a poor fit ranks lower and says why. Ties are broken by how many
meetings match the person's place, time and way of attending, then by catalog order. Safety
rules, in this order of importance (docs/fit.md):

- one fact counts once per program, so no reason both fits and does not fit on the same fact;
- a plus resting on a fact the program has not confirmed becomes "good to know", worth nothing;
- "meetings that fit you" never come from a program with a "not for you" reason, or with a minus
  or caution about the person's medication; they come from the best-ranked programs, best first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from commonground.catalog.models import Program
from commonground.fit import resources
from commonground.fit.answers import TIMES_OF_DAY, Answers
from commonground.fit.rules import load_rules
from commonground.search import engine
from commonground.search.query import parse_query
from commonground.search.results import jsonable

TOP = 3
MEETINGS_SHOWN = 6
SHARES = (3, 2, 1)  # meetings from the first, second and third program that fit, before filling up
TAG_FOR_GROUP = {"women": "women", "men": "men", "lgbtq": "lgbtq", "young": "young"}
MEDICATION_FACTS = {"moud", "psychiatric_medication"}


@dataclass
class Reason:
    kind: str  # plus, minus, caution, not_for
    text: str
    sources: list[dict]
    fact: str
    rule: str
    confirmed: bool = True


@dataclass
class Ranked:
    program: Program
    score: int
    reasons: list[Reason]
    meetings_available: int

    @property
    def excluded(self) -> bool:
        """Never a source of "meetings that fit you"."""
        return any(r.kind == "not_for" or (r.fact in MEDICATION_FACTS and r.kind in ("minus", "caution"))
                   for r in self.reasons)


@dataclass
class FitResult:
    answers: Answers
    ranking: list[Ranked]
    meetings: list[dict] = field(default_factory=list)
    meeting_programs: list[str] = field(default_factory=list)
    search_url: str = "/meetings"
    notes: list[resources.Note] = field(default_factory=list)
    help_now: list[resources.Note] = field(default_factory=list)
    place_label: str = ""


def search_params(answers: Answers, now: str | None = None) -> dict:
    """The meeting search that matches the answers (without any program)."""
    params: dict = {}
    attend = answers.get("attend")
    if attend and attend[0] in ("in_person", "online"):
        params["mode"] = attend[0]
    if answers.near and attend != ("online",):
        params["near"] = answers.near
    if answers.tz:
        params["tz"] = answers.tz
    days, times = answers.get("day"), answers.get("time_of_day")
    if days:
        params["day"] = list(days)
    if times:
        starts = [TIMES_OF_DAY[t][0] for t in times]
        ends = [TIMES_OF_DAY[t][1] for t in times]
        params["day"] = params.get("day", ["today"])
        params["time_from"] = min(starts)
        params["time_to"] = "02:00" if "night" in times else max(ends)
    if answers.language:
        params["language"] = answers.language
    tags = [TAG_FOR_GROUP[g] for g in answers.get("group") if g in TAG_FOR_GROUP]
    if tags:
        params["type"] = ",".join(tags)
    if now:
        params["now"] = now
    return params


def _pairs(params: dict) -> list[tuple[str, str]]:
    return [(k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])]


def rank(answers: Answers, *, language: str = "en", now: str | None = None) -> FitResult:
    params = search_params(answers, now)
    query = parse_query(params)  # raises QueryError for an unknown place, with candidates
    available = engine.program_counts(query)
    in_language = None
    if answers.language:  # the language rule counts meetings by place and mode, at any time
        untimed = {k: v for k, v in params.items() if k not in ("day", "time_from", "time_to")}
        in_language = engine.program_counts(parse_query(untimed))
    rules = load_rules()
    ranking = []
    for program in Program.objects.order_by("order", "code"):
        computed = {}
        if in_language is not None:
            computed["meetings_in_language"] = "some" if in_language.get(program.code) else "none"
        chosen: dict[str, tuple] = {}
        for rule in rules:
            if not rule.applies(answers, program, computed):
                continue
            current = chosen.get(rule.fact)
            # One fact counts once: the strongest reason on it stands (a warning wins a tie).
            if current is None or (abs(rule.score), rule.score < 0) > (abs(current.score), current.score < 0):
                chosen[rule.fact] = rule
        reasons, score = [], 0
        for rule in sorted(chosen.values(), key=lambda r: rules.index(r)):
            reason, points = _reason(rule, program, language)
            reasons.append(reason)
            score += points
        ranking.append(Ranked(program, score, reasons, available.get(program.code, 0)))
    ranking.sort(key=lambda r: (-r.score, -r.meetings_available, r.program.order, r.program.code))
    result = FitResult(answers=answers, ranking=ranking, place_label=query.place_label)
    _meetings_that_fit(result, params)
    result.notes = resources.page_notes(answers)
    result.help_now = resources.help_now(answers)
    return result


def _reason(rule, program: Program, language: str) -> tuple[Reason, int]:
    name = program.text("name", language)
    text = rule.text.get(language) or rule.text["en"]
    text = text.format(program=name)
    if rule.fact == "meetings":
        sources, confirmed = [{"title": _("Meeting listings on Common Ground"), "url": "/meetings", "site": "",
                               "checked": ""}], True
    else:
        fact = program.fact(rule.fact, language)
        order = {"primary": 0, "peer-reviewed": 1, "secondary": 2}
        sources = sorted(fact["sources"], key=lambda src: order.get(src["kind"], 3))  # the program's own first
        confirmed = fact["confirmed"]
    if rule.kind == "plus" and not confirmed:
        # Never a point in a program's favour on a fact nobody has confirmed.
        return Reason("caution", f"{text} ({_('not confirmed by the program')})", sources, rule.fact, rule.id,
                      False), 0
    return Reason(rule.kind, text, sources, rule.fact, rule.id, confirmed), rule.score


def _meetings_that_fit(result: FitResult, params: dict) -> None:
    """Meetings of the best-ranked programs that fit, the best first: 3, 2 and 1, then fill up."""
    eligible = [r for r in result.ranking if not r.excluded and r.meetings_available][:TOP]
    picked: list[list[dict]] = []
    for ranked in eligible:
        query = parse_query({**params, "program": ranked.program.code, "limit": str(MEETINGS_SHOWN),
                             **({"sort": "soonest"} if "sort" not in params else {})})
        picked.append(engine.search(query).results)
    meetings, taken = [], [0] * len(picked)
    for i, rows in enumerate(picked):
        share = SHARES[i] if i < len(SHARES) else 0
        meetings += rows[:share]
        taken[i] = min(share, len(rows))
    for i, rows in enumerate(picked):  # fill the rest in rank order
        room = MEETINGS_SHOWN - len(meetings)
        if room <= 0:
            break
        meetings += rows[taken[i]:taken[i] + room]
    result.meetings = meetings[:MEETINGS_SHOWN]
    result.meeting_programs = [r.program.code for r in eligible]
    codes = ",".join(result.meeting_programs)
    result.search_url = "/meetings?" + urlencode([*_pairs(params), *([("program", codes)] if codes else [])])


def as_api(result: FitResult) -> dict:
    return {
        "ranking": [{
            "program": r.program.code, "name": r.program.name, "score": r.score,
            "meetings_available": r.meetings_available, "status": r.program.status,
            "meetings_that_fit": r.program.code in result.meeting_programs,
            "reasons": [{"kind": x.kind, "text": x.text, "fact": x.fact, "rule": x.rule, "confirmed": x.confirmed,
                         "sources": [{k: s.get(k) for k in ("title", "url", "site", "checked")} for s in x.sources]}
                        for x in r.reasons],
        } for r in result.ranking],
        "meetings": [jsonable(m) for m in result.meetings],
        "search_url": result.search_url,
        "notes": [n.as_dict() for n in result.notes],
        "help_now": [n.as_dict() for n in result.help_now],
    }
