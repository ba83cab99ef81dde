"""Links taken from feeds, judged the way a browser will read them.

A feed's ``conference_url`` becomes a big "Join" button, and its ``website`` or ``feedback_url``
becomes a link a person taps. Python's ``urlsplit`` and a browser do not always agree on where
the host is: browsers follow the WHATWG URL standard, in which ``\\`` is a path separator, tabs
and newlines vanish, ``%2E`` in a host is a dot and ``0x7f.1`` is an IPv4 address. So
``https://evil.example\\@zoom.us/`` is zoom.us to ``urlsplit`` but evil.example to a browser.

``web_link`` therefore parses with a WHATWG parser (ada, the parser Node.js uses), refuses
anything a person could be fooled by, and returns the URL in the one normalised form that is
stored, shown and exported; every later check reads the host from that form.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from ada_url import URL

MAX_LENGTH = 1000
SCHEMES = ("https:", "http:")
_ASCII_EDGES = " \t\n\r\f\v\x00"


@dataclass(frozen=True)
class Link:
    href: str  # the normalised URL: what is stored, rendered and exported
    host: str  # lower-case ASCII (punycode) host, no trailing dot


class LinkError(ValueError):
    """Why a link was refused, in words a feed maintainer can act on."""


def _refuse_characters(text: str) -> None:
    # isprintable() is False for control, format (invisible, bidi), separator and unassigned
    # characters except the plain space: the common, clean link is checked in one call.
    if text.isprintable() and "\\" not in text and " " not in text:
        return
    for char in text:
        if char == "\\":
            raise LinkError("it contains a backslash, which browsers read as a slash")
        category = unicodedata.category(char)
        if char.isspace() or category in ("Zs", "Zl", "Zp"):
            raise LinkError("it contains a space or line break")
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise LinkError(f"it contains an invisible or control character (U+{ord(char):04X})")


@lru_cache(maxsize=8192)
def web_link(raw: str) -> Link:
    """The normalised http(s) link for ``raw``, or LinkError saying why it is refused."""
    if not isinstance(raw, str):
        raise LinkError("it is not text")
    text = raw.strip(_ASCII_EDGES)
    if not text:
        raise LinkError("it is empty")
    if len(text) > MAX_LENGTH:
        raise LinkError(f"it is longer than {MAX_LENGTH} characters")
    _refuse_characters(text)
    try:
        url = URL(text)
    except ValueError:
        raise LinkError("it is not a valid web address") from None
    if url.protocol not in SCHEMES:
        raise LinkError(f"only https and http links are allowed, not {url.protocol.rstrip(':') or 'none'}")
    if url.username or url.password:
        raise LinkError("it carries a user name or password before the host, a trick used to disguise links")
    host = url.hostname.rstrip(".")
    if not host:
        raise LinkError("it names no host")
    if host.startswith("[") or _is_ip(host):
        raise LinkError("its host is a bare IP address, not a site name")
    if "." not in host or host.startswith(".") or ".." in host:
        raise LinkError(f"{host!r} is not a public site name")
    if url.hostname != host:
        url.hostname = host  # drop the trailing dot: one form for one site
    href = url.href
    # Defence in depth: the server-side parser must see the same host as the browser.
    check = urlsplit(href)
    if (check.hostname or "") != host or check.username or check.password:
        raise LinkError("browsers and servers would disagree about its host")
    if len(href) > MAX_LENGTH:
        raise LinkError(f"it is longer than {MAX_LENGTH} characters once normalised")
    return Link(href=href, host=host)


# A link's start up to its path: scheme, "//", and an authority that is only a plain host name
# (letters, digits, dots and hyphens) with perhaps a port. Nothing else may be repaired around.
_PLAIN_START = re.compile(r"(?i)(https?://[a-z0-9.-]+(?::[0-9]{1,5})?)(/[^?#]*)([?#].*)?", re.DOTALL)
_PATH_SPACE = re.compile(r"[ \t\u00a0]+")


def path_whitespace_removed(raw: str) -> str | None:
    """``raw`` with the spaces (and tabs, no-break spaces) inside its *path* removed, or None
    when there are none there or the link is not plain enough to repair.

    Feeds paste meeting numbers with a space in them (``https://zoom.us/j/ 82580004937``). The
    repair never reaches the host: the scheme and host must be plain ASCII (no user name, no
    backslash, no space), they are kept byte for byte, and a query or fragment with whitespace
    is not repaired (a password could change). The caller judges the result again with
    ``web_link`` and checks the host is the one it started from.
    """
    match = _PLAIN_START.fullmatch(raw.strip(_ASCII_EDGES))
    if not match or not _PATH_SPACE.search(match[2]):
        return None
    rest = match[3] or ""
    if _PATH_SPACE.search(rest):
        return None
    return match[1] + _PATH_SPACE.sub("", match[2]) + rest


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def safe_href(raw: object) -> str | None:
    """The normalised link, or None: for templates and exports that must never emit a bad href."""
    if not raw:
        return None
    try:
        return web_link(str(raw)).href
    except LinkError:
        return None


def host_matches(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or a subdomain of it (``us02web.zoom.us`` for ``zoom.us``)."""
    return host == domain or host.endswith("." + domain)
