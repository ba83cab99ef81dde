"""The search index on disk: built once per data version, memory-mapped by every process.

A web worker used to rebuild the whole index itself, inside a request, whenever an import moved
the data version: searches stalled for seconds, and every worker held its own copy (352 MB
each at a million meetings). Now one process builds the index for a version into a folder of
``.npy`` arrays and a text blob, written aside and renamed into place, so a reader sees all of
it or none of it. Workers map those files read-only: the pages are shared between processes,
and loading a new version costs milliseconds.

Folder: ``<runtime>/index/v<version>-<stamp>/``, the version counter and its timestamp (see
``DataVersion``). The newest few are kept; a process that still maps an older one keeps working.
"""

from __future__ import annotations

import json
import logging
import mmap
import shutil
import time
from pathlib import Path

import numpy as np

from commonground.meetings.models import DataChange, DataVersion
from commonground.runtime import folder_format, install_folder, runtime_dir, staging_folder
from commonground.search import update
from commonground.search.build import Columns, Texts, read_columns
from commonground.search.index import DERIVED, MeetingIndex, Version, derive, dst_margin

log = logging.getLogger(__name__)
FORMAT = 2
KEEP = 3
COLUMN_ARRAYS = ("ids", "program", "week_minute", "zone", "mode", "tags", "langs", "text", "name_key")
FORWARD_ARRAYS = ("source", "lat", "lng")  # only for bringing an index forward (search.update)


def folder_for(version: Version) -> Path:
    return runtime_dir("index") / DataVersion.label(version)


def build(version: Version, *, rebuild: bool = False) -> Path:
    """Build the index for ``version`` from the database and store it; returns its folder.

    ``rebuild`` replaces a stored one (too old: its DST assumptions have run out). Otherwise,
    when a stored index is only a few source syncs behind, it is brought forward (search.update)
    instead of reading every meeting again.
    """
    started = time.perf_counter()
    target = folder_for(version)
    if target.exists() and folder_format(target) != FORMAT:
        rebuild = True  # stored by an older release: this one cannot map it, so replace it
    if (target / "meta.json").exists() and not rebuild:
        return target
    forward = None if rebuild else _bring_forward(version)
    if forward is None:
        how = "built"
        duplicates = update.duplicate_ids()  # before reading: a listing in both is read again next time
        columns = read_columns()
    else:
        how = "brought forward"
        columns, duplicates = forward
    derived = derive(columns)
    tmp = staging_folder(target)
    for name in COLUMN_ARRAYS:
        np.save(tmp / f"c_{name}.npy", np.ascontiguousarray(getattr(columns, name)))
    for name in DERIVED:
        np.save(tmp / f"d_{name}.npy", np.ascontiguousarray(derived[name]))
    for name in FORWARD_ARRAYS:
        np.save(tmp / f"c_{name}.npy", np.ascontiguousarray(getattr(columns, name)))
    np.save(tmp / "duplicates.npy", duplicates)
    for name in ("texts", "names"):
        blob = getattr(columns, name)
        np.save(tmp / f"{name}_offsets.npy", blob.offsets)
        (tmp / f"{name}.bin").write_bytes(bytes(blob.blob) or b"\0")
    meta = {
        "format": FORMAT,
        "version": DataVersion.label(version),
        "built_at": time.time(),
        "size": int(len(columns.ids)),
        "dst_margin": dst_margin(columns.zone_names),
        "program_codes": columns.program_codes,
        "program_approach": columns.program_approach,
        "zone_names": columns.zone_names,
        "language_codes": columns.language_codes,
        "how": how,
    }
    (tmp / "meta.json").write_text(json.dumps(meta))
    install_folder(tmp, target, replace=rebuild)
    _prune()
    log.info(
        "search index for %s %s: %s meetings in %.2f s",
        DataVersion.label(version),
        how,
        meta["size"],
        time.perf_counter() - started,
    )
    return target


def stored_labels() -> dict[str, Path]:
    """The stored indexes of this format, by version label."""
    return {folder.name: folder for folder in runtime_dir("index").iterdir() if folder_format(folder) == FORMAT}


def _bring_forward(version: Version) -> tuple[Columns, np.ndarray] | None:
    """The index for ``version`` from a stored earlier one, when every change since touched only
    some sources (``DataChange``); None when there is none to start from."""
    stored = stored_labels()
    chain = DataChange.sources_since("meetings", DataVersion.label(version), set(stored)) if stored else None
    if chain is None:
        return None
    base, touched = chain
    try:
        return update.bring_forward(stored[base], touched)
    except (OSError, ValueError, KeyError):  # a base pruned meanwhile, or half-written by an older release
        log.exception("could not bring the search index forward from %s; building it whole", base)
        return None


def load(version: Version) -> MeetingIndex | None:
    """The stored index for ``version``, mapped read-only; None if it has not been built."""
    folder = folder_for(version)
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("format") != FORMAT:
        return None

    def array(name: str) -> np.ndarray:
        mapped: np.ndarray = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)  # a .npy: one array
        return mapped

    with open(folder / "texts.bin", "rb") as fh:
        blob = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    texts = Texts(blob, np.asarray(array("texts_offsets")))
    values = {name: array(f"c_{name}") for name in COLUMN_ARRAYS}
    columns = Columns(
        **values,  # type: ignore[arg-type]  # mypy can't tell its keys are COLUMN_ARRAYS, all arrays
        lat=None,
        lng=None,
        program_codes=meta["program_codes"],
        program_approach=meta["program_approach"],
        zone_names=meta["zone_names"],
        language_codes=meta["language_codes"],
        texts=texts,
        utc_week_minute=None,
        by_utc_week=None,
        utc_week_sorted=None,
    )
    derived = {name: array(f"d_{name}") for name in DERIVED}
    return MeetingIndex(columns, derived, version=version, margin=meta["dst_margin"], built_at=meta["built_at"])


def _prune() -> None:
    folders = sorted(
        (p for p in runtime_dir("index").iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in runtime_dir("index").glob(".*.tmp"):
        if time.time() - tmp.stat().st_mtime > 3600:  # left behind by a crashed build
            shutil.rmtree(tmp, ignore_errors=True)
