"""What every reader returns: rows already reshaped into the Meeting Guide vocabulary."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from commonground.feeds.errors import FeedError


@dataclass
class Feed:
    rows: list  # Meeting Guide–shaped dicts (or whatever the feed held, for the row checks to reject)
    default_program: str | None = None  # e.g. "na" for BMLT
    digest: str = ""  # of the raw bytes: an identical feed can be recognised without parsing rows


def digest(*bodies: bytes) -> str:
    h = hashlib.sha256()
    for body in bodies:
        h.update(hashlib.sha256(body).digest())
    return h.hexdigest()


def load_json(text: str, location: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError("syntax", f"{location} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except RecursionError:
        raise FeedError("syntax", f"{location} nests JSON too deeply to be a meeting feed.") from None
