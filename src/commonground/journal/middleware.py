"""Ends a companion session that "sign out everywhere" has revoked (one query, signed-in only)."""

from django.conf import settings
from django.contrib.auth import logout

EPOCH_KEY = "companion_epoch"


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
        return self.get_response(request)
