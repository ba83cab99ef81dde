"""Encryption at rest for every personal field: AES-256-GCM (an AEAD) from ``cryptography``.

Keys come from ``COMPANION_KEYS`` (comma-separated, base64url, 32 bytes each; the first one
encrypts, all of them decrypt), or else from the file ``COMPANION_KEY_FILE``, one key per line.
With DEBUG on, a missing file is made with a new random key, and the log says so; with DEBUG off
the server refuses to start without a key (``refuse_missing_key``).

A stored value reads ``cg1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``. The key id is the
first 8 hex digits of the key's SHA-256, so rotation knows which key a value needs. The model and
field name are the associated data: a value copied into another column does not decrypt.

Rotation: put a new key first in ``COMPANION_KEYS`` (keep the old ones after it), run
``commonground rotate-keys``, which re-encrypts every value under the new key, then drop the old.
"""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.db.models.query_utils import DeferredAttribute

from commonground import keys as key_store
from commonground.private.payloads import Payload

log = logging.getLogger(__name__)
PREFIX = "cg1"


class KeyError_(ImproperlyConfigured):  # type: ignore[misc]
    pass


@dataclass(frozen=True)
class KeyRing:
    current: str  # key id
    keys: dict[str, AESGCM]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key_texts() -> list[str]:
    return key_store.key_texts(
        settings.COMPANION_KEYS,
        settings.COMPANION_KEY_FILE,
        debug=settings.DEBUG,
        what="the companion's private data",
        error=KeyError_,
        missing=MISSING,
    )


MISSING = (
    "No key for the companion's private data. Set COMPANION_KEYS to a random 32-byte key in base64url "
    "(`commonground new-key` prints one), or put it in COMPANION_KEY_FILE. `scripts/run` makes one."
)


@lru_cache(maxsize=8)
def _ring(texts: tuple[str, ...]) -> KeyRing:
    found = key_store.decode(texts, what="the companion's private data", error=KeyError_)
    return KeyRing(next(iter(found)), {key_id: AESGCM(raw) for key_id, raw in found.items()})


def ring() -> KeyRing:
    return _ring(tuple(_key_texts()))


def refuse_missing_key() -> None:
    """For servers: fail at start, not at the first sign-up, when no key can be found."""
    ring()


def encrypt(plain: bytes, aad: bytes) -> str:
    r = ring()
    nonce = secrets.token_bytes(12)
    return f"{PREFIX}.{r.current}.{_b64(nonce + r.keys[r.current].encrypt(nonce, plain, aad))}"


class DecryptionError(Exception):
    pass


def decrypt(stored: str, aad: bytes) -> bytes:
    try:
        prefix, key_id, body = stored.split(".", 2)
    except ValueError:
        raise DecryptionError("not an encrypted value") from None
    key = ring().keys.get(key_id)
    if prefix != PREFIX or key is None:
        raise DecryptionError(f"no key {key_id!r} for this value (is COMPANION_KEYS missing an old key?)")
    raw = _unb64(body)
    try:
        return key.decrypt(raw[:12], raw[12:], aad)
    except InvalidTag:
        raise DecryptionError("the value was altered, or belongs to another field") from None


def key_id_of(stored: str) -> str:
    return stored.split(".", 2)[1] if stored and stored.count(".") >= 2 else ""


class _PayloadAttribute(DeferredAttribute):  # type: ignore[misc]  # Django is untyped here
    """Whatever is assigned (a dict from the database, a form or a test; or a payload) is held as the
    field's payload kind, so the code only ever sees the typed record."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        payload = self.field.payload
        instance.__dict__[self.field.attname] = None if value is None else payload.load(value)


class EncryptedJSONField(models.TextField):  # type: ignore[misc]  # Django is untyped here
    """A JSON value, encrypted with the current key; ``None`` is stored as NULL.

    ``payload=Kind`` (a ``payloads.Payload`` dataclass) makes the value that record kind in memory;
    what is stored is the same JSON either way, so the choice needs no migration."""

    def __init__(self, *args: Any, payload: type[Payload] | None = None, **kwargs: Any) -> None:
        self.payload = payload
        if payload is not None:
            self.descriptor_class = _PayloadAttribute
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs  # ``payload`` is not kept: the column is the same text

    def _aad(self) -> bytes:
        return f"commonground:{self.model._meta.label}.{self.name}".encode()

    def from_db_value(self, value: str | None, expression: object, connection: object) -> Any:
        if value is None:
            return None
        return orjson.loads(decrypt(value, self._aad()))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if self.payload is not None:
            value = self.payload.load(value).dump()
        return encrypt(orjson.dumps(value), self._aad())

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return orjson.dumps(value.dump() if isinstance(value, Payload) else value).decode()


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedJSONField]]:
    """(model, field) for every encrypted field of every installed model."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedJSONField):
                yield model, field


def rotate(batch: int = 500) -> dict[str, int]:
    """Re-encrypt every value not under the current key; returns counts per model."""
    from django.db import transaction

    current, counts = ring().current, {}
    for model, field in encrypted_fields():
        # Read the stored text itself (the field would decrypt it): through a Cast to plain text.
        stale = [
            pk
            for pk, text in model.objects.annotate(_raw=Cast(field.attname, TextField())).values_list("pk", "_raw")
            if text and key_id_of(text) != current
        ]
        for start in range(0, len(stale), batch):
            with transaction.atomic():
                for obj in model.objects.filter(pk__in=stale[start : start + batch]):
                    model.objects.filter(pk=obj.pk).update(**{field.attname: getattr(obj, field.attname)})
        counts[f"{model._meta.label}.{field.name}"] = len(stale)
    return counts
