"""Our Meeting Guide feed as files: built once per data version, outside any request.

Rendering the whole feed inside a request took a time that grew with the meetings and tied up
the workers that answer searches. Now one process writes, in a single pass over the meetings,
every variant that is served (all meetings, and one per program for ``?program=``), each plain
and gzipped, into a folder for the version that is renamed into place when complete. The view
only picks a file and streams it, with an ETag per variant.

Folder: ``<runtime>/published/v<version>-<stamp>/``; the newest few are kept.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
from django.conf import settings
from django.db import connections

from commonground.catalog.models import Program
from commonground.feeds.meeting_guide.selection import FeedSelection
from commonground.feeds.meeting_guide.writer import feed_queryset, meeting_to_feed
from commonground.meetings.bulk import id_ranges
from commonground.meetings.models import DataVersion
from commonground.runtime import install_folder, runtime_dir, staging_folder

log = logging.getLogger(__name__)
KEEP = 3
ALL = "all"
BATCH = 2000
# Set by ``web.publishing`` in web workers: asks a separate process to publish the current version.
request_build: Callable[[], object] | None = None


@dataclass
class PublishedFeed:
    version: str  # "v12-1764230000000"
    variant: str  # "all" or a program code
    path: Path
    gzip_path: Path
    etag: str
    built_at: float


def _file_name(variant: str) -> str:
    return "meeting-guide.json" if variant == ALL else f"meeting-guide-{variant}.json"


def build(version: tuple) -> Path:
    """Write every variant of the feed for ``version``; returns the folder (kept if it exists)."""
    target = runtime_dir("published") / DataVersion.label(version)
    if (target / "manifest.json").exists():
        return target
    started = time.perf_counter()
    tmp = staging_folder(target)
    variants = [ALL, *Program.objects.order_by("code").values_list("code", flat=True)]
    ranges = id_ranges(min(os.cpu_count() or 1, 4), settings.PUBLISH_PARALLEL_ROWS)
    if ranges:
        counts = _write_in_parts(tmp, variants, ranges)
    else:
        with _Writers(tmp, variants) as writers:
            for meeting in feed_queryset():
                writers.add(meeting.program_id, _line(meeting))
        counts = writers.counts
    manifest = {"version": DataVersion.label(version), "built_at": time.time(), "counts": counts}
    (tmp / "manifest.json").write_text(json.dumps(manifest))
    install_folder(tmp, target)
    _prune()
    log.info(
        "feed for %s published: %s meetings in %.2f s", manifest["version"], counts[ALL], time.perf_counter() - started
    )
    return target


def _line(meeting) -> bytes:
    # orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":")) does, faster.
    return orjson.dumps(meeting_to_feed(meeting))


class _Writers:
    """Every variant's file, plain and gzipped, written a batch of lines at a time."""

    def __init__(self, folder: Path, variants: list[str]):
        self.folder, self.variants = folder, variants
        self.counts = dict.fromkeys(variants, 0)
        self.pending: dict[str, list[bytes]] = {v: [] for v in variants}

    def __enter__(self):
        self.plain = {v: open(self.folder / _file_name(v), "wb") for v in self.variants}  # noqa: SIM115
        # Level 5: nearly level 9's size, at a third of its time.
        self.packed = {
            v: gzip.GzipFile(self.folder / (_file_name(v) + ".gz"), "wb", compresslevel=5, mtime=0)
            for v in self.variants
        }
        self._write_all(b"[")
        return self

    def add(self, program: str, line: bytes) -> None:
        """One meeting's line, in the feed of all and in its program's."""
        for variant in (ALL, program):
            self.pending[variant].append((b",\n" if self.counts[variant] else b"\n") + line)
            self.counts[variant] += 1
            if len(self.pending[variant]) >= BATCH:
                self._flush(variant)

    def _flush(self, variant: str) -> None:
        chunk = b"".join(self.pending[variant])
        self.plain[variant].write(chunk)
        self.packed[variant].write(chunk)
        self.pending[variant].clear()

    def _write_all(self, data: bytes) -> None:
        for handle in (*self.plain.values(), *self.packed.values()):
            handle.write(data)

    def __exit__(self, exc_type, *exc) -> None:
        try:
            if exc_type is None:
                for variant in self.variants:
                    self._flush(variant)
                self._write_all(b"\n]\n")
        finally:
            for handle in (*self.plain.values(), *self.packed.values()):
                handle.close()


def _write_part(args) -> dict[str, int]:
    """A forked child: the lines of one id range, per variant, joined by ",\n" into part files."""
    folder, index, lo, hi, variants = args
    try:
        counts = dict.fromkeys(variants, 0)
        files = {v: open(folder / f".part{index}.{v}", "wb") for v in variants}  # noqa: SIM115
        try:
            for meeting in FeedSelection(id_range=(lo, hi)).rows():
                line = _line(meeting)
                for variant in (ALL, meeting.program_id):
                    files[variant].write((b",\n" if counts[variant] else b"") + line)
                    counts[variant] += 1
        finally:
            for handle in files.values():
                handle.close()
        return counts
    finally:
        connections.close_all()


def _write_in_parts(folder: Path, variants: list[str], ranges) -> dict[str, int]:
    """The feed written by one forked process per id range (the lines are most of the work),
    then joined in id order, and gzipped, here: the very bytes one process writes."""
    connections.close_all()  # children must never share the parent's connection
    with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
        parts = pool.map(_write_part, [(folder, i, lo, hi, variants) for i, (lo, hi) in enumerate(ranges)])
    counts = dict.fromkeys(variants, 0)
    for variant in variants:
        with (
            open(folder / _file_name(variant), "wb") as plain,
            gzip.GzipFile(folder / (_file_name(variant) + ".gz"), "wb", compresslevel=5, mtime=0) as packed,
        ):

            def write(data: bytes) -> None:
                plain.write(data)
                packed.write(data)

            write(b"[")
            for i, part in enumerate(parts):
                path = folder / f".part{i}.{variant}"
                if part[variant]:
                    write(b",\n" if counts[variant] else b"\n")
                    with open(path, "rb") as piece:
                        while block := piece.read(1 << 20):
                            write(block)
                    counts[variant] += part[variant]
                path.unlink()
            write(b"\n]\n")
    return counts


def _folders() -> list[Path]:
    root = runtime_dir("published")
    found = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").exists()]
    return sorted(found, key=lambda p: (p / "manifest.json").stat().st_mtime, reverse=True)


def find(variant: str, version: tuple | None = None) -> PublishedFeed | None:
    """The published file for ``variant``: of ``version`` if given and built, else the newest one."""
    folders = _folders()
    if version is not None:
        exact = runtime_dir("published") / DataVersion.label(version)
        if (exact / "manifest.json").exists():
            folders = [exact, *folders]
    for folder in folders:
        path = folder / _file_name(variant)
        if path.exists():
            manifest = json.loads((folder / "manifest.json").read_text())
            return PublishedFeed(
                folder.name,
                variant,
                path,
                path.with_name(path.name + ".gz"),
                f'"mg-{folder.name}-{variant}"',
                manifest["built_at"],
            )
    return None


def filtered(version: tuple, selection, key: str) -> PublishedFeed:
    """A narrowed feed (by source, region or place), written once per version and kept with it.

    Narrowed feeds are small and built on their first request, from the same fast reader; every
    later request for the same filters is a file, like the full feed.
    """
    folder = runtime_dir("published") / "filtered" / DataVersion.label(version)
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:20]
    path = folder / f"{name}.json"
    if not path.with_name(path.name + ".gz").exists():
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        count = 0
        with open(tmp, "wb") as plain:
            plain.write(b"[")
            for meeting in selection:
                plain.write((b",\n" if count else b"\n") + _line(meeting))
                count += 1
            plain.write(b"\n]\n")
        with open(tmp, "rb") as source, gzip.GzipFile(str(tmp) + ".gz", "wb", compresslevel=5, mtime=0) as packed:
            shutil.copyfileobj(source, packed)
        os.replace(tmp, path)
        os.replace(str(tmp) + ".gz", path.with_name(path.name + ".gz"))
    return PublishedFeed(
        DataVersion.label(version),
        key,
        path,
        path.with_name(path.name + ".gz"),
        f'"mg-{DataVersion.label(version)}-{name}"',
        path.stat().st_mtime,
    )


def current_version() -> tuple:
    return DataVersion.current_with_time()


def _prune() -> None:
    for old in _folders()[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
    kept = {p.name for p in _folders()}
    filtered = runtime_dir("published") / "filtered"
    if filtered.exists():
        for old in filtered.iterdir():
            if old.name not in kept:
                shutil.rmtree(old, ignore_errors=True)
    for tmp in runtime_dir("published").glob(".*.tmp"):
        if time.time() - tmp.stat().st_mtime > 3600:
            shutil.rmtree(tmp, ignore_errors=True)
