"""Meeting Guide JSON: a bare array of meeting objects, from a file or an http(s) URL."""

from __future__ import annotations

from commonground.feeds.base import Feed, digest, load_json
from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import decode_text, read_bytes


def parse(body: bytes, location: str) -> Feed:
    data = load_json(decode_text(body, location), location)
    if isinstance(data, dict):
        hint = " (it has a \"meetings\" list; point at a feed that is just the array)" if "meetings" in data else ""
        raise FeedError("shape", f"{location} holds a JSON object, but a Meeting Guide feed is an array of meetings{hint}.")
    if not isinstance(data, list):
        raise FeedError("shape", f"{location} holds a JSON {type(data).__name__}, but a Meeting Guide feed is an array of meetings.")
    return Feed(rows=data, digest=digest(body))


def read(location: str) -> Feed:
    return parse(read_bytes(location), location)
