"""What every reader returns: rows already reshaped into the Meeting Guide vocabulary."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from commonground.feeds.jsonstream import loads


@dataclass
class Feed:
    # Meeting Guide–shaped dicts (or whatever the feed held, for the row checks to reject). Often
    # a generator that reads the body as it goes: a FeedError can still come while iterating.
    rows: Iterable
    default_program: str | None = None  # e.g. "na" for BMLT
    digest: str = ""  # of the raw bytes: an identical feed can be recognised without parsing rows
    closers: list = field(default_factory=list)  # bodies to close once the rows are read

    def close(self) -> None:
        for closer in self.closers:
            closer()
        self.closers = []


def digest(*parts: bytes | str) -> str:
    """One digest over several bodies (or their own SHA-256 digests, given as hex strings)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else hashlib.sha256(part).hexdigest().encode())
    return h.hexdigest()


def load_json(text: str, location: str):
    """A whole (small) JSON document, with the feed rules for numbers and errors."""
    return loads(text, location)
