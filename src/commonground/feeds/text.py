"""Text a database can store, cut to fit a column: the two rules every value from a feed meets
before it is written (see ``columns.py`` for where the limits come from).

PostgreSQL cannot store NUL in text or JSON, and a lone UTF-16 surrogate (which a JSON escape
such as ``\\ud800`` can produce) cannot be encoded for either database: one such value refused by
the COPY used to fail the whole source's sync.
"""

from __future__ import annotations

import re

import regex

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"
# One user-perceived character (an extended grapheme cluster): "é" written as e + U+0301, a flag,
# a family of emoji joined by U+200D. A cut between its code points would change what it shows.
_GRAPHEME = regex.compile(r"\X")


def unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def storable(text: str) -> str:
    """``text`` with NUL removed and each lone surrogate replaced by U+FFFD."""
    if not unstorable(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m[0] == "\x00" else REPLACEMENT, text)


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the end of a grapheme, spaces trimmed.

    Characters, as PostgreSQL's ``varchar(n)`` counts them (code points, not bytes). Should the
    first grapheme alone be longer than the limit (a letter under hundreds of combining marks),
    the cut falls between code points instead: something of the value is kept.
    """
    if len(text) <= limit:
        return text
    end = 0
    # Read one character past the limit: a grapheme the cut would split then ends past it.
    for match in _GRAPHEME.finditer(text, 0, limit + 1):
        if match.end() > limit:
            break
        end = match.end()
    kept = text[: end or limit].rstrip()
    return kept or text[:limit]
