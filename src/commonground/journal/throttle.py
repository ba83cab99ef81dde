"""Who is signing in, and how often: the client's address behind trusted proxies, and the flood limits.

Every sign-in door (the companion's sign-in, recovery, sign-up and passkey sign-in, the peer
workspace's sign-in and set-up, the admin's) is one door here. Before a view runs, and so before
any passphrase is hashed, a POST to one of them is counted twice in a fixed window in Django's
cache (django-ratelimit): per client address (``SIGN_IN_RATE_PER_ADDRESS``) and in total
(``SIGN_IN_RATE_TOTAL``). Over either, the answer is a short 429 page (or the JSON error shape for
the passkey door) with ``Retry-After``. Nothing else is refused: pages, the API and people already
signed in are untouched, and the total window is short, so a flood delays sign-ins by seconds
instead of locking anyone out. django-axes still locks out one username from one address after
``AXES_FAILURE_LIMIT`` failures; this bounds the work and the rows a flood of new usernames makes.

The counters live in the default cache, which is per process (locmem): with N web workers the
limits are N times these; they bound the hashing each worker does, which is what keeps the API up.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from commonground.errors import error_response

SIGN_IN_VIEWS = frozenset(
    {
        "journal:signin",
        "journal:recover",
        "journal:signup",
        "journal:passkey_signin",
        "peer:signin",
        "peer:setup",
        "admin:login",
    }
)
JSON_VIEWS = frozenset({"journal:passkey_signin"})


def client_address(request) -> str | None:
    """The address a request came from: X-Forwarded-For read only as far as trusted proxies vouch.

    Each of ``TRUSTED_PROXY_COUNT`` proxies appends the address it was reached from, so the client is
    the entry that many places from the right; anything to its left was written by the client and
    may be made up. A chain too short, or not an address there, means the request did not come
    through the proxies: then the connection's own address. django-axes reads it through
    ``AXES_CLIENT_IP_CALLABLE``, and the flood limits below too.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < count:
        return remote
    try:
        return str(ipaddress.ip_address(chain[-count]))
    except ValueError:
        return remote


def _usage(request, group: str, rate: str, key) -> dict:
    return get_usage(request, group=group, key=lambda _group, req: key(req), rate=rate, increment=True)


def _refuse(request, usage: dict, message: str):
    wait = max(1, int(usage["time_left"]))
    if request.resolver_match.view_name in JSON_VIEWS:
        response = error_response(429, message, code="too_many_requests")
    else:
        response = render(request, "journal/too_many.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    if usage["count"] > usage["limit"] + 1:
        # Only the window's first refusal is logged (django.request skips a response marked so):
        # a flood must not grow the log as it once grew the attempt tables.
        response._has_been_logged = True
    return response


class SignInThrottleMiddleware:
    """Counts POSTs to the sign-in doors, and refuses them over the limits before the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in SIGN_IN_VIEWS:
            return None
        usage = _usage(
            request, "sign-in-address", settings.SIGN_IN_RATE_PER_ADDRESS, lambda req: client_address(req) or "unknown"
        )
        if usage["should_limit"]:
            return _refuse(request, usage, _("Too many sign-ins from here. Wait a minute and try again."))
        usage = _usage(request, "sign-in-total", settings.SIGN_IN_RATE_TOTAL, lambda req: "all")
        if usage["should_limit"]:
            return _refuse(request, usage, _("Too many sign-ins right now. Wait a few seconds and try again."))
        return None
