"""Meeting Guide JSON: a bare array of meeting objects, from a file or an http(s) URL.

The array is read one meeting at a time (``jsonstream``), so a feed of any size is parsed in
bounded memory; a syntax error further down is still a FeedError, raised while iterating.
"""

from __future__ import annotations

import hashlib
import io

from commonground.feeds.base import Feed
from commonground.feeds.fetch import Body, open_body
from commonground.feeds.jsonstream import iter_array


def parse(body: bytes | Body, location: str) -> Feed:
    if isinstance(body, bytes | bytearray):
        body = Body(io.BytesIO(body), hashlib.sha256(body).hexdigest(), len(body), location)
    body.file.seek(0)
    rows = iter_array(body.file, location, keep_text=True)
    return Feed(rows=_first_checked(rows), digest=body.digest, closers=[body.close])


def _first_checked(rows):
    """Start reading at once, so that a body that is not an array fails in ``parse`` itself."""
    iterator = iter(rows)
    try:
        first = next(iterator)
    except StopIteration:
        return iter(())
    return _chain(first, iterator)


def _chain(first, rest):
    yield first
    yield from rest


def read(location: str) -> Feed:
    feed = parse(open_body(location), location)
    feed.rows = own_rows(feed.rows)
    return feed


def own_rows(rows):
    """Our own feed read back as stored: without the fellowship lines the writer put before the
    notes, and with the program's own codes (``program_types``) instead of the spec codes."""
    for row in rows:
        if isinstance(row, dict) and row.get("types_table") == "spec" and isinstance(row.get("program"), str):
            lines = row.pop("program_notes", None)
            if isinstance(lines, str) and isinstance(row.get("notes"), str) and row["notes"].startswith(lines):
                row["notes"] = row["notes"][len(lines) :].lstrip("\n")
            own = row.pop("program_types", None)
            if isinstance(own, list) and all(isinstance(c, str) for c in own):
                row["types"] = own
                del row["types_table"]  # the row's program's own table
        yield row
