"""A meeting's lasting reference and its page's address: written and read here, and nowhere else.

A listing is known by its source and its key there: the reference ``<source slug>/<key>`` is what
the companion saves, a referral keeps, a calendar entry's UID and the BMLT API's numbers are made
from. It survives a re-import from scratch, as a database id would not. A source's slug never holds
a ``/`` (it is a slug); a key may (some feeds use paths as ids), so the first ``/`` splits the two.

The page's address is the ``meeting`` route (``commonground/urls.py``) with the key quoted whole,
``/`` included, so a key that looks like a path stays one path segment.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple
from urllib.parse import quote, unquote

from django.urls import reverse


class Ref(NamedTuple):
    source: str
    key: str


def ref(source_slug: str, key: str) -> str:
    return f"{source_slug}/{key}"


def parse(text: str | None) -> Ref | None:
    """``Ref`` for a reference, or None when it is not one (no source, or no key)."""
    source, _sep, key = (text or "").partition("/")
    return Ref(source, key) if source and key else None


@cache
def _prefix() -> str:
    # The route by name, once: everything before the source in the meeting page's address.
    address: str = reverse("meeting", kwargs={"source": "s", "key": "k"})
    return address.removesuffix("s/k")


def path(source_slug: str, key: str) -> str:
    """The meeting page's address (no host)."""
    return f"{_prefix()}{source_slug}/{quote(key, safe='')}"


def from_path(address: str) -> str | None:
    """The reference a meeting page's address stands for, or None for any other address."""
    if not address.startswith(_prefix()):
        return None
    found = parse(address.removeprefix(_prefix()))
    return ref(found.source, unquote(found.key)) if found else None


class KeyConverter:
    """The ``<meeting_key:key>`` part of a meeting's address: any text at all, ``/`` and line breaks
    included (a feed's key is its own; Django's ``path`` converter stops at a line break, and such a
    listing's page was not found)."""

    regex = r"(?s:.+)"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
