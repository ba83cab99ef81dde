"""A BMLT-compatible read API, so NA's own clients (crouton, the BMLT apps) can show every program.

    /bmlt/client_interface/json/?switcher=GetSearchResults&services[]=3&weekdays[]=2
    /bmlt/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&callback=cb
    /bmlt/<program>/client_interface/json/?switcher=…   (one program's meetings only)

Switchers: GetSearchResults (filters in ``search.py``; ``get_used_formats`` wraps the answer as
``{"meetings": [...], "formats": [...]}``, ``get_formats_only`` gives only the formats),
GetFormats (``key_strings[]``, ``show_all=1``), GetServiceBodies (our sources), GetServerInfo and
GetFieldKeys. ``lang_enum`` picks the language of format names. Answers are cached per data
version, and carry an ETag: a client asking again after no change gets 304.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import statistics
from collections import OrderedDict

import orjson
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from commonground import __version__
from commonground.api.bmlt import formats as bmlt_formats
from commonground.api.bmlt.search import FIELDS, BmltError, parse, search
from commonground.catalog.models import Program
from commonground.errors import error_response
from commonground.meetings.models import DataVersion, Meeting, Source

CALLBACK = re.compile(r"[A-Za-z_$][0-9A-Za-z_$]{0,63}(?:\.[A-Za-z_$][0-9A-Za-z_$]{0,63}){0,3}")
SWITCHERS = ("GetSearchResults", "GetFormats", "GetServiceBodies", "GetServerInfo", "GetFieldKeys")
FIELD_DESCRIPTIONS = {
    "id_bigint": "ID", "worldid_mixed": "World ID", "service_body_bigint": "Service Body ID",
    "weekday_tinyint": "Weekday (1 = Sunday)", "venue_type": "Venue Type", "start_time": "Start Time",
    "duration_time": "Duration", "time_zone": "Time Zone", "formats": "Formats", "lang_enum": "Language",
    "longitude": "Longitude", "latitude": "Latitude", "published": "Published",
    "format_shared_id_list": "Format IDs", "meeting_name": "Meeting Name", "location_text": "Location Name",
    "location_info": "Additional Location Information", "location_street": "Street Address",
    "location_city_subsection": "Borough", "location_neighborhood": "Neighborhood",
    "location_municipality": "Town", "location_sub_province": "County", "location_province": "State",
    "location_postal_code_1": "Zip Code", "location_nation": "Nation", "comments": "Comments",
    "virtual_meeting_link": "Virtual Meeting Link", "virtual_meeting_additional_info": "Virtual Meeting Information",
    "phone_meeting_number": "Phone Meeting Dial-in Number",
    "phone_meeting_additional_info": "Phone Meeting Information", "root_server_uri": "Server",
    "meeting_url": "The meeting's page here",
}
_CACHE: OrderedDict[str, _Cached] = OrderedDict()
CACHE_BYTES = 96 * 1024 * 1024  # per worker, JSON and gzip together; least recently used leave first


@require_http_methods(["GET", "HEAD"])
def client_interface(request, kind: str, program: str | None = None):
    params = request.GET
    callback = None
    if kind == "jsonp":
        callback = params.get("callback", "")
        if not CALLBACK.fullmatch(callback):
            return error_response(400, "A JSONP request needs callback=<a JavaScript function name>.",
                                  field="callback")
    if program is not None and not Program.objects.filter(pk=program).exists():
        codes = ", ".join(Program.objects.order_by("order").values_list("code", flat=True))
        return error_response(404, f"There is no program {program!r} here; programs are {codes}.")
    switcher = params.get("switcher", "")
    if switcher not in SWITCHERS:
        return error_response(400, f"switcher must be one of {', '.join(SWITCHERS)}.", field="switcher")
    version = DataVersion.label(DataVersion.current_with_time())
    base = request.build_absolute_uri("/").rstrip("/")
    query = sorted((k, vs) for k, vs in params.lists() if k not in ("callback", "_"))
    cache_key = orjson.dumps([version, program, base, query]).decode()
    etag = '"' + hashlib.sha256(cache_key.encode()).hexdigest()[:32] + '"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return _finish(HttpResponseNotModified(), etag)
    cached = _CACHE.get(cache_key)
    if cached is None:
        try:
            body = orjson.dumps(_answer(switcher, params, program, base))
        except BmltError as exc:
            return error_response(400, exc.message, field=exc.field)
        cached = _Cached(body)
        if len(body) <= CACHE_BYTES // 3:
            _CACHE[cache_key] = cached
    else:
        _CACHE.move_to_end(cache_key)
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    if callback:
        # "/**/" first: the answer can never be read as anything but a call of the named function.
        # (The callback differs on every request, so this is compressed each time, quickly.)
        body = b"/**/" + callback.encode() + b"(" + cached.body + b");"
        response = HttpResponse(gzip.compress(body, 1, mtime=0) if gzip_ok else body,
                                content_type="application/javascript; charset=utf-8")
    else:
        response = HttpResponse(cached.gzipped() if gzip_ok else cached.body, content_type="application/json")
    _trim_cache()
    if gzip_ok:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return _finish(response, etag)


def _trim_cache() -> None:
    while len(_CACHE) > 1 and sum(c.size for c in _CACHE.values()) > CACHE_BYTES:
        _CACHE.popitem(last=False)


class _Cached:
    """An answer's JSON, and its gzip made once on first need (the answer carries no secret)."""

    def __init__(self, body: bytes):
        self.body, self._gzipped = body, None

    @property
    def size(self) -> int:
        return len(self.body) + len(self._gzipped or b"")

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, 5, mtime=0)
        return self._gzipped


def _finish(response, etag: str):
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    response.no_vary_language = True
    return response


def _answer(switcher: str, params, program: str | None, base: str):
    lang = (params.get("lang_enum") or "en")[:2]
    if switcher == "GetSearchResults":
        q = parse(params, program)
        meetings, used = search(q, base)
        if "get_formats_only" in params:
            return {"formats": _formats(used, lang, base)}
        if "get_used_formats" in params:
            return {"meetings": meetings, "formats": _formats(used, lang, base)}
        return meetings
    if switcher == "GetFormats":
        keys = set(bmlt_formats.table()) if params.get("show_all") == "1" else _used_keys(program)
        wanted = set(params.getlist("key_strings[]") + params.getlist("key_strings"))
        return _formats({k for k in keys if not wanted or k in wanted}, lang, base)
    if switcher == "GetServiceBodies":
        return _service_bodies(program, params)
    if switcher == "GetFieldKeys":
        return [{"key": k, "description": FIELD_DESCRIPTIONS.get(k, k)} for k in FIELDS]
    return [_server_info(program)]


def _formats(keys, lang: str, base: str) -> list[dict]:
    """Each with the server's address: clients that merge servers (crouton) match formats by it."""
    table = bmlt_formats.table()
    return [{**table[k].as_bmlt(lang), "root_server_uri": base}
            for k in sorted(keys, key=lambda k: table[k].id) if k in table]


def _used_keys(program: str | None) -> set[str]:
    from django.http import QueryDict

    return search(parse(QueryDict(""), program), "")[1]


def _scope(program: str | None):
    meetings = Meeting.objects.filter(duplicate_of__isnull=True, weekday__isnull=False, start_time__isnull=False) \
        .exclude(attendance_mode="inactive")
    return meetings.filter(program_id=program) if program else meetings


def _service_bodies(program: str | None, params) -> list[dict]:
    wanted = {int(v) for v in params.getlist("services[]") + params.getlist("services") if v.isascii() and v.isdigit()}
    counts = dict(_scope(program).values_list("source_id").annotate(n=Count("id")).values_list("source_id", "n"))
    out = []
    for s in Source.objects.filter(disconnected_at__isnull=True, pk__in=counts).order_by("name"):
        if wanted and s.pk not in wanted:
            continue
        out.append({"id": str(s.pk), "parent_id": "0", "name": s.name,
                    "description": f"{counts[s.pk]} meetings, from {s.get_format_display()}", "type": "AS",
                    "url": "", "helpline": "", "world_id": "", "contact_email": ""})
    return out


def _server_info(program: str | None) -> dict:
    points = list(_scope(program).filter(latitude__isnull=False).values_list("latitude", "longitude")[:20000])
    lat = statistics.median(p[0] for p in points) if points else 0.0
    lng = statistics.median(p[1] for p in points) if points else 0.0
    return {
        # The BMLT server version whose client interface this follows; ours is commonGroundVersion.
        "version": "3.0.0", "versionInt": "3000000", "commonGroundVersion": __version__,
        "langs": "en,es", "nativeLang": "en", "centerLongitude": f"{lng:.6f}", "centerLatitude": f"{lat:.6f}",
        "centerZoom": "10", "defaultDuration": "01:00:00", "regionBias": "us", "charSet": "UTF-8",
        "distanceUnits": "mi", "semanticAdmin": "0", "emailEnabled": "0", "emailIncludesServiceBodies": "0",
        "changesPerMeeting": "0", "meeting_states_and_provinces": "", "meeting_counties_and_sub_provinces": "",
        "available_keys": ",".join(FIELDS), "google_api_key": "", "dbVersion": "", "dbPrefix": "",
        "meeting_time_zones_enabled": "1", "phpVersion": "", "auto_geocoding_enabled": False, "commit": "",
        "aggregator_mode_enabled": False,
    }
