"""Private answers are never stored: ``Cache-Control: no-store`` on everything under a private URL.

The private parts of the site are named here, once, by their URL namespaces: the companion
(``/me/``), the peer workspace (``/peer/``), its API (``/api/v1/peer/``) and the admin. Every answer
to a request in them gets Django's never-cache headers (``no-store``, ``private``, ``max-age=0``, an
``Expires`` in the past), ``Pragma: no-cache`` for HTTP/1.0 proxies and ``Vary: Cookie``: pages,
JSON, CSV and zip exports, ``.ics`` files, charts, redirects, and error pages alike.

A request is private when the URL resolver placed it in one of these namespaces, or, when nothing
resolved (a 404, or an answer a middleware gave before routing: a CSRF refusal, a lock-out, a
slash redirect), when its path lies under one of their prefixes. The prefixes are read from the
URL configuration, never written here. A public page is private too when it was built from a
signed-in person's session (it then shows their own state: a link to their space, what they
saved), so a shared phone's cache cannot show it again after they sign out. The middleware sits outermost so it also sees the answers
other middleware gives (the API's reshaped errors among them). The finder names none of these
apps: this module only knows their namespaces, as strings.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.urls import URLResolver, get_resolver
from django.utils.cache import add_never_cache_headers, patch_vary_headers

# The one list of private URL namespaces (the ``app_name``/namespace of each ``include``).
PRIVATE_NAMESPACES = frozenset({"journal", "peer", "peer_api", "admin"})


@cache
def private_prefixes(urlconf: str | None = None) -> tuple[str, ...]:
    """The path prefixes ("/me/", "/peer/", ...) under which the private namespaces are mounted."""
    prefixes = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                route = prefix + str(entry.pattern).lstrip("^")
                if entry.namespace in PRIVATE_NAMESPACES:
                    prefixes.append("/" + route)
                else:
                    walk(entry, route)

    walk(get_resolver(urlconf), "")
    return tuple(prefixes)


def is_private(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return any(ns in PRIVATE_NAMESPACES for ns in match.namespaces)
    path = request.path_info
    return any(path.startswith(p) or path == p.rstrip("/") for p in private_prefixes(getattr(request, "urlconf", None)))


def is_personal(request) -> bool:
    """The answer was built from the session the request's cookie names (a signed-in person's)."""
    session = getattr(request, "session", None)
    return bool(
        session is not None
        and session.accessed
        and session.session_key
        and request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    )


class PrivateNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request) or is_personal(request):
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
            patch_vary_headers(response, ("Cookie",))
        return response
