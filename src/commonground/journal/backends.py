"""Sign-in by recovery code or by passkey, as authentication backends.

Going through ``django.contrib.auth.authenticate`` means django-axes counts their failures too:
five wrong recovery codes lock that username out from that address, as five wrong passphrases do.
Usernames are one person whatever their case (sign-up refuses a name that differs only in case), so
axes counts failures on ``normal_username``, as ``RecoveryCodeBackend`` matches it.

This module also holds the django-axes handler (``AXES_HANDLER``): axes' database handler, but it
stores no request body and no query string, so no passphrase, recovery code or new passphrase typed
into a failed sign-in ever reaches the database.
"""

from __future__ import annotations

import hashlib

from axes.handlers.database import AxesDatabaseHandler
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import QueryDict

from commonground.journal.models import Passkey, RecoveryCode


def code_hash(user_id: int, code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"commonground-recovery:{user_id}:{normal}".encode()).hexdigest()


def normal_username(name: str) -> str:
    """The one form of a username that lock-outs count on: usernames are ASCII, matched in any case."""
    return name.strip().lower()


def axes_username(request, credentials: dict | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the username axes keys lock-outs on, in its normal form."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    name = source.get("username")
    return normal_username(name) if isinstance(name, str) else None


class AxesHandler(AxesDatabaseHandler):
    """Records failures for the lock-out with no form data: axes copies the POST body and query string
    into ``post_data``/``get_data`` (masking only fields it knows by name), so it is given none."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        kept = request.GET, request.POST
        request.GET, request.POST = QueryDict(), QueryDict()
        try:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        finally:
            request.GET, request.POST = kept


class RecoveryCodeBackend(ModelBackend):
    def authenticate(self, request, username=None, recovery_code=None, **kwargs):
        if not username or not recovery_code:
            return None
        user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            return None
        used = RecoveryCode.objects.filter(user=user, code_hash=code_hash(user.pk, recovery_code)).delete()[0]
        return user if used else None  # a code works once


class PasskeyBackend(ModelBackend):
    def authenticate(self, request, passkey=None, **kwargs):
        """``passkey``: a verified ``Passkey`` (accounts.py checks the signature first)."""
        if isinstance(passkey, Passkey) and passkey.user.is_active:
            return passkey.user
        return None
