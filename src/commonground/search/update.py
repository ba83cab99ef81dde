"""Bring a stored index forward to a new data version by redoing only the sources that changed.

A full build reads every meeting (bench/index.py times it). After one source's sync, the new version
differs from the stored one only in that source's rows, and in listings whose duplicate status
moved (a sync recomputes every pair). So the update keeps the stored rows of every other source,
reads just the changed ones from the database, and splices the two:

- rows of a touched source, and rows that are duplicates now or were in the base, are dropped
  and read again (whatever the database holds for them now);
- zones and languages keep their numbering and gain new entries at the end;
- search texts and names are stored blobs: the ones still used are copied by runs of bytes,
  and the new ones added (names in their sorted place, since a name's rank is its position).

The result is the same index a full build makes (tests/test_index_update.py compares them
meeting by meeting), and the derived orderings are recomputed from it as usual.
"""

from __future__ import annotations

import bisect
import json
import mmap
from pathlib import Path

import numpy as np
from django.db import connection

from commonground.meetings.models import Meeting
from commonground.search.build import PART_ARRAYS, Columns, Texts, assemble, move_language_bits, program_list, read_part

# Past this many listings that are (or were) duplicates, re-reading them by id costs more than it
# saves: a full build is made instead.
MAX_DUPLICATES = 20_000
ROW_ARRAYS = ("ids", "program", "lat", "lng", "week_minute", "zone", "mode", "tags", "langs", "source")
# Texts as byte pieces (slices of a blob, or a whole one) and the lengths of the entries in each.
Pieces = tuple[list[bytes | mmap.mmap], list[np.ndarray]]


def duplicate_ids() -> np.ndarray:
    """Listings that stand for a meeting listed by another source (they are never in search)."""
    table = connection.ops.quote_name(Meeting._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE duplicate_of_id IS NOT NULL")
        return np.sort(np.array([row[0] for row in cursor.fetchall()], dtype=np.int64))


def take(texts: Texts, picks: np.ndarray) -> Pieces:
    """The entries ``picks`` (in that order) as byte pieces and their lengths, one piece per run
    of consecutive entries, so keeping most of a blob costs a few slices, not one per entry."""
    if not len(picks):
        return [], []
    offsets = np.asarray(texts.offsets)
    breaks = np.flatnonzero(np.diff(picks) != 1) + 1
    pieces: list[bytes | mmap.mmap] = []
    lengths: list[np.ndarray] = []
    for run in np.split(picks, breaks):
        first, last = int(run[0]), int(run[-1])
        pieces.append(texts.blob[int(offsets[first]) : int(offsets[last + 1])])
        lengths.append(offsets[first + 1 : last + 2] - offsets[first : last + 1])
    return pieces, lengths


def joined(groups: list[Pieces]) -> Texts:
    pieces = [p for group, _ in groups for p in group]
    lengths = [x for _, group in groups for x in group]
    offsets = np.zeros(1 + sum(len(x) for x in lengths), dtype=np.int64)
    if lengths:
        np.cumsum(np.concatenate(lengths), out=offsets[1:])
    return Texts(b"".join(bytes(p) for p in pieces), offsets)


def encoded(strings: list[str]) -> Pieces:
    texts = Texts.from_strings(strings)
    return [texts.blob], [np.diff(texts.offsets)]


def used(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (all below ``size``) in order, and each value's position among them:
    ``np.unique`` with its inverse, by counting instead of sorting."""
    present = np.bincount(values, minlength=size) > 0
    return np.flatnonzero(present), (np.cumsum(present) - 1)[values]


def _merge_names(old: Texts, old_rank: np.ndarray, new_names: list[str]) -> tuple[Texts, np.ndarray, np.ndarray]:
    """Names of kept rows (ranks into the sorted ``old``) and of new rows, merged into one sorted
    set of names: returns it, each kept row's new rank and each new name's rank."""
    used_names, kept_rank = used(old_rank, len(old))
    compact = joined([take(old, used_names)])  # still sorted: only unused names are gone
    fresh: list[str] = []
    fresh_at: list[int] = []  # where each fresh name goes among the compact old ones
    found: dict[str, int] = {}
    for name in sorted(set(new_names)):
        at = bisect.bisect_left(compact, name)  # a Texts is a sequence of str
        if at < len(compact) and compact[at] == name:
            found[name] = at
        else:
            fresh.append(name)
            fresh_at.append(at)
    inserted = np.array(fresh_at, dtype=np.int64)

    def rank_of_old(r: np.ndarray) -> np.ndarray:
        return r + np.searchsorted(inserted, r, side="right")

    rank = {name: at + j for j, (name, at) in enumerate(zip(fresh, fresh_at, strict=True))}
    if found:
        rank.update(
            zip(found, rank_of_old(np.fromiter(found.values(), dtype=np.int64, count=len(found))).tolist(), strict=True)
        )
    new_rank = np.fromiter((rank[n] for n in new_names), dtype=np.int64, count=len(new_names))
    # The compact old names then the fresh ones, put in merged order: entry r of the result is
    # entry ``source[r]`` of that concatenation.
    both = joined([take(compact, np.arange(len(compact))), encoded(fresh)])
    source = np.empty(len(both), dtype=np.int64)
    source[rank_of_old(np.arange(len(compact)))] = np.arange(len(compact))
    source[inserted + np.arange(len(fresh))] = len(compact) + np.arange(len(fresh))
    return joined([take(both, source)]), rank_of_old(kept_rank.astype(np.int64)), new_rank


def _id_order(kept: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """The order of ``kept`` then ``fresh`` (each sorted, no id in both) by id: a merge, not a sort."""
    at = np.searchsorted(kept, fresh) + np.arange(len(fresh))
    order = np.empty(len(kept) + len(fresh), dtype=np.int64)
    taken = np.zeros(len(order), dtype=bool)
    taken[at] = True
    order[at] = len(kept) + np.arange(len(fresh))
    order[~taken] = np.arange(len(kept))
    return order


def bring_forward(folder: Path, touched: set[int]) -> tuple[Columns, np.ndarray] | None:
    """The index of the current data from the one stored in ``folder``, redoing the rows of the
    ``touched`` sources; with the duplicate ids it reflects. None when a full build is needed."""
    meta = json.loads((folder / "meta.json").read_text())
    programs = program_list()
    if (
        meta.get("program_codes") != [c for c, _ in programs]
        or meta.get("program_approach") != [a for _, a in programs]
        or not (folder / "names.bin").exists()
    ):
        return None
    base_duplicates = np.load(folder / "duplicates.npy")
    duplicates = duplicate_ids()
    if len(base_duplicates) + len(duplicates) > MAX_DUPLICATES:
        return None

    def array(name: str) -> np.ndarray:
        mapped: np.ndarray = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)  # a .npy: one array
        return mapped

    def blob(name: str) -> Texts:
        return Texts((folder / f"{name}.bin").read_bytes(), np.asarray(array(f"{name}_offsets")))

    old = {name: array(f"c_{name}") for name in (*ROW_ARRAYS, "text", "name_key")}
    part = read_part([c for c, _ in programs], only=(sorted(touched), base_duplicates.tolist()))
    drop = np.isin(old["source"], np.fromiter(touched, dtype=np.int64, count=len(touched)))
    drop |= np.isin(old["ids"], duplicates) | np.isin(old["ids"], base_duplicates)
    # A meeting read again always replaces its stored row, wherever that came from (a meeting
    # moved to another source in the admin is listed under the new one only).
    drop |= np.isin(old["ids"], part.arrays["ids"])
    keep = np.flatnonzero(~drop)

    zones = {name: i for i, name in enumerate(meta["zone_names"])}
    part_zone = np.fromiter(
        (zones.setdefault(z, len(zones)) for z in part.zones), dtype=np.int64, count=len(part.zones)
    )
    languages = {code: i for i, code in enumerate(meta["language_codes"])}
    part_langs = move_language_bits(part.arrays["langs"], part.languages, languages)

    texts = blob("texts")
    kept_text = np.asarray(old["text"])[keep]
    used_texts, kept_text = used(kept_text, len(texts))
    merged_texts = joined([take(texts, used_texts), encoded(part.texts)])
    names, kept_rank, part_rank = _merge_names(blob("names"), np.asarray(old["name_key"])[keep] >> 32, part.names)

    rows = {name: np.concatenate([np.asarray(old[name])[keep], part.arrays[name]]) for name in ROW_ARRAYS}
    rows["zone"] = np.concatenate(
        [rows["zone"][: len(keep)], part_zone[part.arrays["zone"]] if len(part.zones) else part.arrays["zone"]]
    )
    rows["langs"][len(keep) :] = part_langs
    rows["text"] = np.concatenate([kept_text, part.arrays["text"] + len(used_texts)])
    rows["name"] = np.concatenate(
        [kept_rank, part_rank[part.arrays["name"]] if len(part.names) else part.arrays["name"].astype(np.int64)]
    )
    order = _id_order(np.asarray(old["ids"])[keep], part.arrays["ids"])
    rows = {k: v[order].astype(PART_ARRAYS[k] if k != "name" else np.int64, copy=False) for k, v in rows.items()}
    zone_names = sorted(zones, key=zones.__getitem__)
    language_codes = sorted(languages, key=languages.__getitem__)
    return assemble(rows, programs, zone_names, language_codes, merged_texts, names), duplicates
