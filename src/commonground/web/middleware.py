"""Security headers on every response, including a content security policy with no inline code."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def _tile_origin() -> str:
    parts = urlsplit(settings.MAP_TILE_URL.replace("{s}", "a"))
    return f" {parts.scheme}://{parts.hostname}" if parts.hostname else ""


# Map tiles are fetched from the tile server only when a visitor opens the map.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:" + _tile_origin(),
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# JSON whose bytes do not depend on the visitor's language: caches need not keep one per language.
# (The fit and program answers are translated, so they keep Vary: Accept-Language.)
SAME_IN_EVERY_LANGUAGE = ("/api/v1/meetings", "/api/v1/places", "/api/v1/openapi.json", "/feeds/", "/bmlt/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (getattr(response, "no_vary_language", False) or request.path.startswith(SAME_IN_EVERY_LANGUAGE)) \
                and response.has_header("Vary"):
            # The same bytes in every language (the feed, JSON): do not split caches by it.
            kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "accept-language"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=(), payment=()")
        if settings.HTTPS:
            # Other sites' meeting finders load the feed, the API and BMLT answers (JSONP is a
            # script, which "same-origin" would block); the pages stay same-origin.
            shared = request.path.startswith(("/api/", "/feeds/", "/bmlt/"))
            response.setdefault("Cross-Origin-Resource-Policy", "cross-origin" if shared else "same-origin")
        return response
