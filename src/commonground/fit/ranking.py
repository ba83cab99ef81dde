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

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from commonground import safety
from commonground.catalog.models import Program
from commonground.fit.answers import TIMES_OF_DAY, Answers
from commonground.fit.rules import load_rules
from commonground.fit.treatment import Nearby, nearby, wanted
from commonground.fit.treatment import as_api as treatment_api
from commonground.meetings import schedule
from commonground.safety.countries import country_for_zone
from commonground.search import engine
from commonground.search.query import QueryError, SearchQuery, parse_query
from commonground.search.results import jsonable

TOP = 3
MEETINGS_SHOWN = 6
SHARES = (3, 2, 1)  # meetings from the first, second and third program that fit, before filling up
TAG_FOR_GROUP = {"women": "women", "men": "men", "lgbtq": "lgbtq", "young": "young", "asl": "asl"}
MEDICATION_FACTS = {"moud", "psychiatric_medication"}
# Programs whose goal includes cutting down: never near the top when the safety layer says stopping or
# cutting down without a doctor is unsafe (withdrawal risk).
MODERATION_GOALS = {"moderation-or-abstinence"}


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
    held_back: bool = False  # the safety layer's guard: ranked after every other program

    @property
    def excluded(self) -> bool:
        """Never a source of "meetings that fit you"."""
        return self.held_back or any(
            r.kind == "not_for" or (r.fact in MEDICATION_FACTS and r.kind in ("minus", "caution")) for r in self.reasons
        )


@dataclass
class FitResult:
    answers: Answers
    ranking: list[Ranked]
    meetings: list[dict] = field(default_factory=list)
    meeting_programs: list[str] = field(default_factory=list)
    search_url: str = "/meetings"
    guidance: safety.Guidance | None = None
    place_label: str = ""
    params: dict = field(default_factory=dict)  # the meeting search that matches the answers, built once
    online_only: bool = False  # no place given: the meetings that fit are online or hybrid
    treatment: Nearby | None = None  # medication treatment or detox near the place, when the answers call for it

    @property
    def notes(self) -> list[safety.Note]:
        return self.guidance.notes if self.guidance else []


def search_params(answers: Answers, now: str | None = None) -> dict:
    """The meeting search that matches the answers (without any program). Without a place, the meetings
    that fit are online or hybrid: in-person meetings anywhere in the world help nobody."""
    params: dict = {}
    attend = answers.get("attend")
    if not answers.near:
        params["mode"] = "online"
    elif attend and attend[0] in ("in_person", "online"):
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


def _from_now(params: dict, answers: Answers, query: SearchQuery) -> dict:
    """A time of day starts now when now is inside it: "night" at 2 a.m. is not 19 hours away."""
    times = answers.get("time_of_day")
    if not times or answers.get("day"):
        return params
    local = query.now.astimezone(schedule.zone(query.tz))
    clock = local.strftime("%H:%M")
    for name in times:
        start, end = TIMES_OF_DAY[name]
        inside = start <= clock < end if start < end else (clock >= start or clock < end)
        if inside:
            if start > end and clock < end:  # after midnight: the night that began yesterday, until it ends
                return {**params, "day": ["today"], "time_from": clock, "time_to": end}
            return {**params, "time_from": clock}
    return params


def _country(answers: Answers, query: SearchQuery) -> tuple[str, str]:
    """The person's country: as answered, else the place's, else the time zone's, else unknown."""
    if answers.country:
        return answers.country, "answer"
    if query.country:
        return query.country, "place"
    zone_country = country_for_zone(answers.tz)
    return (zone_country, "zone") if zone_country else ("", "")


def _pairs(params: dict) -> list[tuple[str, str]]:
    return [(k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])]


def rank(answers: Answers, *, language: str = "en", now: str | None = None) -> FitResult:
    """Rank every program. The answers were parsed once; here the place is resolved once (one parsed
    query, narrowed per program with ``replace``) and the search parameters are built once."""
    params = search_params(answers, now)
    query = parse_query(params)  # raises QueryError for an unknown place, with candidates
    timed = _from_now(params, answers, query)
    if timed is not params:
        params = timed
        query = parse_query(params)
    country, country_from = _country(answers, query)
    guidance = safety.guidance(answers.situation(country=country, country_from=country_from))
    available = engine.program_counts(query)
    in_language = None
    if answers.language:  # the language rule counts meetings by place and mode, at any time
        in_language = engine.program_counts(replace(query, window_start=None, window_end=None, windows=[]))
    rules = load_rules()
    # Where the person is, for programs that serve one country only (US telehealth care).
    served = safety.get_country(country) if country else None
    where = {"person_in_us": "yes" if served is not None and served.code == "US" else "no"} if country else {}
    ranking = []
    for program in Program.objects.order_by("order", "code"):
        computed = dict(where)
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
        ranked = Ranked(program, score, reasons, available.get(program.code, 0))
        if guidance.moderation_unsafe and program.facts.get("goal", {}).get("value") in MODERATION_GOALS:
            _hold_back(ranked, language)
        ranking.append(ranked)
    ranking.sort(key=lambda r: (r.held_back, -r.score, -r.meetings_available, r.program.order, r.program.code))
    result = FitResult(
        answers=answers,
        ranking=ranking,
        place_label=query.place_label,
        guidance=guidance,
        params=params,
        online_only=not answers.near,
    )
    _meetings_that_fit(result, query)
    if wanted(guidance.situation):
        result.treatment = nearby(guidance.situation, _place(answers, query))
    return result


def _place(answers: Answers, query: SearchQuery) -> tuple[float, float, str] | None:
    """The place given, as (latitude, longitude, country): the meeting search's, or the answer's own
    when the search has none (online meetings only: the place still says where treatment would be)."""
    if not answers.near:
        return None
    if not query.has_place:
        try:
            query = parse_query({"near": answers.near})
        except QueryError:  # a place the meeting search did not need (online only) and nobody knows
            return None
    return (query.latitude, query.longitude, query.country) if query.has_place else None


def _hold_back(ranked: Ranked, language: str) -> None:
    """The safety layer's guard (docs/safety.md, rule 4): with a withdrawal risk, a program whose goal
    includes cutting down ranks after every other, and no reason in its favour about goals stands."""
    ranked.held_back = True
    ranked.reasons = [r for r in ranked.reasons if not (r.kind == "plus" and r.fact == "goal")]
    # One "not for you" says it (the rules usually give it, on the program's audience); the guard's own
    # reason only where no rule did. One fact counts once: it replaces any other reason on the goal.
    if not any(r.kind == "not_for" for r in ranked.reasons):
        ranked.reasons = [r for r in ranked.reasons if r.fact != "goal"]
        fact = ranked.program.fact("goal", language)
        ranked.reasons.append(
            Reason(
                "not_for",
                _(
                    "Cutting down is not a safe goal for you now: with signs of withdrawal, or with sedatives, stopping or "
                    "cutting down can be dangerous without a doctor. Please talk to one first."
                ),
                fact["sources"],
                "goal",
                "safety-moderation-withdrawal",
                fact["confirmed"],
            )
        )
    ranked.score = min(ranked.score, 0)


def _reason(rule, program: Program, language: str) -> tuple[Reason, int]:
    name = program.text("name", language)
    text = rule.text.get(language) or rule.text["en"]
    text = text.format(program=name)
    if rule.fact == "meetings":
        sources, confirmed = (
            [{"title": _("Meeting listings on Common Ground"), "url": "/meetings", "site": "", "checked": ""}],
            True,
        )
    else:
        fact = program.fact(rule.fact, language)
        order = {"primary": 0, "peer-reviewed": 1, "secondary": 2}
        sources = sorted(fact["sources"], key=lambda src: order.get(src["kind"], 3))  # the program's own first
        confirmed = fact["confirmed"]
    if rule.kind == "plus" and not confirmed:
        # Never a point in a program's favour on a fact nobody has confirmed.
        return Reason("caution", f"{text} ({_('not confirmed by the program')})", sources, rule.fact, rule.id, False), 0
    return Reason(rule.kind, text, sources, rule.fact, rule.id, confirmed), rule.score


def _meetings_that_fit(result: FitResult, query: SearchQuery) -> None:
    """Meetings of the best-ranked programs that fit, the best first: 3, 2 and 1, then fill up."""
    eligible = [r for r in result.ranking if not r.excluded and r.meetings_available][:TOP]
    picked: list[list[dict]] = []
    for ranked in eligible:
        narrowed = replace(
            query,
            programs=(ranked.program.code,),
            limit=MEETINGS_SHOWN,
            offset=0,
            sort=query.sort if "sort" in result.params else "soonest",
        )
        picked.append(engine.search(narrowed).results)
    meetings, taken = [], [0] * len(picked)
    for i, rows in enumerate(picked):
        share = SHARES[i] if i < len(SHARES) else 0
        meetings += rows[:share]
        taken[i] = min(share, len(rows))
    for i, rows in enumerate(picked):  # fill the rest in rank order
        room = MEETINGS_SHOWN - len(meetings)
        if room <= 0:
            break
        meetings += rows[taken[i] : taken[i] + room]
    result.meetings = meetings[:MEETINGS_SHOWN]
    result.meeting_programs = [r.program.code for r in eligible]
    codes = ",".join(result.meeting_programs)
    result.search_url = "/meetings?" + urlencode([*_pairs(result.params), *([("program", codes)] if codes else [])])


def as_api(result: FitResult) -> dict:
    return {
        "ranking": [
            {
                "program": r.program.code,
                "name": r.program.name,
                "score": r.score,
                "meetings_available": r.meetings_available,
                "status": r.program.status,
                "meetings_that_fit": r.program.code in result.meeting_programs,
                "reasons": [
                    {
                        "kind": x.kind,
                        "text": x.text,
                        "fact": x.fact,
                        "rule": x.rule,
                        "confirmed": x.confirmed,
                        "sources": [{k: s.get(k) for k in ("title", "url", "site", "checked")} for s in x.sources],
                    }
                    for x in r.reasons
                ],
            }
            for r in result.ranking
        ],
        "meetings": [jsonable(m) for m in result.meetings],
        "search_url": result.search_url,
        "notes": [n.as_dict() for n in result.notes],
        "help_now": [line.as_dict() for line in result.guidance.lines] if result.guidance else [],
        "safety": result.guidance.as_dict() if result.guidance else None,
        "online_only": result.online_only,
        "treatment": treatment_api(result.treatment),
    }
