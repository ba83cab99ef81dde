"""GET /feeds/meeting-guide.json: our meetings as a Meeting Guide feed, cached by data version."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_GET

from commonground.catalog.models import Program
from commonground.feeds.meeting_guide.writer import feed_queryset, write_feed
from commonground.meetings.models import DataVersion

_cache: OrderedDict[tuple, bytes] = OrderedDict()
_lock = threading.Lock()
CACHE_ENTRIES = 8


def _render(version: tuple, program: str | None) -> bytes:
    key = (version, program)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    buffer = io.StringIO()
    write_feed(feed_queryset(program), buffer)
    body = buffer.getvalue().encode("utf-8")
    with _lock:
        _cache[key] = body
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return body


@require_GET
def meeting_guide_feed(request):
    program = request.GET.get("program") or None
    if program and not Program.objects.filter(pk=program).exists():
        codes = list(Program.objects.values_list("code", flat=True))
        return JsonResponse({"error": {"status": 400, "code": "invalid", "message": f"Unknown program {program!r}.",
                                       "field": "program", "choices": codes}}, status=400)
    # The version counter and its timestamp together: a restored or recreated database can
    # repeat a counter value, never both.
    version, changed_at = DataVersion.current_with_time()
    stamp = int(changed_at.timestamp() * 1000) if changed_at else 0
    etag = f'"mg-{version}-{stamp}-{program or "all"}"'
    last_modified = http_date(changed_at.timestamp()) if changed_at else None
    if request.headers.get("If-None-Match") == etag:
        return _not_modified(etag, last_modified)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if since and changed_at and int(changed_at.timestamp()) <= since and "If-None-Match" not in request.headers:
        return _not_modified(etag, last_modified)
    response = HttpResponse(_render((version, stamp), program), content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = last_modified
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"  # other meeting apps read this feed from browsers
    return response


def _not_modified(etag: str, last_modified: str | None):
    response = HttpResponseNotModified()
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = last_modified
    return response
