"""The API's one error shape for every answer it can control, even those that never reach a view.

Outermost in ``MIDDLEWARE``, so it also shapes what other layers answer: a 400 for a bad Host
header, a 405 from routing, a 413 for a large body, and a 414 for an address longer than
``MAX_URL_LENGTH`` (checked here; gunicorn is set to pass lines up to 8,190 bytes through, and
only longer ones get its own plain answer before Django runs).
"""

from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware

from commonground.errors import CODES, error_body

MAX_URL_LENGTH = 4096
MESSAGES = {
    400: "The request could not be understood (check the Host header and the parameters).",
    404: "There is nothing at this address.",
    413: "The request body is too large.",
    414: f"The address is too long; keep it under {MAX_URL_LENGTH} characters.",
    500: "Something went wrong on our side. Please try again in a moment.",
}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path.startswith(("/api/", "/bmlt/"))
        if is_api and len(request.get_full_path()) > MAX_URL_LENGTH:
            return _shaped(414, MESSAGES[414])
        response = self.get_response(request)
        if (
            is_api
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            message = MESSAGES.get(status, "The request could not be handled.")
            if status == 405:
                message = f"{request.method} is not allowed here; use {response.get('Allow', 'GET')}."
            shaped = _shaped(status, message)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


def _shaped(status: int, message: str) -> JsonResponse:
    return JsonResponse(error_body(status, message, code=CODES.get(status)), status=status)


class ApiGzipMiddleware(GZipMiddleware):
    """Gzip the API's JSON (the pages are left alone: compressing pages that may carry a secret
    invites BREACH; the JSON carries none). The feed is served already gzipped."""

    def process_response(self, request, response):
        if not request.path.startswith(("/api/", "/bmlt/")):
            return response
        return super().process_response(request, response)
