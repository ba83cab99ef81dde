"""Opaque ids for private addresses: no ``/me/`` or ``/peer/`` URL carries a sequential id.

A record's number is enciphered as one AES block under a key derived from ``SECRET_KEY``. One
block of AES is a keyed permutation of 128-bit values, so every number has exactly one token and
every token at most one number. The block holds the record's kind beside its number: a clock's
token does not open a passkey, and a token altered by one character names nothing. A token shows
neither the number nor how many records exist; it is 22 base64url characters.

The URL patterns use one converter per kind (``<clock_id:pk>``, ``<participant_id:pk>`` …); views
still receive the number, and ``reverse()``/``{% url %}`` take the number and write the token. A
token that names no record of that kind does not match its pattern, so the answer is the same 404
as for a record that is someone else's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.urls import register_converter

# The kinds of private record that have an address of their own.
KINDS = ("clock", "passkey", "tried", "share", "participant", "consent", "referral", "staff", "shift")
TOKEN_LENGTH = 22  # base64url of 16 bytes, unpadded
MAX_ID = 2**64 - 1


@lru_cache(maxsize=4)
def _cipher(secret: str) -> Cipher[modes.ECB]:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"commonground private-address ids v1").derive(
        secret.encode()
    )
    # ECB over a single block is the bare block cipher: a permutation, which is what an id needs.
    return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305


@lru_cache(maxsize=len(KINDS))
def _tag(kind: str) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"not a private record kind: {kind!r}")
    return hashlib.sha256(f"commonground-id:{kind}".encode()).digest()[:8]


def encode(kind: str, number: int) -> str:
    """The token for record ``number`` of ``kind``."""
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"an id out of range: {number}")
    encryptor = _cipher(settings.SECRET_KEY).encryptor()
    block = encryptor.update(_tag(kind) + struct.pack(">Q", number)) + encryptor.finalize()
    return base64.urlsafe_b64encode(block).rstrip(b"=").decode()


def decode(kind: str, token: str) -> int | None:
    """The number a token names for ``kind``, or None when it names nothing of that kind."""
    if len(token) != TOKEN_LENGTH:
        return None
    try:
        block = base64.urlsafe_b64decode(token + "==")
    except (binascii.Error, ValueError):
        return None
    if len(block) != 16 or base64.urlsafe_b64encode(block).rstrip(b"=").decode() != token:
        return None  # a non-canonical spelling of the same bytes: one token per record
    decryptor = _cipher(settings.SECRET_KEY).decryptor()
    plain = decryptor.update(block) + decryptor.finalize()
    if plain[:8] != _tag(kind):
        return None
    number: int = struct.unpack(">Q", plain[8:])[0]
    return number


class OpaqueId:
    kind = ""
    regex = f"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}"

    def to_python(self, value: str) -> int:
        number = decode(self.kind, value)
        if number is None:
            raise ValueError("no such record")  # the pattern does not match: a 404
        return number

    def to_url(self, value: int | str) -> str:
        return encode(self.kind, int(value))


def converter_name(kind: str) -> str:
    return f"{kind}_id"


for _kind in KINDS:
    register_converter(type(f"{_kind.title()}Id", (OpaqueId,), {"kind": _kind}), converter_name(_kind))
