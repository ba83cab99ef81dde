"""Keeps a signed-in session alive while it is used, and ends one that "sign out everywhere" revoked.

Sessions end after ``COMPANION_IDLE_MINUTES`` without a request: each request moves the expiry,
but the session row is written at most once every ``SESSION_REFRESH_SECONDS`` (a page and its
three chart images do not make four writes). One query per signed-in request; none otherwise.
"""

import time

from django.conf import settings
from django.contrib.auth import logout

EPOCH_KEY = "companion_epoch"
SEEN_KEY = "seen"


class CompanionSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a request that carries a session can be signed in: signed-out visitors cost nothing.
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.user.is_authenticated:
            from commonground.journal.models import Account

            epoch = Account.objects.filter(user_id=request.user.pk).values_list("session_epoch", flat=True).first()
            if epoch is not None and request.session.get(EPOCH_KEY, 0) != epoch:
                logout(request)
            else:
                now = int(time.time())
                if now - request.session.get(SEEN_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                    request.session[SEEN_KEY] = now  # saved at the end of the request, expiry moved on
        return self.get_response(request)
