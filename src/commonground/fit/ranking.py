"""Rank every program for a person's answers, with sourced reasons, and find meetings that fit.

Nothing is filtered out: a poor fit ranks lower and says why. Ties are broken by how many
meetings match the person's place, time and way of attending, then by catalog order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from commonground.catalog.models import Program
from commonground.fit.answers import TIMES_OF_DAY, Answers
from commonground.fit.rules import load_rules
from commonground.search import engine
from commonground.search.query import parse_query

TOP = 3
MEETINGS_SHOWN = 6
TAG_FOR_GROUP = {"women": "women", "men": "men", "lgbtq": "lgbtq", "young": "young"}


@dataclass
class Reason:
    kind: str
    text: str
    source: str
    fact: str
    rule: str


@dataclass
class Ranked:
    program: Program
    score: int
    reasons: list[Reason]
    meetings_available: int


@dataclass
class FitResult:
    answers: Answers
    ranking: list[Ranked]
    meetings: list[dict] = field(default_factory=list)
    search_url: str = "/meetings"
    cautions: list[str] = field(default_factory=list)
    place_label: str = ""


def search_params(answers: Answers, now: str | None = None) -> dict:
    """The meeting search that matches the answers (without any program)."""
    params: dict = {}
    attend = answers.get("attend")
    if attend and attend[0] in ("in_person", "online"):
        params["mode"] = attend[0]
    if answers.near and attend != ("online",):
        params["near"] = answers.near
    days = answers.get("day")
    times = answers.get("time_of_day")
    if days:
        params["day"] = days[0]
    if times:
        starts = [TIMES_OF_DAY[t][0] for t in times]
        ends = [TIMES_OF_DAY[t][1] for t in times]
        params["day"] = params.get("day", "today")
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


def source_text(program: Program, fact: str) -> str:
    sources = program.fact(fact)["sources"]
    return "; ".join(f"{s.get('title', s['id'])} ({s.get('where', '')})" for s in sources)


def rank(answers: Answers, *, language: str = "en", now: str | None = None) -> FitResult:
    params = search_params(answers, now)
    query = parse_query(params)  # raises QueryError for an unknown place, with candidates
    available = engine.program_counts(query)
    rules = load_rules()
    ranking = []
    for program in Program.objects.order_by("order", "code"):
        name = program.text("name", language)
        applied = [rule for rule in rules if rule.applies(answers, program)]
        reasons = [Reason(rule.kind, rule.text.get(language, rule.text["en"]).format(program=name),
                          source_text(program, rule.fact), rule.fact, rule.id) for rule in applied]
        ranking.append(Ranked(program, sum(rule.score for rule in applied), reasons,
                              available.get(program.code, 0)))
    ranking.sort(key=lambda r: (-r.score, -r.meetings_available, r.program.order, r.program.code))
    top = [r.program.code for r in ranking[:TOP]]
    meeting_query = parse_query({**params, "program": ",".join(top), "limit": str(MEETINGS_SHOWN),
                                 **({"sort": "soonest"} if "sort" not in params else {})})
    page = engine.search(meeting_query)
    result = FitResult(answers=answers, ranking=ranking, meetings=page.results,
                       search_url="/meetings?" + urlencode([*params.items(), ("program", ",".join(top))]),
                       place_label=query.place_label)
    result.cautions = page_cautions(answers)
    return result


def page_cautions(answers: Answers) -> list[str]:
    """Plain notes for the whole page, such as moderation alongside signs of dependence."""
    notes = []
    severe = "moud" in answers.get("medication") or set(answers.get("help_with")) & {"drugs", "both"}
    if "moderation" in answers.get("goal") and severe:
        notes.append(_(
            "Cutting down is not a safe goal for everyone. Moderation Management is not meant for people who "
            "are dependent on alcohol, and stopping opioids or other drugs suddenly can be dangerous. Please talk "
            "with a doctor or call the SAMHSA National Helpline (1-800-662-4357, free, 24/7), or find treatment at "
            "FindTreatment.gov."))
    return notes


def as_api(result: FitResult) -> dict:
    return {
        "ranking": [{
            "program": r.program.code, "name": r.program.name, "score": r.score,
            "meetings_available": r.meetings_available, "status": r.program.status,
            "reasons": [{"kind": x.kind, "text": x.text, "source": x.source, "fact": x.fact} for x in r.reasons],
        } for r in result.ranking],
        "meetings": result.meetings,
        "search_url": result.search_url,
        "cautions": result.cautions,
    }
