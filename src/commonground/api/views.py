"""The JSON API (django-ninja), version 1: meetings, programs and places."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError

from commonground import i18n
from commonground.api.renderers import FastJSONRenderer
from commonground.catalog.models import Program
from commonground.errors import error_response
from commonground.feeds import coverage
from commonground.fit.answers import CHOICES, parse_answers
from commonground.fit.ranking import as_api, rank
from commonground.meetings.models import Meeting
from commonground.places.gazetteer import gazetteer
from commonground.search import engine
from commonground.search.query import QueryError, parse_query
from commonground.search.results import jsonable, meeting_result
from commonground.treatment import query as treatment_query
from commonground.treatment import search as treatment_search

log = logging.getLogger(__name__)


class CommonGroundAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Every operation documents its error answers, all in the one error shape."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                for status, text in ERROR_RESPONSES.items():
                    responses.setdefault(
                        status,
                        {
                            "description": text,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    )
        return schema


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "field"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
                "candidates": {"type": "array", "items": {"type": "string"}},
            },
        }
    },
}
ERROR_RESPONSES = {
    "400": "A parameter is not valid; the message says which and why.",
    "404": "Nothing at this address.",
    "405": "Method not allowed.",
    "413": "The request body is too large.",
    "414": "The address is too long.",
}

api = CommonGroundAPI(
    title="Common Ground API",
    version="1",
    description="Recovery support meetings across every fellowship, exact across time zones and DST. "
    'Errors always have the shape {"error": {status, code, message, field}}.',
    docs_url=None,  # the interactive docs load scripts from a CDN; our CSP allows none
    urls_namespace="api-v1",
    renderer=FastJSONRenderer(),
)


def _param(name: str, kind: str, text: str, *, many: bool = False, **extra) -> dict:
    schema = {"type": kind, **extra}
    if many:
        schema = {"type": "array", "items": schema}
    return {
        "in": "query",
        "name": name,
        "required": False,
        "description": text,
        "schema": schema,
        **({"style": "form", "explode": True} if many else {}),
    }


# The search parameters are documented here and validated in one place only, ``parse_query``,
# which the web pages and the CLI share: the same input gets the same answer everywhere.
MEETING_PARAMETERS = [
    _param("near", "string", 'A place: ZIP or postal code, city ("Portland, ME"), or address.', maxLength=120),
    _param("lat", "number", "Latitude (with lng).", minimum=-90, maximum=90),
    _param("lng", "number", "Longitude (with lat).", minimum=-180, maximum=180),
    _param("radius_km", "number", "Search radius in km (default 25).", minimum=0.1, maximum=500),
    _param("radius_mi", "number", "Search radius in miles.", minimum=0.1, maximum=310.6),
    _param("starting_within", "integer", "Meetings starting within this many minutes.", minimum=1, maximum=10080),
    _param("day", "string", "0–6 (0 = Sunday), today or tomorrow.", enum=[*"0123456", "today", "tomorrow"]),
    _param(
        "time_from", "string", "Start of the time window, HH:MM (24-hour).", pattern="^([01]?[0-9]|2[0-4]):[0-5][0-9]$"
    ),
    _param("time_to", "string", "End of the time window, HH:MM (24-hour).", pattern="^([01]?[0-9]|2[0-4]):[0-5][0-9]$"),
    _param("tz", "string", "IANA time zone for day and times (default: the place's).", example="America/Denver"),
    _param("now", "string", "The time to search from (ISO 8601 with offset), 1970–2199.", format="date-time"),
    _param("mode", "string", "How to attend.", enum=["any", "in_person", "online", "hybrid"]),
    _param("program", "string", "Program code (repeat for several).", many=True),
    _param(
        "approach",
        "string",
        "Approach.",
        enum=["twelve-step", "secular", "faith-based", "buddhist-inspired", "clinical"],
    ),
    _param("type", "string", "Meeting type tag; all must match (repeat for several).", many=True),
    _param("language", "string", "ISO 639-1 language code (repeat for several).", many=True),
    _param("q", "string", "Words in the name, group, location or notes.", maxLength=100),
    _param("sort", "string", "Result order.", enum=["soonest", "nearest", "name"]),
    _param("limit", "integer", "Results per page (default 20).", minimum=1, maximum=200),
    _param("offset", "integer", "Results to skip.", minimum=0),
]


@api.exception_handler(QueryError)
def _query_error(request, exc: QueryError):
    return error_response(400, exc.message, field=exc.field, candidates=exc.candidates)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in first.get("loc", []) if part not in ("query", "body", "path", "params")]
    field = loc[0] if loc else None
    message = f"{field} is not valid: {first.get('msg', 'invalid value')}." if field else "The request is not valid."
    return error_response(400, message, field=field)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, str(exc) or "Not found.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(413, "The request body is too large; a fit request is a small JSON object.", field="body")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = exc.message
    if exc.status_code == 400 and "parse" in message.lower():
        message = 'The request body must be a JSON object, such as {"goal": "abstinence"}.'
    return error_response(exc.status_code, message, field="body" if message != exc.message else None)


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("API error on %s", request.path)
    return error_response(500, "Something went wrong on our side. Please try again in a moment.")


def _next_url(request, page) -> str | None:
    offset = page.next_offset
    if offset is None:
        return None
    pairs = [(k, v) for k, values in request.GET.lists() if k != "offset" for v in values] + [("offset", offset)]
    return request.build_absolute_uri(f"{request.path}?{urlencode(pairs)}")


@api.get("/meetings", summary="Search meetings", tags=["meetings"], openapi_extra={"parameters": MEETING_PARAMETERS})
def meetings(request):
    """Place (near or lat/lng, radius_km), time (starting_within, or day with time_from/time_to in tz),
    mode, program, approach, type (AND), language, q; sort soonest|nearest|name; limit ≤ 200, offset."""
    page = engine.search(parse_query(request.GET))
    return {"count": page.count, "next": _next_url(request, page), "results": [jsonable(r) for r in page.results]}


@api.get("/meetings/{meeting_id}", summary="One meeting", tags=["meetings"])
def meeting(request, meeting_id: int, tz: str | None = None, now: str | None = None):
    found = Meeting.objects.select_related("program", "source").filter(pk=meeting_id).first()
    if found is None:
        raise Http404(f"There is no meeting with id {meeting_id}.")
    query = parse_query({"tz": tz or found.timezone, **({"now": now} if now else {})})
    return jsonable(meeting_result(found, found.next_start(query.now), None, query))


@api.get("/meetings/{source}/{path:key}", summary="One meeting, by its lasting address", tags=["meetings"])
def meeting_at(request, source: str, key: str, tz: str | None = None, now: str | None = None):
    """The same as /meetings/{id}, addressed as the meeting's page is: /meetings/<source>/<key>."""
    found = Meeting.objects.select_related("program", "source").filter(source__slug=source, key=key).first()
    if found is None:
        raise Http404(f"There is no meeting at /meetings/{source}/{key}.")
    query = parse_query({"tz": tz or found.timezone, **({"now": now} if now else {})})
    return jsonable(meeting_result(found, found.next_start(query.now), None, query))


class FitAnswers(Schema):
    """Every answer is optional; repeatable ones take a list (or a comma-separated string).

    The allowed values are in docs/fit.md; a value outside them answers 400 naming the field.
    """

    help_with: list[str] | str | None = None
    their_use: str | None = None
    dependence: str | None = None
    goal: str | None = None
    medication: list[str] | str | None = None
    spirituality: str | None = None
    mental_health: str | None = None
    gender: str | None = None
    group: list[str] | str | None = None
    attend: str | None = None
    near: str | None = None
    day: list[str] | str | None = None
    time_of_day: list[str] | str | None = None
    tz: str | None = None
    structure: str | None = None
    language: str | None = None
    # Safety answers (read by the safety layer; docs/safety.md): all optional.
    pregnant: str | None = Field(None, description="One of: " + ", ".join(CHOICES["pregnant"]))
    age: str | None = Field(None, description="One of: " + ", ".join(CHOICES["age"]))
    recently_left: list[str] | str | None = Field(
        None, description="Any of (repeatable): " + ", ".join(CHOICES["recently_left"])
    )
    crisis: str | None = Field(
        None,
        description="One of: " + ", ".join(CHOICES["crisis"]) + ". Thinking about "
        "ending your life, or in danger right now: the crisis note and line come first.",
    )
    country: str | None = Field(
        None,
        description="An ISO 3166 alpha-2 code, such as GB. When absent, it comes "
        "from the place (near), then the time zone; the help lines are that country's.",
    )
    now: str | None = None


def _fit(request, params: dict):
    language = i18n.language()
    now = params.pop("now", None)
    now = now[0] if isinstance(now, list) else now
    return as_api(rank(parse_answers(params), language=language, now=now or None))


@api.get("/fit", summary="Rank every program for a person's answers (query string)", tags=["fit"])
def fit_get(request, answers: Query[FitAnswers]):
    """The answers as query parameters; repeat a parameter (or use commas) for several values."""
    return _fit(request, {k: request.GET.getlist(k) for k in request.GET})


@api.post("/fit", summary="Rank every program for a person's answers (JSON body)", tags=["fit"])
def fit_post(request, answers: FitAnswers):
    return _fit(request, {k: v for k, v in answers.dict().items() if v is not None})


@api.get("/programs", summary="The program catalog, with sourced facts", tags=["programs"])
def programs(request):
    return [_program(p) for p in Program.objects.order_by("order", "code")]


@api.get("/places", summary="Place candidates for a search box", tags=["places"])
def places(request, q: str):
    if not q.strip():
        raise QueryError("q", "q must name a place, such as 10001, Denver, CO or London, UK.")
    return [
        {
            "label": p.label,
            "lat": p.latitude,
            "lng": p.longitude,
            "timezone": p.timezone,
            "country": p.country,
            "kind": p.kind,
        }
        for p in gazetteer().search(q, limit=10)
    ]


@api.get("/treatment", summary="Treatment near a place", tags=["treatment"])
def treatment_near(request):
    """FindTreatment.gov's facilities nearest first: near (or lat/lng), radius_km (default 50), offers,
    pays, serves and language (each may repeat; all must match), limit (1–50, default 10). Listings
    can be out of date: call ahead. The data covers the United States and its territories."""
    query = treatment_query.parse(request.GET)
    found = treatment_search.find(query)
    return {"results": [treatment_result(r) for r in found]}


def treatment_result(row: dict) -> dict:
    source = row.get("source") or {}
    return {
        "name": row["name"],
        "address": row["address"],
        "phone": row["phone"],
        "website": row["website"] or None,
        "distance_km": row["distance_km"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "offers": row["offers"],
        "pays": row["pays"],
        "serves": row["serves"],
        "languages": row["languages"],
        "source": {"name": source.get("name", ""), "updated": source.get("updated")},
    }


@api.get("/sources", summary="Every source, with its state", tags=["sources"])
def sources(request):
    """Where the meetings come from: each source's format, countries, meetings, last good sync,
    status (``ok``, ``stale``, ``failing``: ``feeds/health.py``'s ``status``) and last error in words."""
    return {"results": [s.as_api() for s in coverage.source_states()]}


def _program(p: Program) -> dict:
    language = i18n.language()
    facts = {}
    for name in p.facts:
        if name in ("website", "meeting_finder"):
            continue
        fact = p.fact(name, language)
        facts[name] = {
            "value": fact["value"],
            "note": p.note(name, language),
            "confirmed": fact["confirmed"],
            "sources": [{k: s[k] for k in ("title", "url", "site", "kind", "checked")} for s in fact["sources"]],
        }
    return {
        "code": p.code,
        "name": p.name,
        "name_localized": p.text("name", language),
        "short_name": p.short_name,
        "status": p.status,
        "approach": p.approach,
        "spiritual_content": p.spiritual_content,
        "support_model": p.support_model,
        "scope": p.scope,
        "audience": p.audience,
        "dual_diagnosis": p.dual_diagnosis,
        "moud": p.moud,
        "psychiatric_medication": p.psychiatric_medication,
        "online": p.online,
        "goal": p.goal,
        "website": p.website or None,
        "meeting_finder": p.meeting_finder or None,
        "summary": p.text("summary", language),
        "first_meeting": p.text("first_meeting", language),
        "not_for": p.text("not_for", language) or None,
        "milestones": p.text("milestones", language),
        "facts": facts,
    }
