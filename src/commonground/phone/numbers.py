"""A phone number is kept only as a keyed hash: HMAC-SHA256 under ``PHONE_HASH_KEY`` (its own key,
read or made the way ``keys.py`` reads every key kept outside the database). The hash is enough to
honour STOP, remember a language and count texts for the rate limits; it cannot be turned back into
the number without the key. ``country`` reads a number's country for the safety layer's lines.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from phonenumbers import timezone as number_zones

from commonground import keys


def normalise(number: str) -> str:
    """E.164 when the number parses, else its digits (and a leading +): one number, one hash."""
    try:
        parsed = phonenumbers.parse(number, None)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        text = (number or "").strip()
        return ("+" if text.startswith("+") else "") + "".join(ch for ch in text if ch.isdigit())


@lru_cache(maxsize=4)
def _keys(configured: str, path: str, debug: bool) -> tuple[bytes, ...]:
    texts = keys.key_texts(
        configured,
        path,
        debug=debug,
        what="the phone number hash key",
        error=ImproperlyConfigured,
        missing=f"Set PHONE_HASH_KEY or put a key in {path} (commonground new_key makes one).",
    )
    return tuple(keys.decode(tuple(texts), what="PHONE_HASH_KEY", error=ImproperlyConfigured).values())


def _all_keys() -> tuple[bytes, ...]:
    return _keys(str(settings.PHONE_HASH_KEY), str(settings.PHONE_HASH_KEY_FILE), bool(settings.DEBUG))


def _hash(key: bytes, number: str) -> str:
    return hmac.new(key, normalise(number).encode(), hashlib.sha256).hexdigest()


def hash_number(number: str) -> str:
    """The number's hash under the current key (the first of ``PHONE_HASH_KEY``, or of its file)."""
    return _hash(_all_keys()[0], number)


def earlier_hashes(number: str) -> list[str]:
    """Its hashes under the keys after the first: a rotated key stays listed until every contact
    kept under it has been seen again (``PhoneContact.of_number`` moves each to the current key)."""
    return [_hash(key, number) for key in _all_keys()[1:]]


def _parsed(number: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None


def country(number: str) -> str:
    """The number's country (ISO 3166 alpha-2), "" when it cannot be told."""
    parsed = _parsed(number)
    if parsed is None or parsed.country_code is None:
        return ""
    # A number the plan does not list (a test or drama range) still belongs to its country code's country.
    region = phonenumbers.region_code_for_number(parsed) or phonenumbers.region_code_for_country_code(
        parsed.country_code
    )
    return "" if region in (None, "ZZ", "001") else region


def zone(number: str) -> str:
    """A time zone for the number (its area's, where the numbering plan tells), else ""."""
    parsed = _parsed(number)
    zones = number_zones.time_zones_for_number(parsed) if parsed else ()
    return zones[0] if zones and zones[0] != "Etc/Unknown" else ""
