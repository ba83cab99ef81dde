"""Every feed format we read, in one plain mapping: name -> module with ``read(location)``."""

from __future__ import annotations

from pathlib import Path

from commonground.feeds.bmlt import export_files
from commonground.feeds.bmlt import reader as bmlt
from commonground.feeds.fetch import is_url
from commonground.feeds.meeting_guide import reader as meeting_guide
from commonground.feeds.tsml_csv import reader as tsml_csv

FORMATS = {
    "meeting-guide": meeting_guide,
    "csv": tsml_csv,
    "bmlt": bmlt,
    "bmlt-export-root": export_files,  # one root's file of the export, read as its own source
}
# The formats a person names (`import --format`, a registry entry): the readers above, and the
# BMLT export, a source made of one source per root (feeds.bmlt.export syncs it).
# FindTreatment.gov's export holds treatment facilities, not meetings: treatment/sync.py syncs it.
FORMAT_NAMES = ("meeting-guide", "csv", "bmlt", "bmlt-export", "findtreatment")


def guess_format(location: str) -> str:
    """Pick a format from the location's shape (and, for local files, the first byte)."""
    lower = location.lower()
    if lower.split("?")[0].endswith("manifest.json"):
        return "bmlt-export"
    if "findtreatment" in lower or "exportsasjson" in lower:
        return "findtreatment"
    if is_url(location):
        if "client_interface" in lower or "switcher=" in lower or "bmlt" in lower or "main_server" in lower:
            return "bmlt"
        if lower.split("?")[0].endswith((".csv", ".tsv")) or "format=csv" in lower or "output=csv" in lower:
            return "csv"
        return "meeting-guide"
    path = Path(location)
    if path.is_dir():
        return "bmlt"
    if path.suffix.lower() in (".csv", ".tsv"):
        return "csv"
    if path.suffix.lower() == ".json":
        return "meeting-guide"
    try:
        with open(path, "rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return "meeting-guide"  # the reader reports the missing file properly
    return "meeting-guide" if head[:1] in (b"[", b"{") else "csv"
