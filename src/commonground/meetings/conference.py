"""Known online-meeting providers: a conference URL is trusted only when its host is one of them.

The list is the one TSML, TSML UI, Central and online-meeting-list share (21 domains). A host
matches when it *is* the domain or ends with "." + the domain, so ``us02web.zoom.us`` is Zoom but
``notzoom.us`` is not.
"""

from __future__ import annotations

import re
from functools import lru_cache

from commonground.meetings.links import Link, LinkError, host_matches, path_whitespace_removed, web_link

PROVIDERS: dict[str, str] = {
    "bluejeans.com": "BlueJeans",
    "discord.gg": "Discord",
    "freeconference.com": "Free Conference",
    "freeconferencecall.com": "FreeConferenceCall",
    "goto.com": "GoTo",
    "gotomeet.me": "GoTo",
    "gotomeeting.com": "GoTo",
    "horizon.meta.com": "Meta Horizon",
    "maps.secondlife.com": "Second Life",
    "meet.google.com": "Google Meet",
    "meet.jit.si": "Jitsi",
    "meetings.dialpad.com": "Dialpad",
    "signal.group": "Signal",
    "skype.com": "Skype",
    "slurl.com": "Second Life",
    "teams.live.com": "Microsoft Teams",
    "teams.microsoft.com": "Microsoft Teams",
    "vrchat.com": "VRChat",
    "webex.com": "WebEx",
    "zoho.com": "Zoho",
    "zoom.us": "Zoom",
}


# Synthetic demo meetings link to a known provider (so every Meeting Guide client counts them as
# online meetings), with a meeting number Zoom never issues: all zeros opens no meeting at all.
# Our own pages mark them as demo listings by their source.
DEMO_CONFERENCE_URL = "https://zoom.us/j/00000000000"


def provider_for(url: str) -> str | None:
    """The provider label for a conference URL, or None when the host is not a known provider.

    The host is the one a browser would go to (see ``links.web_link``), never Python's guess.
    """
    try:
        link = web_link(url)
    except LinkError:
        return None
    return provider_for_host(link.host)


def conference_link(raw: str) -> tuple[Link, str]:
    """(the link, a note of any repair) for a feed's conference URL; LinkError when refused.

    A link refused only for whitespace inside its path (``https://zoom.us/j/ 82580004937``) is
    repaired when its host is a known provider: the repaired link is judged again from scratch,
    and kept only if a browser would go to the same host, a known provider's. The note says what
    was changed, for the import report. A link to an unknown host is returned unrepaired (the
    caller refuses it as before).
    """
    try:
        return web_link(raw), ""
    except LinkError as refused:
        fixed = path_whitespace_removed(raw) if isinstance(raw, str) else None
        if fixed is None:
            raise
        try:
            link = web_link(fixed)
        except LinkError:
            raise refused from None
        start = fixed.split("//", 1)[1].split("/", 1)[0].split(":", 1)[0].lower().rstrip(".")
        if link.host != start or not provider_for_host(link.host):
            raise refused from None
        return link, f"removed the spaces inside its path (repaired to {link.href})"


@lru_cache(maxsize=4096)
def provider_for_host(host: str) -> str | None:
    for domain, label in PROVIDERS.items():
        if host_matches(host, domain):
            return label
    return None


def clean_phone(raw: str) -> str:
    """Keep what a phone dials: digits, a leading +, and , * # for one-tap codes."""
    raw = raw.strip()
    kept = re.sub(r"[^0-9,*#+]", "", raw)
    return ("+" if kept.startswith("+") else "") + kept.replace("+", "")


def is_dialable(phone: str) -> bool:
    # TSML UI requires at least 10 usable characters after cleaning.
    return len(clean_phone(phone)) >= 10
