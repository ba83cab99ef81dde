"""The current language, on the ground floor: every app asks here, none works it out again."""

from __future__ import annotations

from django.utils.translation import get_language


def language() -> str:
    """The active language's two-letter code ("en", "es"); "en" when none is active."""
    return (get_language() or "en")[:2]
