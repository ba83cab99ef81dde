"""How often one number may text (``PHONE_RATE_PER_NUMBER``): counted on the number's own row
(``PhoneContact``), under the lock its text already takes, so every web worker sees one count and a
restart forgets none. The limit per source address (``PHONE_RATE_PER_SOURCE``, the provider's
servers) stays in Django's cache: per process, a bound on each worker's load."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse(text: str, name: str) -> tuple[int, int]:
    """("12/h") → (12, 3600): how many in how many seconds; "5/10m" is five in ten minutes."""
    found = _RATE.match(text or "")
    if not found or int(found[1]) < 1:
        raise ImproperlyConfigured(
            f"{name}={text!r}: write a count per period, for example 12/h (the period in s, m, h or d, "
            "optionally with a number before it: 5/10m)."
        )
    return int(found[1]), int(found[2] or 1) * _SECONDS[found[3]]


def count_text(row, now: datetime) -> bool:
    """Count one text on ``row`` (a PhoneContact its caller holds locked and saves); whether the
    number is over its limit. The window starts at the first text after the last window ended."""
    limit, seconds = parse(str(settings.PHONE_RATE_PER_NUMBER), "PHONE_RATE_PER_NUMBER")
    if row.window_started is None or (now - row.window_started).total_seconds() >= seconds:
        row.window_started, row.window_texts = now, 0
    row.window_texts += 1
    return bool(row.window_texts > limit)
