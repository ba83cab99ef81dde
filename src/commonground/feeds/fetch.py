"""Read a feed's body from a file or an http(s) URL: bounded, SSRF-safe, and never all in memory.

``open_body`` returns a ``Body``: a seekable binary file (spilled to disk past a few MB), its
SHA-256 and its size. Limits: ``FEED_MAX_BYTES`` (after decompression), ``FEED_TIMEOUT_SECONDS``
of silence, and a total deadline of ``FEED_DEADLINE_SECONDS`` however slowly the bytes trickle:
one deadline for the whole exchange (connecting, TLS, status line, headers, body, chunk-size
lines and every redirect), checked by the socket itself before each read and write.

A URL may only lead to a public address. Each host (the first, and every redirect) is resolved
here, every address it resolves to is checked, and the connection goes to the checked address,
so a DNS answer cannot change between the check and the connection. Private, loopback,
link-local, multicast and reserved addresses are refused unless the operator sets
``FEED_ALLOW_PRIVATE_ADDRESSES=1``; so is an IPv6 address that carries one of them (NAT64,
6to4, Teredo, IPv4-mapped and -translated). Only http and https are followed, at most 5 redirects.

Errors never quote a body: a person reading them in the admin learns what went wrong, not
what a file on this machine contains.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import ipaddress
import socket
import ssl
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from commonground.feeds import polite
from commonground.feeds.errors import FeedError

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass
class Body:
    file: BinaryIO
    digest: str
    size: int
    location: str

    def read_all(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def close(self) -> None:
        self.file.close()


def is_url(location: str) -> bool:
    return urlsplit(location).scheme.lower() in ("http", "https")


def open_body(
    location: str, *, max_bytes: int | None = None, timeout: float | None = None, deadline: float | None = None
) -> Body:
    """The body at ``location``; FeedError with a plain message on any failure."""
    max_bytes = max_bytes or settings.FEED_MAX_BYTES
    timeout = timeout or settings.FEED_TIMEOUT_SECONDS
    deadline = deadline or settings.FEED_DEADLINE_SECONDS
    if is_url(location):
        return _fetch(location, max_bytes, timeout, deadline)
    if "://" in location or location.lower().startswith(("file:", "ftp:", "data:")):
        scheme = location.split(":", 1)[0]
        raise FeedError("scheme", f"Only http and https addresses (or a local file path) can be read, not {scheme}:.")
    return _open_file(location, max_bytes)


def read_bytes(location: str, **limits) -> bytes:
    """The whole body in memory: for small answers (BMLT formats, the validator)."""
    body = open_body(location, **limits)
    try:
        return body.read_all()
    finally:
        body.close()


def _open_file(location: str, max_bytes: int) -> Body:
    path = Path(location).expanduser()
    if not path.exists():
        raise FeedError("not-found", f"There is no file at {location}.")
    if path.is_dir():
        raise FeedError("not-found", f"{location} is a directory, not a feed file.")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FeedError("too-large", f"{location} is {size:,} bytes; the limit is {max_bytes:,} (FEED_MAX_BYTES).")
        handle = open(path, "rb")  # noqa: SIM115 - the Body owns it
    except OSError as exc:
        raise FeedError("not-found", f"{location} could not be read: {exc.strerror or 'error'}.") from None
    digest = hashlib.sha256()
    while chunk := handle.read(1024 * 1024):
        digest.update(chunk)
    handle.seek(0)
    return Body(handle, digest.hexdigest(), size, location)


# --- addresses ------------------------------------------------------------------------------


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (a seam for tests: they stub it, never the network)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


# IPv6 prefixes whose last 32 bits are an IPv4 address the network delivers to: NAT64's
# well-known prefix (RFC 6052), IPv4-translated (RFC 2765) and IPv4-compatible (RFC 4291,
# deprecated; it also holds :: and ::1, whose IPv4 readings are refused as well).
_IPV4_IN_LAST_32_BITS = tuple(ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "::ffff:0:0:0/96", "::/96"))
# Local-use NAT64 (RFC 8215): translated by a gateway inside this network, never a public address.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def address_allowed(address: str) -> bool:
    """Whether a feed may be read from ``address``: a public unicast address. An IPv6 address that
    carries an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) is judged by the IPv4 address too."""
    if settings.FEED_ALLOW_PRIVATE_ADDRESSES:
        return True
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        if ip.teredo:  # 2001::/32 is not global itself; both ends are judged all the same
            return all(_public(v4) for v4 in ip.teredo)
        embedded = (
            ip.ipv4_mapped
            or ip.sixtofour
            or next((ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) for net in _IPV4_IN_LAST_32_BITS if ip in net), None)
        )
        if embedded is not None:
            return _public(embedded)
    return _public(ip)


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def _checked_address(url: str, host: str, port: int) -> str:
    try:
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError, OSError):
        raise FeedError("unreachable", f"{url} could not be reached: its host name does not resolve.") from None
    if not addresses:
        raise FeedError("unreachable", f"{url} could not be reached: its host name does not resolve.")
    refused = [a for a in addresses if not address_allowed(a)]
    if refused:
        raise FeedError(
            "address",
            f"{url} leads to a private or reserved address ({refused[0]}); feeds are only "
            "read from public addresses (FEED_ALLOW_PRIVATE_ADDRESSES=1 allows others).",
        )
    return addresses[0]


class _Deadline:
    """The fetch's one deadline: the time left for the next blocking step, or FeedError("timeout")."""

    def __init__(self, url: str, seconds: float, timeout: float):
        self.url, self.seconds, self.timeout = url, seconds, timeout
        self.end = time.monotonic() + seconds
        visit = polite.current()  # the source's own deadline, across all its requests, may come first
        self.source_end = visit.ends_at if visit and visit.ends_at is not None else None
        if self.source_end is not None and self.source_end < self.end:
            self.end = self.source_end

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.error()
        return left

    def error(self) -> FeedError:
        if self.source_end is not None and self.end == self.source_end:
            return FeedError(
                "timeout",
                f"Reading the source took longer than {settings.SYNC_SOURCE_DEADLINE_SECONDS:g} seconds in all "
                f"(SYNC_SOURCE_DEADLINE_SECONDS); it stopped at {self.url}.",
            )
        return FeedError(
            "timeout", f"{self.url} took longer than {self.seconds:g} seconds in all (FEED_DEADLINE_SECONDS)."
        )

    def step_timeout(self) -> float:
        """The socket timeout for one step: the silence timeout, or less when the deadline is nearer."""
        return min(self.timeout, self.left())


class _DeadlineSocket:
    """A connected socket (plain or TLS) as http.client uses it, every read and write of which
    is held to the deadline: the deadline is checked, and the socket's timeout set to the time
    left, before each one. So a server that drips its status line, headers, chunk-size lines or
    body one byte at a time meets the same deadline (http.client reads them all through
    ``makefile``, which reads through ``recv_into`` here). As with a real socket, closing it
    while a response still reads from it closes it only when that reader is closed."""

    def __init__(self, sock: socket.socket, deadline: _Deadline):
        self.sock, self.deadline = sock, deadline
        self.readers, self.closing = 0, False

    def _arm(self) -> None:
        self.sock.settimeout(self.deadline.step_timeout())

    def sendall(self, data) -> None:
        view = memoryview(data)
        while view:  # a step at a time, so a server that reads slowly meets the deadline too
            self._arm()
            view = view[self.sock.send(view[:CHUNK]) :]

    def recv_into(self, buffer, nbytes: int = 0) -> int:
        self._arm()
        return self.sock.recv_into(buffer, nbytes) if nbytes else self.sock.recv_into(buffer)

    def makefile(self, mode: str = "rb", *args, **kwargs):
        if mode != "rb":
            raise ValueError("only binary reading is supported")
        self.readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def close(self) -> None:
        self.closing = True
        if not self.readers:
            self.sock.close()

    def reader_closed(self) -> None:
        self.readers -= 1
        if self.closing and not self.readers:
            self.sock.close()


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket):
        super().__init__()
        self.sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self.sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self.sock.reader_closed()
        super().close()


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the checked ``address`` (not whatever ``host`` resolves to now), its every
    step held to ``deadline``."""

    def __init__(self, host, port, address, deadline: _Deadline):
        super().__init__(host, port, timeout=deadline.step_timeout())
        self.address, self.deadline = address, deadline

    def connect(self):
        self.sock = _DeadlineSocket(self._connected(), self.deadline)

    def _connected(self) -> socket.socket:
        return socket.create_connection((self.address, self.port), self.deadline.step_timeout())


def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, verified (a seam for tests, which trust their own)."""
    return ssl.create_default_context()


class _PinnedHTTPS(_PinnedHTTP):
    def __init__(self, host, port, address, deadline: _Deadline):
        super().__init__(host, port, address, deadline)
        self.tls = tls_context()

    def _connected(self) -> socket.socket:
        sock = super()._connected()
        # CPython runs the whole handshake against the socket's timeout as one deadline.
        sock.settimeout(self.deadline.step_timeout())
        return self.tls.wrap_socket(sock, server_hostname=self.host)


# --- fetching -------------------------------------------------------------------------------


def _fetch(url: str, max_bytes: int, timeout: float, deadline_seconds: float) -> Body:
    deadline = _Deadline(url, deadline_seconds, timeout)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FeedError(
                "scheme", f"{url} redirected to a {scheme or 'relative'}: address; only http and https are followed."
            )
        if parts.username or parts.password or "\\" in current:
            raise FeedError("scheme", f"{url} names a user or password in its address; refused.")
        try:
            host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise FeedError("scheme", f"{current} has an invalid port.") from None
        if not host:
            raise FeedError("scheme", f"{current} names no host.")
        address = _checked_address(current, host, port)
        connection_class = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        conn, response = None, None
        try:
            with polite.host_slot(host):  # one request in flight per host, a pause between them
                deadline.left()
                conn = connection_class(host, port, address, deadline)
                target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                conn.request("GET", target, headers=_headers(url))
                response = conn.getresponse()
                if response.status in (301, 302, 303, 307, 308):
                    location = response.getheader("Location")
                    if not location:
                        raise FeedError("http", f"{url} redirected without saying where to.")
                    current = urljoin(current, location.strip())
                    continue
                if response.status == 304 and polite.conditional_headers(url):
                    raise polite.NotModified(url)
                if response.status >= 300:
                    raise _http_error(url, response)
                body = _read_response(url, response, max_bytes, deadline)
                polite.remember(url, response.getheader("ETag"), response.getheader("Last-Modified"))
                return body
        except TimeoutError:
            if time.monotonic() >= deadline.end - 0.1:  # the step was cut short by the deadline
                raise deadline.error() from None
            raise FeedError("timeout", f"{url} did not answer within {timeout:g} seconds.") from None
        except ssl.SSLError as exc:
            raise FeedError(
                "unreachable", f"{url} could not be read securely: {_plain(exc.reason or 'TLS error')}."
            ) from None
        except (http.client.HTTPException, OSError) as exc:
            raise FeedError("unreachable", f"{url} could not be read: {_plain(type(exc).__name__)}.") from None
        finally:
            if response is not None:
                response.close()  # the socket closes with the last reader (see _DeadlineSocket)
            if conn is not None:
                conn.close()
    raise FeedError("http", f"{url} redirected more than {MAX_REDIRECTS} times.")


def _headers(url: str) -> dict[str, str]:
    return {
        "User-Agent": polite.user_agent(),
        "Accept-Encoding": "gzip",
        "Accept": "application/json, text/csv, */*",
        **polite.conditional_headers(url),  # validators are kept for the URL asked, not a redirect's
    }


def _http_error(url: str, response) -> FeedError:
    """An error answer, in words; a busy server's request to wait (429, 503) is kept for the backoff."""
    status = response.status
    message = f"{url} answered HTTP {status} {_plain(response.reason)}."
    wait = polite.retry_after_seconds(response.getheader("Retry-After")) if status in (429, 503) else None
    if status == 429:
        message += " The server asks us to slow down; the next sync of this source will wait"
        message += f" at least {wait:,} seconds." if wait else "."
    elif status >= 500:
        message += " The server is having trouble; the source will be tried again later."
    return FeedError("http", message, retry_after=wait)


def _read_response(url, response, max_bytes, deadline: _Deadline) -> Body:
    length = response.getheader("Content-Length") or ""
    if length.isascii() and length.isdigit() and len(length) < 20 and int(length) > max_bytes:
        raise FeedError("too-large", f"{url} is {int(length):,} bytes; the limit is {max_bytes:,} (FEED_MAX_BYTES).")
    gzipped = (response.getheader("Content-Encoding") or "").strip().lower() in ("gzip", "x-gzip")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the Body owns it
    digest, size = hashlib.sha256(), 0

    def keep(data: bytes) -> None:
        nonlocal size
        size += len(data)
        if size > max_bytes:
            raise FeedError("too-large", f"{url} sent more than {max_bytes:,} bytes (FEED_MAX_BYTES).")
        digest.update(data)
        spool.write(data)

    try:
        while True:
            chunk = response.read1(CHUNK)  # every read of the socket is held to the deadline
            if not chunk:
                break
            if inflate is None:
                keep(chunk)
                continue
            data = inflate.decompress(chunk, CHUNK)
            while True:
                keep(data)
                if not inflate.unconsumed_tail:
                    break
                data = inflate.decompress(inflate.unconsumed_tail, CHUNK)
            deadline.left()  # a body that inflates slowly, too
        if inflate is not None:
            keep(inflate.flush())
    except zlib.error:
        spool.close()
        raise FeedError("encoding", f"{url} sent a damaged gzip body.") from None
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return Body(spool, digest.hexdigest(), size, url)


def _plain(text) -> str:
    """A server-supplied phrase, made safe to show: printable, short."""
    cleaned = "".join(c for c in str(text) if c.isprintable())[:80]
    return cleaned or "(no reason given)"


def decode_text(body: bytes, location: str) -> str:
    """UTF-8 text (a byte-order mark is allowed); anything else is a clear error."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise encoding_error(location, body[exc.start], exc.start) from None


def encoding_error(location: str, byte: int, position: int) -> FeedError:
    return FeedError(
        "encoding",
        f"{location} is not UTF-8 text (bad byte 0x{byte:02x} at position {position}). "
        "Save or serve the feed as UTF-8.",
    )
