"""The feed address to give TSML UI's ``data-src``.

TSML UI 1.8 reads ``data-src`` as a comma-separated list of feeds (it splits on every ","), so
an address holding a raw comma (``near=Denver, CO``) becomes two broken addresses and the page
shows "Loading error". Every parameter value is therefore percent-encoded, commas included
(``near=Denver%2C%20CO``), which our feed decodes as usual.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode


def tsml_ui_src(feed_url: str, **params: str | int | float) -> str:
    """``feed_url`` with the narrowing ``params`` (program, source, region, near, radius_km ...),
    safe for TSML UI's ``data-src``: no raw comma anywhere."""
    if "," in feed_url:
        feed_url = feed_url.replace(",", "%2C")
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")}, quote_via=quote, safe="")
    if not query:
        return feed_url
    return f"{feed_url}{'&' if '?' in feed_url else '?'}{query}"
