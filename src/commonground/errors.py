"""One error shape for every JSON failure (the API, feeds, BMLT, the peer API, the CLI's --json),
with a message a person can act on.

    {"error": {"status": 400, "code": "invalid_parameter", "message": "...", "field": "radius_km"}}

``field`` names the parameter at fault (or null); ``candidates`` lists alternatives when there
are some (an ambiguous place, say).
"""

from __future__ import annotations

from django.http import JsonResponse

CODES = {
    400: "invalid_parameter",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    414: "uri_too_long",
    500: "server_error",
    503: "unavailable",
}


def error_body(
    status: int, message: str, *, field: str | None = None, code: str | None = None, candidates: list | None = None
) -> dict:
    body = {"status": status, "code": code or CODES.get(status, "error"), "message": message, "field": field}
    if candidates:
        body["candidates"] = candidates
    return {"error": body}


def error_response(status: int, message: str, **kwargs) -> JsonResponse:
    return JsonResponse(error_body(status, message, **kwargs), status=status)
