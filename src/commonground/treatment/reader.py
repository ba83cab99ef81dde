"""Read FindTreatment.gov's public export (``locator/exportsAsJson/v2``): every page, then the rows.

A page is a JSON object: ``page``, ``totalPages``, ``recordCount`` and ``rows``. From a URL, the
first page says how many there are, and each further page is asked for with ``page=N`` (one
request at a time, politely: ``feeds/polite.py``); every page is read before any row is used, so a
failed page fails the source and keeps what was stored. From a file: one such page object, a JSON
list of them, or a bare list of rows (a fixture, or pages saved by hand).

A location may end in ``#state=NY``: only that state's rows are kept (and, from a URL, the state
is the only one asked for, where its code is known: ``STATE_IDS``). The fragment is never sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings

from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import is_url, open_body

MAX_PAGES = 2000


@dataclass
class Export:
    rows: list = field(default_factory=list)
    record_count: int | None = None  # what the export said it holds
    digests: list[str] = field(default_factory=list)
    state: str = ""


def split_location(location: str) -> tuple[str, str]:
    """(where, state) from ``where#state=XX``."""
    where, _, fragment = location.partition("#")
    state = dict(parse_qsl(fragment)).get("state", "").strip().upper()
    if state and not (len(state) == 2 and state.isascii() and state.isalpha()):
        raise FeedError("options", f"--state takes a two-letter state or territory code, not {state[:10]!r}.")
    return where, state


def read(location: str) -> Export:
    where, state = split_location(location)
    export = Export(state=state)
    if is_url(where):
        _read_pages(_with_page(where, 1), export)
    else:
        _take(_load(where), where, export, first=True)
    if state:
        export.rows = [r for r in export.rows if not isinstance(r, dict) or str(r.get("state", "")).upper() == state]
    return export


def _read_pages(first_url: str, export: Export) -> None:
    total = _take(_load(first_url), first_url, export, first=True)
    for number in range(2, min(total, MAX_PAGES) + 1):
        url = _with_page(first_url, number)
        try:
            _take(_load(url), url, export, first=False)
        except FeedError as exc:
            raise FeedError(
                exc.code, f"{exc.message} (page {number} of {total}: nothing was imported)", retry_after=exc.retry_after
            ) from None


def _with_page(url: str, number: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    if not any(k == "pageSize" for k, _ in query):
        query.append(("pageSize", str(settings.TREATMENT_PAGE_SIZE)))
    query.append(("page", str(number)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _load(where: str):
    body = open_body(where)
    try:
        raw = body.read_all()
        digest = body.digest
    finally:
        body.close()
    try:
        return json.loads(raw.decode("utf-8-sig")), digest
    except UnicodeDecodeError:
        raise FeedError("encoding", f"{where} is not UTF-8 text.") from None
    except ValueError:
        raise FeedError("syntax", f"{where} is not JSON (FindTreatment.gov's export is a JSON object).") from None


def _take(loaded, where: str, export: Export, *, first: bool) -> int:
    """Add a page's rows; the number of pages the export has (1 for a file)."""
    data, digest = loaded
    export.digests.append(digest)
    pages = data if isinstance(data, list) and data and all(isinstance(p, dict) and "rows" in p for p in data) else None
    if pages is not None:  # a file of saved pages
        for page in pages:
            _page(page, where, export, first=first and page is pages[0])
        return 1
    if isinstance(data, list):  # a bare list of rows
        export.rows.extend(data)
        export.record_count = len(data) if first else export.record_count
        return 1
    return _page(data, where, export, first=first)


def _page(data, where: str, export: Export, *, first: bool) -> int:
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise FeedError("shape", f"{where} should be an export page: a JSON object with a list of rows.")
    export.rows.extend(data["rows"])
    count = data.get("recordCount")
    if first and isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        export.record_count = count
    total = data.get("totalPages")
    return total if isinstance(total, int) and not isinstance(total, bool) and total > 0 else 1
