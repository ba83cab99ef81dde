"""Sign-in by recovery code or by passkey, as authentication backends.

Going through ``django.contrib.auth.authenticate`` means django-axes counts their failures too:
five wrong recovery codes lock that username out from that address, as five wrong passphrases do.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from commonground.journal.models import Passkey, RecoveryCode


def code_hash(user_id: int, code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"commonground-recovery:{user_id}:{normal}".encode()).hexdigest()


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
        """``passkey``: a verified ``Passkey`` (views/passkeys.py checks the signature first)."""
        if isinstance(passkey, Passkey) and passkey.user.is_active:
            return passkey.user
        return None
