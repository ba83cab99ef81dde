"""Field parsers shared by the readers and the normaliser (``normalize.py``): days, times,
numbers, booleans, "updated" stamps, text cleaning, slugs, and the import ``Context``.

Each parser takes a raw feed value and returns a clean one or None, or raises ``RowSkip`` with a
reason; none of them decides what a row means (``normalize.py`` does). The hot path matters, so
common shapes are checked before falling back to slower parsing.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

import nh3
from django.utils.text import slugify

from commonground.feeds.errors import RowSkip
from commonground.feeds.text import storable

DAY_NAMES = {
    name: i
    for i, names in enumerate(
        [
            ("sunday", "sun", "domingo"),
            ("monday", "mon", "lunes"),
            ("tuesday", "tue", "tues", "martes"),
            ("wednesday", "wed", "miercoles", "miércoles"),
            ("thursday", "thu", "thur", "thurs", "jueves"),
            ("friday", "fri", "viernes"),
            ("saturday", "sat", "sabado", "sábado"),
        ]
    )
    for name in names
}
TEXT_FIELDS = (
    "name",
    "group",
    "location",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "formatted_address",
    "entity",
    "entity_location",
)
NOTE_FIELDS = ("notes", "location_notes", "group_notes", "conference_url_notes", "conference_phone_notes")
# Spec and TSML fields kept as they are. TSML's private group fields (email, phone,
# mailing_address, author, last_contact) are never read: what we do not hold cannot leak.
EXTRA_FIELDS = (
    "venmo",
    "square",
    "paypal",
    "homegroup_online",
    "district",
    "sub_district",
    "website",
    "website_2",
    "group_id",
)
LINK_EXTRAS = ("website", "website_2")
_TIME_12H = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s*m?\.?\s*$", re.I | re.A)
_TIME_24H = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$", re.A)
_BREAK = re.compile(r"<br\s*/?>|</p\s*>", re.I)
# What an HTML parser would read as the start of a tag, comment or doctype.
_TAG_LIKE = re.compile(r"<[a-zA-Z/!?]")
CLEAN_ROUNDS = 6
_SPACES = re.compile(r"[ \t\r\f\v]+")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?")
_UPDATED = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[ T]?(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:Z|([+-])(\d{2}):?(\d{2}))?", re.A
)


@dataclass
class Context:
    """What a row needs from its source: program, code table, fallback zone."""

    program: str
    table: str
    default_timezone: str = ""
    # Every catalog program -> its code table, for feeds whose rows name their program (our own).
    programs: dict[str, str] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def warn(self, field_name: str, message: str) -> None:
        self.warnings.append((field_name, message))


# --- small parsers ----------------------------------------------------------------------------


def parse_days(value) -> list[int] | None:
    """0–6 (Sunday = 0) from an int, a numeric string, a day name or a list of them.

    None or "" means no day (by appointment / ongoing). Anything else raises RowSkip.
    """
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        raise RowSkip("day", f"day {value!r} is not a weekday; use 0–6 (0 = Sunday) or a day name")
    if isinstance(value, int):
        if 0 <= value <= 6:
            return [value]
        raise RowSkip("day", f"day {_short(value)} is outside 0–6 (0 = Sunday)")
    if isinstance(value, float):
        if value.is_integer() and 0 <= value <= 6:
            return [int(value)]
        raise RowSkip("day", f"day {_short(value)} is not a weekday; use 0–6 (0 = Sunday) or a day name")
    if isinstance(value, list):
        days: list[int] = []
        for item in value:
            for day in parse_days(item) or []:
                if day not in days:
                    days.append(day)
        return sorted(days) or None
    if isinstance(value, str):
        text = value.strip().lower()
        number = ascii_whole(text)
        if number is not None:
            return parse_days(number)
        if text in DAY_NAMES:
            return [DAY_NAMES[text]]
        if "," in text:
            return parse_days([part for part in text.split(",") if part.strip()])
        raise RowSkip("day", f"day {_short(value)} is not a weekday name or 0–6")
    raise RowSkip("day", f"day {_short(value)} is not a weekday; use 0–6 (0 = Sunday) or a day name")


MAX_DIGITS = 9  # no field we read as a whole number needs more


def ascii_whole(text: str) -> int | None:
    """An integer written in ASCII digits (an optional sign, at most MAX_DIGITS), else None.

    ``str.isdigit`` is true for "²" and "٣", which ``int`` then rejects or reads as another
    number, and ``int`` itself refuses strings of over 4,300 digits: neither may reach it.
    """
    body = text[1:] if text[:1] in ("-", "+") else text
    if not body or len(body) > MAX_DIGITS or not (body.isascii() and body.isdecimal()):
        return None
    return int(text)


def ascii_number(value) -> float | None:
    """A finite number from an int, a float or ASCII text ("90", "90.5"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) < 10**MAX_DIGITS else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 32 or not text.isascii() or not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_time(value, field_name: str = "time") -> time | None:
    """``HH:MM``, ``HH:MM:SS``, ``6:00 PM``, ``noon``/``midnight``; None/"" means none given."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RowSkip(field_name, f"{field_name} {value!r} is not a time like 18:30 or 6:30 PM")
    text = value.strip()
    if len(text) == 5 and text[2] == ":" and text.isascii() and text[:2].isdigit() and text[3:].isdigit():
        hour, minute = int(text[:2]), int(text[3:])
        if hour < 24 and minute < 60:
            return time(hour, minute)
        if hour == 24 and minute == 0:  # "24:00", the end of the day, as the longer form reads it too
            return time(0, 0)
        raise RowSkip(field_name, f"{field_name} {value!r} is not a valid time of day")
    lower = text.lower()
    if lower == "noon":
        return time(12, 0)
    if lower == "midnight":
        return time(0, 0)
    match = _TIME_24H.match(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour == 24 and minute == 0 and second == 0:
            return time(0, 0)
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute)
        raise RowSkip(field_name, f"{field_name} {value!r} is not a valid time of day")
    match = _TIME_12H.match(text)
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if 1 <= hour <= 12 and minute < 60:
            hour = hour % 12 + (12 if match[4].lower() == "p" else 0)
            return time(hour, minute)
    raise RowSkip(field_name, f"{field_name} {value!r} is not a time like 18:30 or 6:30 PM")


def clean_text(value, *, multiline: bool = False) -> tuple[str, bool]:
    """Plain text with all markup removed, and nothing a database cannot store (``text.storable``).
    Returns (text, had_html).

    Entities are decoded first, so ``&lt;script&gt;`` is seen as the tag it becomes in a
    client that decodes it; then a real sanitiser (nh3, on the html5ever parser browsers' rules
    follow) drops every tag, and script and style blocks with their content. This repeats until
    the text no longer changes, which undoes double encoding and tags hidden inside tags.
    """
    if value is None:
        return "", False
    text = storable(value if isinstance(value, str) else str(value))
    had_html = False
    for _ in range(CLEAN_ROUNDS):
        before = text
        if "&" in text:
            text = html.unescape(text)  # (which makes "&#0;" and "&#xD800;" U+FFFD, not NUL)
        if _TAG_LIKE.search(text):
            had_html = True
            text = _BREAK.sub("\n" if multiline else " ", text)
            text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
        if text == before:
            break
    else:  # still changing: whatever is left of the markup goes, brackets and all
        had_html = True
        text = text.replace("<", " ").replace(">", " ")
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        return "\n".join(lines).strip(), had_html
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        text = " ".join(text.split())
    return text.strip(), had_html


def parse_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return None
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    return None


def parse_float(value) -> float | None:
    """A finite number, or None (no NaN, no infinity, no Unicode digits)."""
    if value is None or value == "":
        return None
    return ascii_number(value)


def parse_updated(value) -> datetime | None:
    """Spec ``updated`` ("YYYY-MM-DD HH:MM:SS", UTC); also the run-together form sheets produce, and
    ISO 8601 with a UTC offset ("2024-05-31T14:32:23+02:00", read at that offset)."""
    if not value or not isinstance(value, str):
        return None
    return _parse_updated(value)


@lru_cache(maxsize=1024)  # a feed's rows share few stamps (a sheet saved at once, an export's time)
def _parse_updated(value: str) -> datetime | None:
    match = _UPDATED.match(value.strip())
    if not match:
        return None
    *parts, sign, hours, minutes = match.groups()
    try:
        stamp = datetime(*(int(g or 0) for g in parts), tzinfo=UTC)
        if sign:
            offset = timedelta(hours=int(hours), minutes=int(minutes))
            if offset > timedelta(hours=14) or int(minutes) > 59:  # no zone is further from UTC
                return None
            stamp -= offset if sign == "+" else -offset
        return stamp
    except (ValueError, OverflowError):
        return None


# What ``slugify`` returns unchanged: lower-case ASCII letters and digits, single hyphens between.
_ALREADY_A_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.A)


def make_slug(key: str) -> str:
    """A URL-safe slug of at most 64 characters (the spec's limit) for our own feed."""
    if len(key) <= 64 and _ALREADY_A_SLUG.fullmatch(key):  # most feeds' slugs are slugs already
        return key
    slug = slugify(key, allow_unicode=False)[:64].strip("-")
    return slug or "meeting"
