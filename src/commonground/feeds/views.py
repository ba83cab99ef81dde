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

from commonground.api.errors import error_response
from commonground.catalog.models import Program
from commonground.feeds import published
from commonground.meetings.models import DataVersion

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
        "Access-Control-Expose-Headers": "ETag, Last-Modified"}
# Set by ``web.publishing``: asks a separate process to publish the current version.
request_build = None


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def meeting_guide_feed(request):
    if request.method == "OPTIONS":  # a browser's pre-flight from another meeting finder
        return _with(HttpResponse(status=204), {"Access-Control-Max-Age": "86400"})
    program = request.GET.get("program") or None
    if program and not Program.objects.filter(pk=program).exists():
        codes = list(Program.objects.values_list("code", flat=True))
        response = error_response(400, f"Unknown program {program!r}; known programs are {', '.join(codes)}.",
                                  field="program")
        return _with(response)
    variant = program or published.ALL
    version = published.current_version()
    feed = published.find(variant, version)
    stale = feed is None or feed.version != DataVersion.label(version)
    if stale and settings.PUBLISH_MODE == "inline":
        published.build(version)
        feed, stale = published.find(variant, version), False
    elif stale and request_build is not None:
        request_build()
    if feed is None:
        response = error_response(503, "The feed is being prepared; please try again in a minute.",
                                  code="feed_not_ready")
        response["Retry-After"] = "30"
        return _with(response)
    headers = {"ETag": feed.etag, "Last-Modified": http_date(feed.built_at),
               "Cache-Control": "public, max-age=300"}
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
