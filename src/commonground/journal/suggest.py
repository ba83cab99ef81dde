"""What to try next: the next program in the person's saved fit ranking that has not fit yet.

Walk the saved ranking in order. A program the journal rated 4 or 5 (or "would go back") is
going well: nothing to suggest over it, so it is named as the one to keep going to. A program
rated lower, or "would not go back", is passed over. The first program not tried yet is the
suggestion, with meetings that match the saved answers' place and times.
"""

from __future__ import annotations

from django.http import QueryDict

from commonground.catalog.models import Program
from commonground.journal.models import Tried
from commonground.journal.records import TriedData


def suggestion(user, account, language: str) -> dict | None:
    saved = account.data.saved_fit
    if not saved:  # nothing saved, or an empty record
        return None
    ratings: dict[str, list[TriedData]] = {}
    for entry in Tried.objects.filter(user=user):
        ratings.setdefault(entry.data.program, []).append(entry.data)
    programs = {p.code: p for p in Program.objects.filter(code__in=saved.ranking)}
    passed, going_well = [], []
    for code in saved.ranking:
        program = programs.get(code)
        if program is None:
            continue
        entries = ratings.get(code)
        if not entries:
            return {
                "program": program,
                "name": program.text("name", language) or program.name,
                "passed": passed,
                "going_well": going_well,
                "meetings": _meetings(saved.query, code, account.data.timezone or "UTC"),
                "saved_on": saved.saved_on,
            }
        best = max(e.rating or 0 for e in entries)
        if best >= 4 or any(e.would_return == "yes" for e in entries):
            going_well.append(program.text("name", language) or program.name)
        else:
            passed.append(program.text("name", language) or program.name)
    return {
        "program": None,
        "passed": passed,
        "going_well": going_well,
        "meetings": [],
        "saved_on": saved.saved_on,
    }


def _meetings(query: str, program: str, zone: str) -> list[dict]:
    from commonground.fit.answers import parse_answers
    from commonground.fit.ranking import search_params
    from commonground.search import engine
    from commonground.search.query import QueryError, parse_query
    from commonground.web.presenters import decorate

    try:
        params = search_params(parse_answers(QueryDict(query)))
        params.update(program=program, limit="3")
        if "day" not in params and "starting_within" not in params:
            params["starting_within"] = "10080"  # the coming week
        params.setdefault("tz", zone)
        return [decorate(r, zone) for r in engine.search(parse_query(params)).results]
    except QueryError:
        return []
