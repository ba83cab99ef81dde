"""Security headers on every response, including a content security policy with no inline code."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.gzip import GZipMiddleware
from django.templatetags.static import static

from commonground.web.privacy import is_personal, is_private


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
        if (
            getattr(response, "no_vary_language", False) or request.path.startswith(SAME_IN_EVERY_LANGUAGE)
        ) and response.has_header("Vary"):
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


class FaviconMiddleware:
    """``/favicon.ico``, which browsers ask for on their own (on a JSON answer, say): sent to the
    icon every page links, instead of a 404 in the log for each visitor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/favicon.ico" and request.method in ("GET", "HEAD"):
            response = HttpResponseRedirect(static("web/favicon.svg"))
            response["Cache-Control"] = "public, max-age=86400"
            return response
        return self.get_response(request)


class PublicPageGzipMiddleware(GZipMiddleware):
    """Gzip the finder's public HTML (the results page: 24 KB, about 5 KB gzipped), and nothing
    that could carry a secret.

    BREACH recovers a secret from a compressed page that also reflects what the visitor sent (a
    search does). So a page is compressed only when it holds no secret to recover: not under a
    private URL nor built from a signed-in person's session (``web/privacy.py``), no form token
    (Django's CSRF token, set up for the page or written into it), no cookie set, and not marked
    private or no-store. The API's JSON is compressed by ``api.middleware.ApiGzipMiddleware``.
    """

    def process_response(self, request, response):
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        if is_private(request) or is_personal(request) or response.cookies:
            return response
        cache_control = response.get("Cache-Control", "").lower()
        if "private" in cache_control or "no-store" in cache_control:
            return response
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or b"csrfmiddlewaretoken" in response.content:
            return response
        return super().process_response(request, response)
