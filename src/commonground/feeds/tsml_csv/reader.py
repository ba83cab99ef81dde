"""TSML / Google Sheets CSV: one meeting per line, headers in plain English, in any order.

Headers are matched case-insensitively after turning spaces into underscores ("Conference URL"
-> conference_url). ``ID`` is the slug, as in the Sheets template; TSML's aliases (zip, meeting,
location_name, start_time) are accepted. Types may be names ("Open, Wheelchair Access") or codes.
Lines are read one at a time, so a sheet of any size is parsed in bounded memory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re

from commonground.feeds.base import Feed
from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import Body, open_body

ALIASES = {
    "id": "slug",
    "zip": "postal_code",
    "zip_code": "postal_code",
    "postal": "postal_code",
    "meeting": "name",
    "meeting_name": "name",
    "location_name": "location",
    "start_time": "time",
    "start": "time",
    "end": "end_time",
    "state_province": "state",
    "province": "state",
    "sub_region": "sub_region",
    "time_zone": "timezone",
}
# Columns a meeting sheet is recognised by (what we report when they are missing: never the
# file's own first line, which might be anything at all).
KNOWN = {
    "name",
    "day",
    "time",
    "end_time",
    "slug",
    "address",
    "city",
    "state",
    "postal_code",
    "types",
    "notes",
    "location",
    "timezone",
    "conference_url",
    "conference_phone",
    "formatted_address",
    "region",
    "country",
}
# A single "Address" column holding a full address ("2634 Union Ave, San Jose, CA 95124, USA").
FULL_ADDRESS = re.compile(r",.*,")


def _header(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def parse(body: bytes | Body, location: str) -> Feed:
    if isinstance(body, bytes | bytearray):
        body = Body(io.BytesIO(body), hashlib.sha256(body).hexdigest(), len(body), location)
    body.file.seek(0)
    text = io.TextIOWrapper(body.file, encoding="utf-8-sig", newline="")
    lines = csv.reader(text, strict=True)
    headers = None
    try:
        for line in lines:
            if any(cell.strip() for cell in line):
                headers = [_header(h) for h in line]
                break
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _error(location, exc) from None
    if headers is None:
        raise FeedError("shape", f"{location} is empty.")
    if "name" not in headers or ("day" not in headers and "time" not in headers):
        found = sorted(KNOWN.intersection(headers))
        raise FeedError(
            "shape",
            f"{location} does not look like a meeting sheet: the first row must name the columns, "
            f"including Name, Day and Time (recognised: {', '.join(found) or 'none of them'}).",
        )
    return Feed(rows=_rows(lines, headers, location), digest=body.digest, closers=[text.detach, body.close])


def _rows(lines, headers: list[str], location: str):
    try:
        for line in lines:
            if not any(cell.strip() for cell in line):
                continue
            record = {}
            for header, cell in zip(headers, line, strict=False):
                cell = cell.strip()
                if header and cell:
                    record[header] = cell
            yield _reshape(record)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _error(location, exc) from None


def _error(location: str, exc: Exception) -> FeedError:
    if isinstance(exc, UnicodeDecodeError):
        return FeedError("encoding", f"{location} is not UTF-8 text. Save or serve the sheet as UTF-8.")
    return FeedError("syntax", f"{location} is not valid CSV: {exc}.")


def _reshape(record: dict) -> dict:
    address = record.get("address", "")
    if address and "city" not in record and FULL_ADDRESS.search(address):
        record["formatted_address"] = record.pop("address")
    if "types" in record:
        record["types"] = [t.strip() for t in record["types"].split(",") if t.strip()]
    if "regions" in record:
        record["regions"] = [r.strip() for r in record["regions"].split(">") if r.strip()]
    if "languages" in record:
        record["languages"] = [lang.strip() for lang in record["languages"].split(",") if lang.strip()]
    return record


def read(location: str) -> Feed:
    return parse(open_body(location), location)
