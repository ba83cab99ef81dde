"""How we ask other people's servers for their meetings: politely, and as ourselves.

Every fetch (``feeds.fetch``) goes through here for four things:

- **Who we are.** A ``User-Agent`` naming Common Ground, its version, the deployment's address
  and a contact (``FEED_CONTACT``), so a server's operator can write to us rather than block us
  (BMLT's responsible-use guide asks for exactly this; so does any volunteer-run server).
- **One request in flight per host**, with ``FEED_HOST_PAUSE_SECONDS`` between two requests to
  the same host, however many sources sync at once: forty roots on one aggregator are read one
  after another, while a Meeting Guide feed elsewhere is read beside them.
- **Conditional requests.** A sync hands the validators (``ETag``, ``Last-Modified``) it kept
  from the last good sync; a server that answers ``304 Not Modified`` costs a few hundred bytes,
  and the sync knows the feed is unchanged without reading it (``NotModified``).
- **One deadline per source** (``SYNC_SOURCE_DEADLINE_SECONDS``) across all its requests, so a
  root that answers each page slowly cannot hold a sync for hours.

The state of one source's fetch is a ``Visit``, held in a context variable: threads that sync
several sources at once each have their own, and code that fetches outside a sync (the
validator, ``import``) gets the plain defaults.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from django.conf import settings

from commonground import __version__


def user_agent() -> str:
    """``CommonGround/<version> (+<the deployment's address>; <contact>)``, as far as both are set."""
    parts = [f"+{settings.FEED_SITE_URL}"] if settings.FEED_SITE_URL else []
    if settings.FEED_CONTACT:
        parts.append(settings.FEED_CONTACT)
    return f"CommonGround/{__version__} ({'; '.join(parts) or 'meeting feed importer'})"


class NotModified(Exception):
    """The server answered 304 to our conditional request: the feed is what we read last time."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


@dataclass
class Visit:
    """One source's fetch: its deadline, the validators to send and those the servers sent."""

    ends_at: float | None = None  # time.monotonic() after which no request may start or go on
    send: dict[str, dict[str, str]] = field(default_factory=dict)  # url -> {"etag", "last_modified"}
    got: dict[str, dict[str, str]] = field(default_factory=dict)
    requests: int = 0

    def seconds_left(self) -> float | None:
        return None if self.ends_at is None else self.ends_at - time.monotonic()


_visit: ContextVar[Visit | None] = ContextVar("commonground_feed_visit", default=None)


@contextmanager
def visit(*, validators: dict | None = None, deadline: float | None = None):
    """Fetch one source's feed inside this block (see the module's docstring)."""
    seconds = settings.SYNC_SOURCE_DEADLINE_SECONDS if deadline is None else deadline
    current = Visit(ends_at=time.monotonic() + seconds, send=dict(validators or {}))
    token = _visit.set(current)
    try:
        yield current
    finally:
        _visit.reset(token)


def current() -> Visit | None:
    return _visit.get()


def conditional_headers(url: str) -> dict[str, str]:
    """The ``If-None-Match`` / ``If-Modified-Since`` headers to send for ``url``, if any."""
    now = current()
    kept = now.send.get(url) if now else None
    headers = {}
    if kept:
        if kept.get("etag"):
            headers["If-None-Match"] = kept["etag"]
        if kept.get("last_modified"):
            headers["If-Modified-Since"] = kept["last_modified"]
    return headers


def remember(url: str, etag: str | None, last_modified: str | None) -> None:
    """Keep a response's validators, to be stored with the source if its sync succeeds."""
    now = current()
    if now is None:
        return
    kept = {k: _plain(v) for k, v in (("etag", etag), ("last_modified", last_modified)) if v and _plain(v)}
    if kept:
        now.got[url] = kept


def _plain(value: str) -> str:
    """A header value kept only when it is short printable ASCII (it is sent back as a header)."""
    value = value.strip()
    return value if len(value) <= 200 and value.isascii() and value.isprintable() else ""


# --- one request in flight per host -----------------------------------------------------------

_hosts_guard = threading.Lock()
_hosts: dict[str, _Host] = {}


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_done: float = 0.0


@contextmanager
def host_slot(host: str):
    """Hold ``host``'s one slot for a request; wait for the pause after the last one first."""
    with _hosts_guard:
        slot = _hosts.setdefault(host.lower(), _Host())
    with slot.lock:
        pause = settings.FEED_HOST_PAUSE_SECONDS
        wait = slot.last_done + pause - time.monotonic() if slot.last_done else 0
        if wait > 0:
            time.sleep(wait)
        now = current()
        if now is not None:
            now.requests += 1
        try:
            yield
        finally:
            slot.last_done = time.monotonic()


# --- backing off --------------------------------------------------------------------------------


def retry_after_seconds(value: str | None, *, now: float | None = None) -> int | None:
    """A ``Retry-After`` header (seconds, or an HTTP date) in seconds from now; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(int(value[:9]), 7 * 24 * 3600)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0, min(int(seconds), 7 * 24 * 3600))
