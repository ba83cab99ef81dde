"""The BMLT answers' material, built once per data version outside requests, memory-mapped by workers.

A request used to read every public meeting and turn each into BMLT's shape, even for
``page_size=1``, in a time that grew with the meetings. Now ``commonground publish`` (``web/publishing.py``)
writes, per version, each public meeting's BMLT object as bytes, and the columns the filters and
sorts read, into a folder of ``.npy`` arrays and blobs, renamed into place when complete. A
request filters and sorts the columns with numpy and renders only its page (``search.py``).

Which meetings are public is ``meetings/public.py``'s rule, read through the feed's selection
(``FeedSelection(inactive=False)``); ``search.bmlt_items`` gives each its items: a scheduled meeting
once, and each 24/7 group once per weekday.
Service bodies are our sources, and under a source the service bodies it has itself (a BMLT
server's areas), so a client can ask for one area.

Each meeting's object is stored without its two server-relative fields and its closing brace;
``root_server_uri`` and ``meeting_url`` are added at answer time, since they name the host the
client asked (``line``).

Folder: ``<runtime>/bmlt/v<version>-<stamp>/``; the newest few are kept.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import mmap
import shutil
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import orjson
from django.conf import settings

from commonground.api.bmlt import formats as bmlt_formats
from commonground.catalog.models import Program
from commonground.feeds.meeting_guide.selection import FeedSelection
from commonground.meetings.models import DataVersion, Source
from commonground.meetings.public import disconnected
from commonground.runtime import folder_format, install_folder, runtime_dir, staging_folder
from commonground.search.build import Texts

log = logging.getLogger(__name__)
FORMAT = 7
KEEP = 3
# Text fields kept as a rank per meeting (the casefolded value's place in sorted order), so an
# answer can be sorted by them without reading any meeting. Numbers and times are columns.
RANKED = (
    "meeting_name",
    "location_municipality",
    "location_province",
    "location_text",
    "location_street",
    "location_postal_code_1",
    "location_nation",
    "time_zone",
    "duration_time",
    "lang_enum",
    "formats",
)
NUMERIC = ("pid", "source", "body", "program", "weekday", "minute", "venue", "lat", "lng")
# The fields SearchString looks in: each field's distinct values kept once (casefolded), and per
# meeting the number of its value ("text_name" ...), so a word is looked for in a few small blobs.
SEARCHED = ("name", "location", "address", "city", "notes")


def folder_for(version: tuple) -> Path:
    return runtime_dir("bmlt") / DataVersion.label(version)


def build(version: tuple) -> Path:
    """Write the material for ``version`` (kept if it is already there); returns its folder."""
    from commonground.api.bmlt.search import bmlt_items, service_body  # the one place a meeting takes BMLT's shape

    target = folder_for(version)
    if folder_format(target) == FORMAT:
        return target
    started = time.perf_counter()
    programs = list(Program.objects.order_by("code").values_list("code", flat=True))
    program_at = {code: i for i, code in enumerate(programs)}
    slugs = dict(Source.objects.values_list("id", "slug"))
    columns = {name: [] for name in NUMERIC}
    ranks: dict[str, dict[str, int]] = {name: {} for name in RANKED}
    codes = {name: [] for name in RANKED}
    format_ids, format_offsets = [], [0]
    lines, paths = [], []
    texts: dict[str, dict[str, int]] = {f: {} for f in SEARCHED}
    text_at: dict[str, list[int]] = {f: [] for f in SEARCHED}
    bodies: dict[int, tuple[int, str]] = {}  # a source's own service body -> (source, name)
    source_formats: dict[str, bmlt_formats.Format] = {}  # a BMLT server's own formats (formats.py)
    for m in FeedSelection(inactive=False):
        body, body_name = service_body(m, slugs.get(m.source_id, ""))
        items = bmlt_items(m, slugs.get(m.source_id, ""), "")
        if items and body != m.source_id:
            bodies.setdefault(body, (m.source_id, body_name))
        for item in items:
            del item["root_server_uri"]
            path = item.pop("meeting_url")
            lines.append(orjson.dumps(item)[:-1])
            paths.append(orjson.dumps(path)[1:-1])
            for name in SEARCHED:
                seen = texts[name]
                text_at[name].append(seen.setdefault((getattr(m, name) or "").casefold(), len(seen)))
            for name in RANKED:
                seen = ranks[name]
                codes[name].append(seen.setdefault(str(item[name]).casefold(), len(seen)))
            format_ids.extend(int(i) for i in item["format_shared_id_list"].split(",") if i)
            for own in bmlt_formats.source_formats(m.extra, slugs.get(m.source_id, "")):
                source_formats.setdefault(own.key, own)
            format_offsets.append(len(format_ids))
            hour, minute = item["start_time"].split(":")[:2]
            for name, value in (
                ("pid", int(item["id_bigint"])),
                ("source", m.source_id),
                ("body", body),
                ("program", program_at[m.program_id]),
                ("weekday", int(item["weekday_tinyint"])),
                ("minute", int(hour) * 60 + int(minute)),
                ("venue", int(item["venue_type"])),
                ("lat", m.latitude if m.latitude is not None else np.nan),
                ("lng", m.longitude if m.longitude is not None else np.nan),
            ):
                columns[name].append(value)
    tmp = staging_folder(target)
    types = {
        "pid": np.int64,
        "source": np.int64,
        "body": np.int64,
        "program": np.int16,
        "weekday": np.int8,
        "minute": np.int16,
        "venue": np.int8,
        "lat": np.float64,
        "lng": np.float64,
    }
    for name, kind in types.items():
        np.save(tmp / f"{name}.npy", np.asarray(columns[name], dtype=kind))
    for name in RANKED:
        order = sorted(ranks[name])  # codepoint order of the casefolded text, as Python compares them
        place = np.empty(len(order), dtype=np.int32)
        for rank, value in enumerate(order):
            place[ranks[name][value]] = rank
        np.save(
            tmp / f"rank_{name}.npy",
            place[np.asarray(codes[name], dtype=np.int64)] if codes[name] else np.zeros(0, dtype=np.int32),
        )
    # The formats as a bit mask over the distinct format ids in use: filters are a few bit tests.
    used = sorted(set(format_ids))
    bit = {fid: i for i, fid in enumerate(used)}
    masks = np.zeros((len(lines), max(1, (len(used) + 63) // 64)), dtype=np.uint64)
    rows = np.repeat(np.arange(len(lines)), np.diff(np.asarray(format_offsets, dtype=np.int64)))
    bits = np.asarray([bit[fid] for fid in format_ids], dtype=np.int64)
    np.bitwise_or.at(masks, (rows, bits // 64), np.left_shift(np.uint64(1), (bits % 64).astype(np.uint64)))
    np.save(tmp / "format_masks.npy", np.ascontiguousarray(masks.T))  # a word's bits for every meeting together
    for name, strings in (("lines", lines), ("paths", paths)):
        offsets = np.zeros(len(strings) + 1, dtype=np.int64)
        if strings:
            np.cumsum([len(s) for s in strings], out=offsets[1:])
        np.save(tmp / f"{name}_offsets.npy", offsets)
        (tmp / f"{name}.bin").write_bytes(b"".join(strings) or b"\0")
    for name in SEARCHED:
        text = Texts.from_strings(list(texts[name]))
        np.save(tmp / f"text_{name}.npy", np.asarray(text_at[name], dtype=np.int32))
        np.save(tmp / f"texts_{name}_offsets.npy", text.offsets)
        (tmp / f"texts_{name}.bin").write_bytes(bytes(text.blob) or b"\0")
    default = (
        np.lexsort((columns["pid"], np.load(tmp / "rank_meeting_name.npy"), columns["minute"], columns["weekday"]))
        if lines
        else np.zeros(0, dtype=np.int64)
    )
    np.save(tmp / "default_order.npy", default.astype(np.int32))
    by_start = (
        np.lexsort((columns["pid"], np.load(tmp / "rank_meeting_name.npy"), columns["minute"]))
        if lines
        else np.zeros(0, dtype=np.int64)
    )
    np.save(tmp / "start_order.npy", by_start.astype(np.int32))
    lat = np.asarray(columns["lat"], dtype=np.float64)
    by_lat = np.argsort(lat, kind="stable")  # unknown positions (NaN) last
    np.save(tmp / "lat_order.npy", by_lat.astype(np.int32))
    np.save(tmp / "lat_sorted.npy", lat[by_lat])
    meta = {
        "format": FORMAT,
        "version": DataVersion.label(version),
        "built_at": time.time(),
        "size": len(lines),
        "programs": programs,
        "format_ids": used,
        "bodies": _service_bodies(columns, programs, bodies),
        "source_formats": [dataclasses.asdict(f) for f in source_formats.values()],
    }
    (tmp / "meta.json").write_text(json.dumps(meta))
    # A folder stored by an older release is replaced.
    install_folder(tmp, target, replace=target.exists() and folder_format(target) != FORMAT)
    _prune()
    log.info(
        "BMLT answers for %s built: %s meetings in %.2f s", meta["version"], meta["size"], time.perf_counter() - started
    )
    return target


def _service_bodies(columns: dict, programs: list[str], bodies: dict[int, tuple[int, str]]) -> dict[str, list[dict]]:
    """GetServiceBodies per root (every program, and each one): our sources, with their meetings
    counted, and under each the service bodies it has itself (a BMLT server's areas)."""
    counts: dict[str, dict[int, int]] = {"": {}}
    for source, body, program in zip(columns["source"], columns["body"], columns["program"], strict=True):
        for root in ("", programs[program]):
            per = counts.setdefault(root, {})
            per[source] = per.get(source, 0) + 1
            if body != source:
                per[body] = per.get(body, 0) + 1
    sources = list(Source.objects.exclude(disconnected()).order_by("name"))
    out = {}
    for root, per in counts.items():
        listed = []
        for s in sources:
            if s.pk not in per:
                continue
            listed.append(
                {
                    "id": str(s.pk),
                    "parent_id": "0",
                    "name": s.name,
                    "description": f"{per[s.pk]} meetings, from {s.get_format_display()}",
                    "type": "AS",
                    "url": "",
                    "helpline": "",
                    "world_id": "",
                    "contact_email": "",
                }
            )
            listed += [
                {
                    "id": str(body),
                    "parent_id": str(s.pk),
                    "name": name,
                    "description": f"{per[body]} meetings, from {s.name}",
                    "type": "AS",
                    "url": "",
                    "helpline": "",
                    "world_id": "",
                    "contact_email": "",
                }
                for body, (source, name) in sorted(bodies.items(), key=lambda b: b[1][1])
                if source == s.pk and body in per
            ]
        out[root] = listed
    return out


@dataclass
class Material:
    """One version's material, mapped read-only."""

    folder: Path
    meta: dict

    def array(self, name: str) -> np.ndarray:
        # A plain array over the mapped pages: numpy's memmap indexes through Python, per item.
        return np.asarray(np.load(self.folder / f"{name}.npy", mmap_mode="r", allow_pickle=False))

    @cached_property
    def columns(self) -> dict[str, np.ndarray]:
        return {
            name: self.array(name)
            for name in (
                *NUMERIC,
                *(f"text_{f}" for f in SEARCHED),
                "default_order",
                "start_order",
                "lat_order",
                "lat_sorted",
                "format_masks",
            )
        }

    def rank(self, name: str) -> np.ndarray:
        return self._ranks.setdefault(name, self.array(f"rank_{name}"))

    @cached_property
    def _ranks(self) -> dict:
        return {}

    @cached_property
    def formats(self) -> dict[str, bmlt_formats.Format]:
        """Every format this version's answers may name, by key: the table, and the BMLT
        servers' own formats its meetings list."""
        out = dict(bmlt_formats.table())
        for row in self.meta.get("source_formats", []):
            out.setdefault(row["key"], bmlt_formats.Format(**row))
        return out

    @cached_property
    def formats_by_id(self) -> dict[int, bmlt_formats.Format]:
        return {f.id: f for f in self.formats.values()}

    @cached_property
    def used_keys(self) -> dict:
        return {}  # per root: the format keys its meetings use (views)

    @cached_property
    def texts(self) -> dict[str, Texts]:
        out = {}
        for name in SEARCHED:
            with open(self.folder / f"texts_{name}.bin", "rb") as fh:
                blob = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            out[name] = Texts(blob, self.array(f"texts_{name}_offsets"))
        return out

    @cached_property
    def _blobs(self) -> dict:
        out = {}
        for name in ("lines", "paths"):
            with open(self.folder / f"{name}.bin", "rb") as fh:
                out[name] = (mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ), self.array(f"{name}_offsets"))
        return out

    def line(self, position: int, base: bytes, extra: bytes = b"") -> bytes:
        """One meeting's JSON object, its two server fields naming ``base`` (JSON text of the base
        URL, quotes included), with ``extra`` members (``,"distance_in_km":"1.000"``) at the end."""
        blob, offsets = self._blobs["lines"]
        paths, path_offsets = self._blobs["paths"]
        return b"".join(
            (
                blob[offsets[position] : offsets[position + 1]],
                b',"root_server_uri":',
                base,
                b',"meeting_url":',
                base[:-1],
                paths[path_offsets[position] : path_offsets[position + 1]],
                b'"',
                extra,
                b"}",
            )
        )

    def item(self, position: int) -> dict:
        """One meeting as a dict, without its server fields (for sorts and field lists)."""
        blob, offsets = self._blobs["lines"]
        return orjson.loads(blob[offsets[position] : offsets[position + 1]] + b"}")


_loaded: dict[str, Material] = {}


def load(version: tuple) -> Material | None:
    """The stored material for ``version``, or None if it has not been built."""
    label = DataVersion.label(version)
    folder = folder_for(version)
    found = _loaded.get(str(folder))
    if found is not None:
        return found
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("format") != FORMAT or meta.get("version") != label:
        return None
    if len(_loaded) > KEEP:
        _loaded.clear()
    material = _loaded[str(folder)] = Material(folder, meta)
    return material


def newest() -> Material | None:
    """The newest stored material of any version (what answers while a new one is built)."""
    root = runtime_dir("bmlt")
    found = sorted(
        (p for p in root.iterdir() if not p.name.startswith(".") and (p / "meta.json").exists()),
        key=lambda p: (p / "meta.json").stat().st_mtime,
        reverse=True,
    )
    for folder in found:
        if folder_format(folder) == FORMAT:
            return _loaded.setdefault(str(folder), Material(folder, json.loads((folder / "meta.json").read_text())))
    return None


def current(version: tuple, request_build=None) -> Material:
    """The material for ``version``: built here in ``inline`` mode, else the newest one answers
    while a ``publish`` process builds it (built here only when there is none at all)."""
    material = load(version)
    if material is not None:
        return material
    if settings.PUBLISH_MODE != "inline":
        if request_build is not None:
            request_build()
        material = newest()
        if material is not None:
            return material
    build(version)
    material = load(version)
    if material is None:
        raise RuntimeError(f"the BMLT material for {DataVersion.label(version)} could not be read back")
    return material


def _prune() -> None:
    root = runtime_dir("bmlt")
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in root.glob(".*.tmp"):
        if time.time() - tmp.stat().st_mtime > 3600:
            shutil.rmtree(tmp, ignore_errors=True)
