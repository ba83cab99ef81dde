"""Derived fields of a meeting row, computed in one place: attendance mode, tags, the
temporarily-closed flag and the content hash.

Importers and the demo generator work on plain dicts keyed by field attname (``program_id``,
``start_time`` ...); ``Meeting.normalize_with_table`` calls ``derive`` too, so both paths agree.
Pure functions: no database, no models (``bulk.py`` writes the rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from commonground.meetings import types
from commonground.meetings.conference import is_dialable, provider_for

HASHED_FIELDS = (
    "program_id",
    "name",
    "group",
    "group_notes",
    "notes",
    "weekday",
    "start_time",
    "duration_minutes",
    "timezone",
    "location",
    "location_notes",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "formatted_address",
    "latitude",
    "longitude",
    "coordinates_source",
    "approximate",
    "regions",
    "temporarily_closed",
    "conference_url",
    "conference_url_notes",
    "conference_phone",
    "conference_phone_notes",
    "types",
    "languages",
    "updated_at",
    "url",
    "edit_url",
    "feedback_url",
    "feedback_emails",
    "entity",
    "entity_email",
    "entity_location",
    "entity_logo",
    "entity_phone",
    "entity_url",
    "contacts",
    "extra",
)


def attendance_mode(v: Mapping[str, Any]) -> str:
    """TSML's attendance rules.

    Online = a known-provider conference URL or a dialable phone. In person = a specific (not
    approximate) address and a venue that is not temporarily closed (TC). Both = hybrid;
    neither = inactive.
    """
    url, phone = v.get("conference_url"), v.get("conference_phone")
    online = bool(url and provider_for(url)) or bool(phone and is_dialable(phone))
    has_place = bool(v.get("address") or v.get("formatted_address") or v.get("latitude") is not None)
    in_person = has_place and not v.get("approximate") and not v.get("temporarily_closed")
    if online and in_person:
        return "hybrid"
    if online:
        return "online"
    return "in_person" if in_person else "inactive"


def _canonical(value: object) -> object:
    # Dicts compare by content whatever their key order (PostgreSQL's jsonb reorders keys).
    if isinstance(value, dict):
        return tuple(sorted((k, _canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_canonical(v) for v in value)
    return value


_LIST_FIELDS = ("regions", "types", "languages", "feedback_emails")
_NESTED_FIELDS = ("contacts", "extra")
_SCALAR_FIELDS = tuple(f for f in HASHED_FIELDS if f not in _LIST_FIELDS + _NESTED_FIELDS)


# A content hash made as ``content_hash`` makes it starts so; one without it is a legacy hash.
HASH_PREFIX = "2:"


def _payload(v: Mapping[str, Any]) -> list[object]:
    get = v.get
    payload = [None if (x := get(name)) == "" else x for name in _SCALAR_FIELDS]
    payload += [tuple(x) if (x := get(name)) else None for name in _LIST_FIELDS]
    payload += [_canonical(x) if (x := get(name)) else None for name in _NESTED_FIELDS]
    return payload


def content_hash(v: Mapping[str, Any]) -> str:
    """A digest of everything a feed can change, so a re-sync can tell unchanged rows apart.

    A field left out, None and "" hash alike; so do an empty list and a missing one. The fields
    are written with orjson (five times faster than the repr the legacy hash used); a value it
    cannot write (an integer past 64 bits) makes the whole list written with repr instead.
    """
    payload = _payload(v)
    try:
        text = orjson.dumps(payload, default=repr)
    except orjson.JSONEncodeError:
        text = repr(payload).encode("utf-8")
    return HASH_PREFIX + hashlib.blake2b(text, digest_size=19).hexdigest()


def legacy_content_hash(v: Mapping[str, Any]) -> str:
    """The content hash as stored before ``HASH_PREFIX`` (SHA-1 of the fields' repr): a sync
    compares it with a stored legacy hash, so an unchanged meeting is not taken for a changed one."""
    return hashlib.sha1(repr(_payload(v)).encode("utf-8"), usedforsecurity=False).hexdigest()


def is_legacy_hash(stored: str) -> bool:
    return bool(stored) and not stored.startswith(HASH_PREFIX)


def derive(v: dict[str, Any], table: str) -> dict[str, Any]:
    """Fill the derived fields of a meeting dict in place (and return it)."""
    if v.get("start_time") is None or v.get("weekday") is None:
        v["weekday"] = v["start_time"] = None
    codes = v.get("types") or []
    v["temporarily_closed"] = bool(v.get("temporarily_closed")) or types.TEMPORARILY_CLOSED_CODE in codes
    v["attendance_mode"] = attendance_mode(v)
    v["tag_bits"] = types.bits_for(table, tuple(codes))
    v["content_hash"] = content_hash(v)
    return v
