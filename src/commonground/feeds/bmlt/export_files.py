"""The files of BMLT's daily aggregator export: its manifest, and one root's meetings.

The export (``https://cdn.aws.bmlt.app/aggregator/``, described in ``docs/responsible-use.md`` of
``bmlt-enabled/aggregator``, read 2026-12-07) holds ``manifest.json``, ``meetings.ndjson.gz``, one
``meetings/root-<id>.ndjson.gz`` per root server (each line exactly a ``GetSearchResults`` row),
``formats.json.gz`` and ``service_bodies.json.gz``. The guide names the manifest's
``schema_version`` and ``stale_root_servers`` and says it lists each file with its size, SHA-256
and record count, and each root's last successful import. The other field names are not in any
public material we could read, so ``read_manifest`` accepts the plain spellings (``files`` as a
list or a mapping by path; ``sha256`` or ``checksum``; ``records`` or ``record_count``;
``root_servers`` with ``id``, ``name``, ``lastSuccessfulImport``) and says what it could not find.

A root's file is read as a source of its own (``bmlt-export-root``): its location is the file's
URL (or path) with the manifest's checksum and record count after ``#`` (never sent to the
server), so the body is checked against the manifest before a row is read. The formats and
service bodies are read once per export sync (``shared_lists``) and filtered to the root.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin

from django.conf import settings

from commonground.feeds.base import Feed, digest
from commonground.feeds.bmlt.reader import parse_answers
from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import Body, is_url, open_body

SCHEMA_VERSIONS = {1, "1"}  # the layouts this reader knows
GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class RootFile:
    id: str
    path: str  # relative to the manifest: "meetings/root-12.ndjson.gz"
    sha256: str = ""
    records: int | None = None
    name: str = ""
    last_import: str = ""
    stale: bool = False


@dataclass
class Manifest:
    location: str
    schema_version: object
    roots: list[RootFile] = field(default_factory=list)
    digest: str = ""

    def url_of(self, path: str) -> str:
        if is_url(self.location):
            return urljoin(self.location, path)
        return str(Path(self.location).parent / path)


def read_manifest(location: str) -> Manifest:
    """The manifest at ``location`` (its URL, or a local ``manifest.json``); FeedError if unusable."""
    body = open_body(location)
    try:
        raw = body.read_all()
    finally:
        body.close()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise FeedError("syntax", f"{location} is not a JSON manifest.") from None
    if not isinstance(data, dict):
        raise FeedError("shape", f"{location} should hold a JSON object (the export's manifest).")
    version = data.get("schema_version")
    if version not in SCHEMA_VERSIONS:
        raise FeedError(
            "shape",
            f"{location} has schema_version {str(version)[:20]!r}; this version of Common Ground reads "
            f"{', '.join(sorted(map(str, SCHEMA_VERSIONS)))}. The export's layout changed: nothing was imported.",
        )
    manifest = Manifest(location, version, digest=hashlib.sha256(raw).hexdigest())
    files = _files(data.get("files"))
    stale = {_id(s) for s in data.get("stale_root_servers") or [] if _id(s)}
    for root in data.get("root_servers") or []:
        ident = _id(root)
        if not ident:
            continue
        path = f"meetings/root-{ident}.ndjson.gz"
        info = files.get(path, {})
        manifest.roots.append(
            RootFile(
                id=ident,
                path=path,
                sha256=str(info.get("sha256") or info.get("checksum") or "").lower(),
                records=_whole(info.get("records", info.get("record_count"))),
                name=str(root.get("name") or "")[:150] if isinstance(root, dict) else "",
                last_import=str(root.get("lastSuccessfulImport") or "") if isinstance(root, dict) else "",
                stale=ident in stale,
            )
        )
    listed = {r.id for r in manifest.roots}
    for path, info in files.items():  # a root with a file but missing from root_servers
        if path.startswith("meetings/root-") and path.endswith(".ndjson.gz"):
            ident = path[len("meetings/root-") : -len(".ndjson.gz")]
            if ident.isdigit() and ident not in listed:
                sha = str(info.get("sha256") or info.get("checksum") or "").lower()
                records = _whole(info.get("records", info.get("record_count")))
                manifest.roots.append(RootFile(ident, path, sha, records, stale=ident in stale))
    if not manifest.roots:
        raise FeedError("shape", f"{location} lists no root servers' files; nothing was imported.")
    return manifest


def _files(value) -> dict[str, dict]:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, dict)}
    if isinstance(value, list):
        return {
            str(f.get("path") or f.get("name") or f.get("file")): f
            for f in value
            if isinstance(f, dict) and (f.get("path") or f.get("name") or f.get("file"))
        }
    return {}


def _id(value) -> str:
    raw = value.get("id", value.get("root_server_id")) if isinstance(value, dict) else value
    text = str(raw).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    return text if text.isascii() and text.isdigit() else ""


def _whole(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# --- one root's file --------------------------------------------------------------------------


def root_location(manifest: Manifest, root: RootFile) -> str:
    """Where a root's file is, with what the manifest says of it after ``#``."""
    facts = [("sha256", root.sha256)] if root.sha256 else []
    if root.records is not None:
        facts.append(("records", str(root.records)))
    facts.append(("root", root.id))
    return f"{manifest.url_of(root.path)}#{urlencode(facts)}"


_shared: ContextVar[dict | None] = ContextVar("commonground_bmlt_export_lists", default=None)


@contextmanager
def shared_lists():
    """Read the export's formats and service bodies once for every root synced in this block."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def read(location: str) -> Feed:
    """One root's meetings, checked against the manifest's checksum and record count."""
    where, _, fragment = location.partition("#")
    facts = dict(parse_qsl(fragment))
    body = open_body(where)
    try:
        raw_gzip = body.file.read(2) == GZIP_MAGIC
        body.file.seek(0)
        expected = facts.get("sha256", "")
        if expected and raw_gzip and body.digest != expected:
            raise FeedError(
                "checksum",
                f"{where} does not match the manifest's SHA-256 (the file changed or was cut short "
                "while we read it); nothing was imported. The next sync tries again.",
            )
        rows = list(_lines(body, where, raw_gzip))
    finally:
        body.close()
    records = facts.get("records", "")
    if records.isdigit() and int(records) != len(rows):
        raise FeedError(
            "checksum",
            f"{where} holds {len(rows):,} meetings where the manifest says {int(records):,}; nothing was imported.",
        )
    root = facts.get("root", "")
    formats, bodies, lists_digest = _lists(where, root)
    feed = parse_answers(rows, formats, bodies)
    feed.digest = digest(body.digest, lists_digest)
    return feed


def _lines(body: Body, where: str, raw_gzip: bool):
    """Each line's JSON object (a line that is not one is handed on as text, and skipped by the
    row checks with a reason); no more than FEED_MAX_BYTES however well the file compresses."""
    stream = gzip.GzipFile(fileobj=body.file, mode="rb") if raw_gzip else body.file
    limit, size = settings.FEED_MAX_BYTES, 0
    try:
        for line in stream:
            size += len(line)
            if size > limit:
                raise FeedError("too-large", f"{where} unpacks to more than {limit:,} bytes (FEED_MAX_BYTES).")
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except (ValueError, UnicodeDecodeError):
                yield line[:200].decode("utf-8", "replace")
    except (OSError, EOFError, zlib.error):
        raise FeedError("encoding", f"{where} is a damaged gzip file; nothing was imported.") from None


def _lists(where: str, root: str) -> tuple[list, list, str]:
    """The root's formats and service bodies, from the export's shared files (read once per sync)."""
    cache = _shared.get()
    base = urljoin(where, "../") if is_url(where) else str(Path(where).parent.parent) + "/"
    out, digests = [], []
    for name in ("formats.json.gz", "service_bodies.json.gz"):
        location = base + name
        if cache is not None and location in cache:
            rows, sha = cache[location]
        else:
            rows, sha = _json_list(location)
            if cache is not None:
                cache[location] = (rows, sha)
        mine = [r for r in rows if not isinstance(r, dict) or str(r.get("root_server_id", root)) == root]
        out.append(mine)
        digests.append(sha)
    return out[0], out[1], digest(*digests)


def _json_list(location: str) -> tuple[list, str]:
    """A gzipped (or plain) JSON list; an export without the file gives an empty list."""
    try:
        body = open_body(location)
    except FeedError as exc:
        if exc.code in ("not-found", "http"):
            return [], ""
        raise
    try:
        data = body.read_all()
    finally:
        body.close()
    try:
        if data[:2] == GZIP_MAGIC:
            data = gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb").read(settings.FEED_MAX_BYTES + 1)
        parsed = json.loads(data.decode("utf-8-sig"))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError):
        raise FeedError("syntax", f"{location} is not a JSON list (gzipped or not).") from None
    return (parsed if isinstance(parsed, list) else []), hashlib.sha256(data).hexdigest()
