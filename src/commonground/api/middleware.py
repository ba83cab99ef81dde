"""Keep the API's one error shape for failures that never reach a view (405 from routing, say)."""

from commonground.api.errors import CODES, error_body


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and response.status_code >= 400 \
                and not response.get("Content-Type", "").startswith("application/json"):
            from django.http import JsonResponse

            message = {405: f"{request.method} is not allowed here; use {response.get('Allow', 'GET')}."}.get(
                response.status_code, "The request could not be handled.")
            shaped = JsonResponse(error_body(response.status_code, message, code=CODES.get(response.status_code)),
                                  status=response.status_code)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
