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

import hashlib
import re
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import orjson
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from commonground import __version__
from commonground.api.bmlt import answers
from commonground.api.bmlt import store as bmlt_store
from commonground.api.bmlt.lookup import find, is_whole_list, normalised, render
from commonground.api.bmlt.search import FIELDS, BmltError, parse
from commonground.catalog.models import Program
from commonground.errors import error_response
from commonground.meetings.models import DataVersion
from commonground.search import engine

CALLBACK = re.compile(r"[A-Za-z_$][0-9A-Za-z_$]{0,63}(?:\.[A-Za-z_$][0-9A-Za-z_$]{0,63}){0,3}")
SWITCHERS = ("GetSearchResults", "GetFormats", "GetServiceBodies", "GetServerInfo", "GetFieldKeys")
FIELD_DESCRIPTIONS = {
    "id_bigint": "ID",
    "worldid_mixed": "World ID",
    "service_body_bigint": "Service Body ID",
    "weekday_tinyint": "Weekday (1 = Sunday)",
    "venue_type": "Venue Type",
    "start_time": "Start Time",
    "duration_time": "Duration",
    "time_zone": "Time Zone",
    "formats": "Formats",
    "lang_enum": "Language",
    "longitude": "Longitude",
    "latitude": "Latitude",
    "published": "Published",
    "format_shared_id_list": "Format IDs",
    "meeting_name": "Meeting Name",
    "location_text": "Location Name",
    "location_info": "Additional Location Information",
    "location_street": "Street Address",
    "location_city_subsection": "Borough",
    "location_neighborhood": "Neighborhood",
    "location_municipality": "Town",
    "location_sub_province": "County",
    "location_province": "State",
    "location_postal_code_1": "Zip Code",
    "location_nation": "Nation",
    "comments": "Comments",
    "virtual_meeting_link": "Virtual Meeting Link",
    "virtual_meeting_additional_info": "Virtual Meeting Information",
    "phone_meeting_number": "Phone Meeting Dial-in Number",
    "phone_meeting_additional_info": "Phone Meeting Information",
    "root_server_uri": "Server",
    "meeting_url": "The meeting's page here",
}
_CACHE: OrderedDict[str, _Cached] = OrderedDict()
CACHE_BYTES = 96 * 1024 * 1024  # per worker, JSON and gzip together; least recently used leave first
LANGS = ("en", "es")  # the languages format names are kept in; any other asks for English


@require_http_methods(["GET", "HEAD"])
def client_interface(request, kind: str, program: str | None = None):
    params = request.GET
    callback = None
    if kind == "jsonp":
        callback = params.get("callback", "")
        if not CALLBACK.fullmatch(callback):
            return error_response(400, "A JSONP request needs callback=<a JavaScript function name>.", field="callback")
    if program is not None and not Program.objects.filter(pk=program).exists():
        codes = ", ".join(Program.objects.order_by("order").values_list("code", flat=True))
        return error_response(404, f"There is no program {program!r} here; programs are {codes}.")
    switcher = params.get("switcher", "")
    if switcher not in SWITCHERS:
        return error_response(400, f"switcher must be one of {', '.join(SWITCHERS)}.", field="switcher")
    material = bmlt_store.current(DataVersion.current_with_time(), engine.request_build)
    base = request.build_absolute_uri("/").rstrip("/")
    try:
        plan = _plan(switcher, params, program, material)
    except BmltError as exc:
        return error_response(400, exc.message, field=exc.field)
    # The cache key is the normalised query: parameters the answer does not read, their order and
    # their spelling (weekdays=2,3 or weekdays[]=3&weekdays[]=2) make no new answer.
    cache_key = orjson.dumps(
        [material.meta["version"], program, base, switcher, plan.key], option=orjson.OPT_SORT_KEYS
    ).decode()
    etag = '"' + hashlib.sha256(cache_key.encode()).hexdigest()[:32] + '"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return _finish(HttpResponseNotModified(), etag)
    cached = _CACHE.get(cache_key)
    if cached is None:
        try:
            body = plan.answer(base)
        except BmltError as exc:
            return error_response(400, exc.message, field=exc.field)
        if isinstance(body, answers.WholeList):  # written to a file once per version
            return _finish(answers.response(request, body, callback), etag)
        cached = _Cached(body)
        if len(body) <= CACHE_BYTES // 3:
            _CACHE[cache_key] = cached
    else:
        _CACHE.move_to_end(cache_key)
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    # JSONP: "/**/" first, so the answer can never be read as anything but a call of the named
    # function. The callback differs on every request; only the call's two ends are compressed.
    before, after = (b"/**/" + callback.encode() + b"(", b");") if callback else (b"", b"")
    body = cached.gzipped(before, after) if gzip_ok else before + cached.body + after
    response = HttpResponse(
        body, content_type="application/javascript; charset=utf-8" if callback else "application/json"
    )
    _trim_cache()
    if gzip_ok:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return _finish(response, etag)


@dataclass
class _Plan:
    key: object  # what the answer depends on, normalised
    answer: Callable[[str], bytes | answers.WholeList]  # the answer's JSON for a base URL, or its file


def _plan(switcher: str, params, program: str | None, material: bmlt_store.Material) -> _Plan:
    lang = (params.get("lang_enum") or "en")[:2]
    lang = lang if lang in LANGS else "en"
    if switcher == "GetSearchResults":
        n = normalised(parse(params, program), material)
        wrap = "formats" if "get_formats_only" in params else "used" if "get_used_formats" in params else ""
        return _Plan(
            [n, wrap, lang if wrap else ""], lambda base: _search_results(n, wrap, lang, program, material, base)
        )
    if switcher == "GetFormats":
        show_all = params.get("show_all") == "1"
        wanted = sorted(set(params.getlist("key_strings[]") + params.getlist("key_strings")) & set(material.formats))
        asked = params.getlist("key_strings[]") + params.getlist("key_strings")

        def formats(base: str) -> bytes:
            keys = set(material.formats) if show_all else _used_keys(program, material)
            return orjson.dumps(_formats({k for k in keys if not asked or k in wanted}, lang, base, material))

        return _Plan([show_all, wanted, bool(asked), lang], formats)
    if switcher == "GetServiceBodies":
        wanted = sorted(
            {
                int(v)
                for v in params.getlist("services[]") + params.getlist("services")
                if v.isascii() and v.isdigit() and len(v) < 16
            }
        )
        bodies = material.meta["bodies"].get(program or "", [])
        return _Plan(wanted, lambda base: orjson.dumps([b for b in bodies if not wanted or int(b["id"]) in wanted]))
    if switcher == "GetFieldKeys":
        return _Plan(
            None, lambda base: orjson.dumps([{"key": k, "description": FIELD_DESCRIPTIONS.get(k, k)} for k in FIELDS])
        )
    return _Plan(None, lambda base: orjson.dumps([_server_info(program, material)]))


def _search_results(
    n: dict, wrap: str, lang: str, program: str | None, material: bmlt_store.Material, base: str
) -> bytes | answers.WholeList:
    limit = settings.BMLT_UNPAGED_LIMIT
    if wrap != "formats" and is_whole_list(n) and _root_size(program, material) > limit:
        return _whole_list(n, wrap, lang, program, material, base)
    found = find(n, program, material)
    if wrap == "formats":
        return orjson.dumps({"formats": _formats(found.used, lang, base, material)})
    if not n["page_size"] and found.count > limit:
        raise BmltError(
            "page_size",
            f"{found.count} meetings match, more than one answer holds ({limit}). "
            f"Ask for them a page at a time (page_size up to {min(limit, 10_000)}, and page_num), "
            "or narrow the search (services, weekdays, a place).",
        )
    meetings = render(found, material, base, n["fields"])
    if wrap == "used":
        return (
            b'{"meetings":'
            + meetings
            + b',"formats":'
            + orjson.dumps(_formats(found.used, lang, base, material))
            + b"}"
        )
    return meetings


def _root_size(program: str | None, material: bmlt_store.Material) -> int:
    return sum(
        int(b["description"].split(" ", 1)[0])
        for b in material.meta["bodies"].get(program or "", [])
        if b["parent_id"] == "0"
    )  # a source's count holds its own service bodies' meetings


def _whole_list(
    n: dict, wrap: str, lang: str, program: str | None, material: bmlt_store.Material, base: str
) -> answers.WholeList:
    """A whole list (every meeting of a root, in one of its orders), written once per version and
    server address (``answers.py``), then served from its file, like the Meeting Guide feed. The
    formats ``get_used_formats`` adds are written around it per request: one file serves both."""

    def write(out) -> None:
        quoted = orjson.dumps(base)
        positions = find(n, program, material).positions.tolist()
        out(b"[")
        for start in range(0, len(positions), 2000):
            out((b"," if start else b"") + b",".join(material.line(p, quoted) for p in positions[start : start + 2000]))
        out(b"]")

    path = answers.whole_list(material, [program, base, n["sort"]], write)
    if wrap != "used":
        return answers.WholeList(path)
    return answers.WholeList(
        path,
        b'{"meetings":',
        b',"formats":' + orjson.dumps(_formats(_used_keys(program, material), lang, base, material)) + b"}",
    )


def _trim_cache() -> None:
    while len(_CACHE) > 1 and sum(c.size for c in _CACHE.values()) > CACHE_BYTES:
        _CACHE.popitem(last=False)


class _Cached:
    """An answer's JSON, and its deflate stream made once on first need (the answer carries no
    secret), from which each gzipped answer, JSONP's call included, is put together."""

    def __init__(self, body: bytes):
        self.body, self._deflated, self._crc = body, None, zlib.crc32(body)

    @property
    def size(self) -> int:
        return len(self.body) + len(self._deflated or b"")

    def gzipped(self, before: bytes = b"", after: bytes = b"") -> bytes:
        if self._deflated is None:
            self._deflated = answers.deflate(self.body)
        return b"".join(answers.gzip_around([self._deflated], self._crc, len(self.body), before, after))


def _finish(response, etag: str):
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    response.no_vary_language = True
    return response


def _formats(keys, lang: str, base: str, material: bmlt_store.Material) -> list[dict]:
    """Each with the server's address: clients that merge servers (crouton) match formats by it."""
    table = material.formats
    return [
        {**table[k].as_bmlt(lang), "root_server_uri": base}
        for k in sorted(keys, key=lambda k: table[k].id)
        if k in table
    ]


def _used_keys(program: str | None, material: bmlt_store.Material) -> set[str]:
    """The formats a root's meetings use (kept with the material: a whole list asks each time)."""
    used = material.used_keys
    if program not in used:
        used[program] = find(normalised(parse(QueryDict(""), program), material), program, material).used
    return used[program]


def _server_info(program: str | None, material: bmlt_store.Material) -> dict:
    c = material.columns
    keep = ~(np.isnan(c["lat"]) | np.isnan(c["lng"]))
    if program is not None:
        programs = material.meta["programs"]
        keep &= (c["program"] == programs.index(program)) if program in programs else False
    lat = float(np.median(c["lat"][keep])) if keep.any() else 0.0
    lng = float(np.median(c["lng"][keep])) if keep.any() else 0.0
    return {
        # The BMLT server version whose client interface this follows; ours is commonGroundVersion.
        "version": "3.0.0",
        "versionInt": "3000000",
        "commonGroundVersion": __version__,
        "langs": "en,es",
        "nativeLang": "en",
        "centerLongitude": f"{lng:.6f}",
        "centerLatitude": f"{lat:.6f}",
        "centerZoom": "10",
        "defaultDuration": "01:00:00",
        "regionBias": "us",
        "charSet": "UTF-8",
        "distanceUnits": "mi",
        "semanticAdmin": "0",
        "emailEnabled": "0",
        "emailIncludesServiceBodies": "0",
        "changesPerMeeting": "0",
        "meeting_states_and_provinces": "",
        "meeting_counties_and_sub_provinces": "",
        "available_keys": ",".join(FIELDS),
        "google_api_key": "",
        "dbVersion": "",
        "dbPrefix": "",
        "meeting_time_zones_enabled": "1",
        "phpVersion": "",
        "auto_geocoding_enabled": False,
        "commit": "",
        "aggregator_mode_enabled": False,
    }
