"""Each meeting column's room, read from the model, and the one place a row is made to fit it.

Every format (Meeting Guide JSON, TSML CSV, BMLT) is normalised by ``normalize.to_meetings``,
which calls ``fit`` on each meeting and ``check_key`` on its key. No limit is written here: each
comes from ``Meeting``'s fields, so a column made wider or narrower moves the cut with it.

* Text too long for its column is cut at the end of a grapheme (``text.cut``), with a warning.
* A value that a cut would make wrong rather than short (a link, an e-mail address, a phone
  number) is dropped, with a warning.
* A key too long for its column, or holding what no database can store, skips its row: a cut or
  cleaned key could collide with another row's.
"""

from __future__ import annotations

from functools import cache

from django.db.models import CharField

from commonground.feeds.errors import RowSkip
from commonground.feeds.text import cut, unstorable
from commonground.meetings.models import Meeting

# Columns the sync fills itself, never straight from a feed value (the zone is checked against
# the IANA names, the slug made by ``make_slug``): the tests check that these fit.
SET_BY_SYNC = frozenset(
    {"key", "slug", "timezone", "coordinates_source", "attendance_mode", "content_hash", "source_hash"}
)
# Columns whose value a cut would make wrong: dropped whole instead.
WHOLE = frozenset(
    {
        "url",
        "edit_url",
        "feedback_url",
        "entity_url",
        "entity_logo",
        "conference_url",
        "entity_email",
        "entity_phone",
        "conference_phone",
    }
)
# Where a feed calls a column by another name, warnings use the feed's.
FEED_NAMES = {"region": "state"}


@cache
def limits() -> dict[str, int]:
    """attname -> max_length of every character column of ``Meeting``."""
    return {f.attname: f.max_length for f in Meeting._meta.concrete_fields if isinstance(f, CharField) and f.max_length}


@cache
def _fitted() -> tuple[tuple[str, int, bool], ...]:
    return tuple((name, limit, name in WHOLE) for name, limit in limits().items() if name not in SET_BY_SYNC)


def clear_cache() -> None:
    """Read the limits from the model again (for tests that change a field's max_length)."""
    limits.cache_clear()
    _fitted.cache_clear()


def fit(m: dict, warn) -> None:
    """Make every text value of the meeting dict ``m`` fit its column; ``warn(field, message)``."""
    for name, limit, whole in _fitted():
        value = m.get(name)
        if not value or len(value) <= limit:
            continue
        field = FEED_NAMES.get(name, name)
        if whole:
            warn(
                field,
                f"{field} is {len(value):,} characters long, more than the {limit} its column holds; "
                "dropped (cut short it would be wrong)",
            )
            m[name] = ""
        else:
            warn(field, f"{field} was cut to {limit} characters (it had {len(value):,})")
            m[name] = cut(value, limit)


def check_key(key: str, suffix: str = "") -> None:
    """RowSkip unless ``key`` (with ``suffix``, as "-<day>" for a meeting on several days) can be
    stored as it is."""
    limit = limits()["key"]
    if len(key) + len(suffix) > limit:
        with_day = f" with its day ({suffix!r}) added" if suffix else ""
        raise RowSkip(
            "slug",
            f"the slug{with_day} is {len(key) + len(suffix):,} characters long; at most {limit} "
            "fit, and a slug cut short could be another row's, so the row is skipped",
        )
    if unstorable(key):
        raise RowSkip(
            "slug",
            "the slug holds a NUL or a lone surrogate, which cannot be stored; a slug cleaned of "
            "it could be another row's, so the row is skipped",
        )
