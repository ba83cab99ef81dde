"""Read a feed's bytes from a file or an http(s) URL, with a size limit and a timeout."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from commonground import __version__
from commonground.feeds.errors import FeedError

USER_AGENT = f"CommonGround/{__version__} (+https://github.com/; meeting feed importer)"


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def read_bytes(location: str, *, max_bytes: int | None = None, timeout: float | None = None) -> bytes:
    """The body at ``location``; FeedError with a plain message on any failure."""
    max_bytes = max_bytes or settings.FEED_MAX_BYTES
    timeout = timeout or settings.FEED_TIMEOUT_SECONDS
    if is_url(location):
        return _read_url(location, max_bytes, timeout)
    path = Path(location).expanduser()
    if not path.exists():
        raise FeedError("not-found", f"There is no file at {location}.")
    if path.is_dir():
        raise FeedError("not-found", f"{location} is a directory, not a feed file.")
    size = path.stat().st_size
    if size > max_bytes:
        raise FeedError("too-large", f"{location} is {size:,} bytes; the limit is {max_bytes:,} (FEED_MAX_BYTES).")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FeedError("not-found", f"{location} could not be read: {exc.strerror or exc}.") from None


def _read_url(url: str, max_bytes: int, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json, text/csv, */*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FeedError("too-large", f"{url} is {int(length):,} bytes; the limit is {max_bytes:,} (FEED_MAX_BYTES).")
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FeedError("http", f"{url} answered HTTP {exc.code} {exc.reason}.") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FeedError("timeout", f"{url} did not answer within {timeout:g} seconds.") from None
        raise FeedError("unreachable", f"{url} could not be reached: {reason}.") from None
    except TimeoutError:
        raise FeedError("timeout", f"{url} did not answer within {timeout:g} seconds.") from None
    except OSError as exc:
        raise FeedError("unreachable", f"{url} could not be read: {exc}.") from None
    if len(body) > max_bytes:
        raise FeedError("too-large", f"{url} sent more than {max_bytes:,} bytes (FEED_MAX_BYTES).")
    return body


def decode_text(body: bytes, location: str) -> str:
    """UTF-8 text (a byte-order mark is allowed); anything else is a clear error."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError(
            "encoding",
            f"{location} is not UTF-8 text (bad byte 0x{body[exc.start]:02x} at position {exc.start}). "
            "Save or serve the feed as UTF-8.",
        ) from None
