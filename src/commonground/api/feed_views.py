"""GET /feeds/meeting-guide.json: our meetings as a Meeting Guide feed, served from a file.

The feed is built per data version outside requests (``feeds.published``); this view only
chooses the file, answers a conditional request with 304, and streams the plain or gzipped
bytes. In ``background`` mode (web workers) a missing version is never built here: the last
published one is served while a builder process makes the new one.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

from commonground.catalog.models import Program
from commonground.errors import error_response
from commonground.feeds import published
from commonground.feeds.meeting_guide.selection import FeedSelection
from commonground.meetings.models import DataVersion, Source
from commonground.search import engine
from commonground.search.query import QueryError, parse_query

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified",
}


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def meeting_guide_feed(request):
    if request.method == "OPTIONS":  # a browser's pre-flight from another meeting finder
        return _with(HttpResponse(status=204), {"Access-Control-Max-Age": "86400"})
    program = request.GET.get("program") or None
    if program and not Program.objects.filter(pk=program).exists():
        codes = list(Program.objects.values_list("code", flat=True))
        response = error_response(
            400, f"Unknown program {program!r}; known programs are {', '.join(codes)}.", field="program"
        )
        return _with(response)
    version = published.current_version()
    if any(request.GET.get(k) for k in NARROWING):
        try:
            selection, key = _narrowed(request, program)
        except QueryError as exc:
            return _with(error_response(400, exc.message, field=exc.field, candidates=exc.candidates))
        return _serve(request, published.filtered(version, selection, key))
    variant = program or published.ALL
    feed = published.find(variant, version)
    stale = feed is None or feed.version != DataVersion.label(version)
    if stale and settings.PUBLISH_MODE == "inline":
        published.build(version)
        feed, stale = published.find(variant, version), False
    elif stale and published.request_build is not None:
        published.request_build()
    if feed is None:
        response = error_response(
            503, "The feed is being prepared; please try again in a minute.", code="feed_not_ready"
        )
        response["Retry-After"] = "30"
        return _with(response)
    return _serve(request, feed)


NARROWING = ("source", "near", "lat", "region")


def _narrowed(request, program: str | None) -> tuple[FeedSelection, str]:
    """The meetings of one source, one region, or near one place (any of them, and a program)."""
    params = request.GET
    source = (params.get("source") or "").strip() or None
    if source and not Source.objects.filter(name=source).exists():
        names = ", ".join(Source.objects.order_by("name").values_list("name", flat=True)[:20])
        raise QueryError("source", f"There is no source called {source!r} (sources: {names or 'none yet'}).")
    region = (params.get("region") or "").strip()[:120] or None
    ids = None
    if params.get("near") or params.get("lat"):
        query = parse_query(
            {k: params.get(k) for k in ("near", "lat", "lng", "radius_km", "radius_mi") if params.get(k)}
        )
        ids = frozenset(engine.current_index().ids_within(query.latitude, query.longitude, query.radius_km).tolist())
        place = f"{query.latitude:.4f},{query.longitude:.4f},{query.radius_km:g}"
    else:
        place = ""
    key = f"program={program or ''}|source={source or ''}|region={(region or '').casefold()}|near={place}"
    return FeedSelection(program=program, source=source, region=region, ids=ids), key


def _serve(request, feed):
    headers = {"ETag": feed.etag, "Last-Modified": http_date(feed.built_at), "Cache-Control": "public, max-age=300"}
    if _matches(request.headers.get("If-None-Match", ""), feed.etag):
        response = HttpResponse(status=304)
    else:
        gzipped = "gzip" in request.headers.get("Accept-Encoding", "").lower()
        path = feed.gzip_path if gzipped and feed.gzip_path.exists() else feed.path
        response = FileResponse(open(path, "rb"), content_type="application/json; charset=utf-8")  # noqa: SIM115
        if path == feed.gzip_path:
            response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return _with(response, headers)


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _with(response, extra: dict | None = None):
    for key, value in {**CORS, **(extra or {})}.items():
        response[key] = value
    response.no_vary_language = True  # the bytes are the same in every language
    return response
