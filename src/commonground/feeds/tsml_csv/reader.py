"""TSML / Google Sheets CSV: one meeting per line, headers in plain English, in any order.

Headers are matched case-insensitively after turning spaces into underscores ("Conference URL"
-> conference_url). ``ID`` is the slug, as in the Sheets template; TSML's aliases (zip, meeting,
location_name, start_time) are accepted. Types may be names ("Open, Wheelchair Access") or codes.
"""

from __future__ import annotations

import csv
import io
import re

from commonground.feeds.base import Feed, digest
from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import decode_text, read_bytes

ALIASES = {
    "id": "slug", "zip": "postal_code", "zip_code": "postal_code", "postal": "postal_code", "meeting": "name",
    "meeting_name": "name", "location_name": "location", "start_time": "time", "start": "time", "end": "end_time",
    "state_province": "state", "province": "state", "sub_region": "sub_region", "time_zone": "timezone",
}
# A single "Address" column holding a full address ("2634 Union Ave, San Jose, CA 95124, USA").
FULL_ADDRESS = re.compile(r",.*,")


def _header(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def parse(body: bytes, location: str) -> Feed:
    text = decode_text(body, location)
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise FeedError("syntax", f"{location} is not valid CSV: {exc}.") from None
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise FeedError("shape", f"{location} is empty.")
    headers = [_header(h) for h in table[0]]
    missing = [name for name in ("name",) if name not in headers]
    if missing or ("day" not in headers and "time" not in headers):
        raise FeedError(
            "shape",
            f"{location} does not look like a meeting sheet: the first row must name the columns, "
            f"including Name, Day and Time (found: {', '.join(table[0][:8]) or 'nothing'}).",
        )
    rows = []
    for line in table[1:]:
        record = {}
        for header, cell in zip(headers, line, strict=False):
            cell = cell.strip()
            if header and cell:
                record[header] = cell
        rows.append(_reshape(record))
    return Feed(rows=rows, digest=digest(body))


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
    return parse(read_bytes(location), location)
