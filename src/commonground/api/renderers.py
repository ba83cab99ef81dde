"""The API's JSON renderer: orjson, with Django's and ninja's rules for everything else.

The standard library's encoder was a large share of an API search at a million meetings (bench/search.py).
orjson writes the same JSON values. Times are handed back to ninja's encoder
(``OPT_PASSTHROUGH_DATETIME``) so they keep Django's form (milliseconds, "Z" for UTC), as do lazy
translations, pydantic models and enums. The bytes differ only in being compact and UTF-8
rather than ``\\u`` escapes. ``tests/test_api_renderer.py`` checks that every endpoint's answer
parses to the same value with either renderer.
"""

from __future__ import annotations

import orjson
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

_fallback = NinjaJSONEncoder().default
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class FastJSONRenderer(JSONRenderer):
    def render(self, request, data, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=_fallback, option=OPTIONS)
