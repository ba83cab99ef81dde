"""A page of BMLT meetings found in a version's material, without reading any meeting.

``normalised`` is the query as its answer depends on it (the answer cache's key); ``find``
filters and sorts the material's columns (``store.py``) and pages them; ``render`` writes the
page from the stored bytes. An answer without ``page_size`` may hold at most
``BMLT_UNPAGED_LIMIT`` meetings; the whole list (no filter) is the exception, served from a file
(``answers.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import orjson
from django.conf import settings

from commonground.api.bmlt.search import KM_PER_MILE, BmltError, BmltQuery
from commonground.api.bmlt.store import RANKED, Material
from commonground.meetings.geo import EARTH_RADIUS_KM, km

NUMERIC_COLUMNS = {
    "id_bigint": "pid",
    "weekday_tinyint": "weekday",
    "service_body_bigint": "body",
    "venue_type": "venue",
    "start_time": "minute",
}
FIND_HITS = 2000  # a word found in more meetings than this is looked for with numpy instead
# Orders a whole list may be asked in (as crouton does): the default, and by start time.
WHOLE_LIST_SORTS = ((), ("start_time",))


def normalised(q: BmltQuery, material: Material) -> dict:
    """The query as its answer depends on it: sets sorted, repeats and unknown keys dropped, and
    a list of every service body of the root (crouton sends one) read as no service filter."""
    wanted_sources, excluded_sources = q.services
    if wanted_sources and not excluded_sources and wanted_sources >= set(_root_sources(q, material)):
        wanted_sources = set()
    keys = list(dict.fromkeys(q.sort_keys))
    if q.by_distance and q.point is not None:
        keys = list(dict.fromkeys(["distance_in_km", *keys]))
    if keys in (["weekday_tinyint"], ["weekday_tinyint", "start_time"]):
        keys = []  # the default order
    return {
        "weekdays": _pair(q.weekdays),
        "services": [sorted(wanted_sources), sorted(excluded_sources)],
        "formats": _pair(q.formats),
        "formats_any": q.formats_any and bool(q.formats[0]),
        "venues": _pair(q.venues),
        "meeting_ids": sorted(q.meeting_ids),
        "point": q.point,
        "radius_km": q.radius_km,
        "nearest": q.nearest,
        "starts_after": q.starts_after,
        "starts_before": q.starts_before,
        "text": q.text,
        "sort": keys,
        "fields": list(dict.fromkeys(q.data_fields)) if q.data_fields else None,
        "page_size": q.page_size,
        "page_num": q.page_num if q.page_size else 1,
    }


def _pair(pair: tuple[set[int], set[int]]) -> list[list[int]]:
    return [sorted(pair[0]), sorted(pair[1])]


def _root_sources(q: BmltQuery, material: Material) -> list[int]:
    return [int(b["id"]) for b in material.meta["bodies"].get(q.program or "", [])]


def is_whole_list(n: dict) -> bool:
    """No filter, every field, no paging, in an order a whole list is kept in."""
    filters = {k: v for k, v in n.items() if k not in ("sort", "page_num")}
    empty = {
        "weekdays": [[], []],
        "services": [[], []],
        "formats": [[], []],
        "formats_any": False,
        "venues": [[], []],
        "meeting_ids": [],
        "point": None,
        "radius_km": None,
        "nearest": None,
        "starts_after": None,
        "starts_before": None,
        "text": "",
        "fields": None,
        "page_size": None,
    }
    return filters == empty and tuple(n["sort"]) in WHOLE_LIST_SORTS


@dataclass
class Found:
    positions: np.ndarray  # the page's meetings, in the answer's order
    distances: np.ndarray | None  # km, per position, when a point was given
    count: int | None  # how many matched, before paging (None: not counted, for a page in a stored order)
    matched: np.ndarray | None  # every meeting that matched, in any order (None: see keep)
    material: Material
    keep: np.ndarray | None = None  # else: a bool per meeting (None: every meeting)

    @property
    def used(self) -> set[str]:
        """The format keys of every meeting that matched (only some answers ask)."""
        matched = self.matched
        if matched is None:
            matched = (
                np.flatnonzero(self.keep) if self.keep is not None else np.arange(len(self.material.columns["pid"]))
            )
        return _used_formats(self.material, matched)


def find(n: dict, program: str | None, material: Material) -> Found:
    """The meetings a normalised query matches, sorted and paged, without reading any of them."""
    c = material.columns
    size = len(c["pid"])
    masks = []  # each filter's bool per meeting; none at all is every meeting
    if program is not None:
        programs = material.meta["programs"]
        masks.append(c["program"] == programs.index(program) if program in programs else np.zeros(size, bool))
    for name, column in (("weekdays", "weekday"), ("venues", "venue")):
        wanted, excluded = n[name]
        if wanted:
            masks.append(_among(c[column], wanted))
        if excluded:
            masks.append(~_among(c[column], excluded))
    # A service body is a source, or one of the source's own (a BMLT server's area): asking for a
    # source asks for its areas' meetings too.
    wanted, excluded = n["services"]
    if wanted:
        masks.append(np.isin(c["source"], wanted) | np.isin(c["body"], wanted))
    if excluded:
        masks.append(~(np.isin(c["source"], excluded) | np.isin(c["body"], excluded)))
    if n["meeting_ids"]:
        masks.append(np.isin(c["pid"], n["meeting_ids"]))
    if n["starts_after"] is not None:
        masks.append(c["minute"] > n["starts_after"])
    if n["starts_before"] is not None:
        masks.append(c["minute"] < n["starts_before"])
    masks += _format_filter(n, material)
    if n["text"]:
        masks.append(_text_matches(material, n["text"]))
    keep = np.logical_and.reduce(masks) if len(masks) > 1 else masks[0] if masks else None
    if n["point"] is None and n["sort"] in ([], ["start_time"]):
        # The two orders whole lists are kept in are stored: no sort, whatever matched.
        order = np.asarray(c["start_order" if n["sort"] else "default_order"])
        if keep is None:
            return _page(n, Found(order, None, size, None, material))
        if n["page_size"]:  # read the stored order only as far as the page asked for reaches
            needed, taken, start = n["page_num"] * n["page_size"], [], 0
            while start < size and sum(len(t) for t in taken) < needed:
                chunk = order[start : start + (1 << 16)]
                taken.append(chunk[keep[chunk]])
                start += 1 << 16
            positions = np.concatenate(taken) if taken else order[:0]
            return _page(n, Found(positions, None, None, None, material, keep))
        positions = order[keep[order]]
        return _page(n, Found(positions, None, len(positions), positions, material))
    if n["point"] is not None and n["nearest"] is not None and n["radius_km"] is None:
        keep = _near_band(n, c, keep if keep is not None else np.ones(size, dtype=bool))
    distances = None
    if n["point"] is not None and n["radius_km"] is not None:
        # Within r km of a point is within r / R radians of its latitude: that band is a slice of
        # the meetings in order of latitude, then cut by the circle's span of longitude.
        reach = math.degrees(n["radius_km"] / EARTH_RADIUS_KM) + 1e-9
        lo = np.searchsorted(c["lat_sorted"], n["point"][0] - reach, side="left")
        hi = np.searchsorted(c["lat_sorted"], n["point"][0] + reach, side="right")
        positions = np.sort(c["lat_order"][lo:hi])
        positions = _within_longitudes(n, c, positions[keep[positions]] if keep is not None else positions)
    else:
        positions = np.flatnonzero(keep) if keep is not None else np.arange(size)
    if n["point"] is not None:
        lat, lng = np.asarray(c["lat"][positions]), np.asarray(c["lng"][positions])
        located = ~(np.isnan(lat) | np.isnan(lng))
        positions, distances = positions[located], km(*n["point"], lat[located], lng[located])
        if n["radius_km"] is not None:
            inside = distances <= n["radius_km"]
            positions, distances = positions[inside], distances[inside]
        if n["nearest"] is not None and len(distances) > n["nearest"]:
            # The first N by (distance, position), as a stable sort by distance gives them: only
            # those at most the N-th distance are sorted.
            cut = np.partition(distances, n["nearest"] - 1)[n["nearest"] - 1]
            few = np.flatnonzero(distances <= cut)
            nearest = np.sort(few[np.lexsort((positions[few], distances[few]))[: n["nearest"]]])
            positions, distances = positions[nearest], distances[nearest]
    matched = positions
    needed = n["page_num"] * n["page_size"] if n["page_size"] else None
    order = _order(n, material, positions, distances, needed)  # at least the first ``needed``, in order
    distances = distances[order] if distances is not None else None
    return _page(n, Found(positions[order], distances, len(matched), matched, material))


def _page(n: dict, found: Found) -> Found:
    if n["page_size"]:
        start = (n["page_num"] - 1) * n["page_size"]
        found.positions = found.positions[start : start + n["page_size"]]
        if found.distances is not None:
            found.distances = found.distances[start : start + n["page_size"]]
    return found


def _among(column: np.ndarray, values: list[int]) -> np.ndarray:
    """column in values: through a table for the small columns (weekdays, venues), else np.isin."""
    if column.dtype == np.int8:  # indexes a table of 256 as it is, negative numbers from its end
        table = np.zeros(256, dtype=bool)
        table[[v for v in values if v < 128]] = True
        return table[column]
    return np.isin(column, values)


def _within_longitudes(n: dict, c: dict, positions: np.ndarray) -> np.ndarray:
    """The second cheap cut of a radius search: its circle's span of longitude. A point within
    angle a of one at latitude L differs in longitude by at most asin(sin a / cos L), which the
    band's most poleward latitude bounds from above; skipped near the poles and for wide circles."""
    lat0, lng0 = n["point"]
    reach = math.degrees(n["radius_km"] / EARTH_RADIUS_KM)
    if reach > 10 or abs(lat0) + reach > 80:
        return positions
    span = 1.01 * reach / math.cos(math.radians(abs(lat0) + reach)) + 1e-9
    lng = c["lng"][positions]
    return positions[np.abs((lng - lng0 + 180.0) % 360.0 - 180.0) <= span]


def _near_band(n: dict, c: dict, keep: np.ndarray) -> np.ndarray:
    """For the nearest N: the meetings in the narrowest band of latitude around the point that
    surely holds them. A meeting outside a band of b degrees is more than b degrees of arc away,
    so once N meetings inside lie within that distance, none outside can be nearer."""
    lat0, lng0 = n["point"]
    for band in (0.5, 2.0, 8.0, 32.0):
        inside = keep & (np.abs(c["lat"] - lat0) <= band)
        positions = np.flatnonzero(inside)
        if len(positions) < n["nearest"]:
            continue
        distances = km(lat0, lng0, c["lat"][positions], c["lng"][positions])
        if np.count_nonzero(distances < math.radians(band) * EARTH_RADIUS_KM) >= n["nearest"]:
            return inside
    return keep


def _text_matches(material: Material, needle: str) -> np.ndarray:
    """A bool per meeting: does one of its searched fields hold ``needle`` (casefolded)?"""
    c = material.columns
    out = np.zeros(len(c["pid"]), dtype=bool)
    for name, texts in material.texts.items():
        found = _found_in(texts, needle)
        if found.any():  # a field no value of which holds the word costs no pass over the meetings
            out |= found[c[f"text_{name}"]]
    return out


def _found_in(texts, needle: str) -> np.ndarray:
    """A bool per distinct text. A rare word is found with ``bytes.find`` hit by hit; a common
    one by comparing the whole blob with numpy, a byte of the word at a time."""
    word = needle.encode("utf-8")
    out = np.zeros(len(texts), dtype=bool)
    if b"\0" in word:
        return out  # texts never hold NUL (it separates them)
    offsets, find = texts.offsets, texts.blob.find
    position, hits = find(word), 0
    while position >= 0 and hits < FIND_HITS:
        i = int(np.searchsorted(offsets, position, side="right")) - 1
        out[i], hits = True, hits + 1
        position = find(word, int(offsets[i + 1]))
    if position < 0:
        return out
    blob = np.frombuffer(texts.blob, dtype=np.uint8)
    found = np.flatnonzero(blob[: len(blob) - len(word) + 1] == word[0])
    for i in range(1, len(word)):
        found = found[blob[found + i] == word[i]]
    out[np.searchsorted(offsets, found, side="right") - 1] = True
    return out


def _format_filter(n: dict, material: Material) -> list[np.ndarray]:
    """The formats filter's masks: a bit test on one contiguous word of the format masks each."""
    wanted, excluded = n["formats"]
    bits = {fid: i for i, fid in enumerate(material.meta["format_ids"])}
    words = material.columns["format_masks"]  # (words, meetings): bit i of word i // 64

    def has(fid: int) -> np.ndarray:
        if fid not in bits:
            return np.zeros(words.shape[1], dtype=bool)
        return (words[bits[fid] // 64] & np.uint64(1 << (bits[fid] % 64))) != 0

    out = [~has(fid) for fid in excluded]
    if wanted and n["formats_any"]:
        out.append(np.logical_or.reduce([has(fid) for fid in wanted]))
    elif wanted:
        out += [has(fid) for fid in wanted]
    return out


def _used_formats(material: Material, positions: np.ndarray) -> set[str]:
    if not len(positions):
        return set()
    found = np.bitwise_or.reduce(material.columns["format_masks"][:, positions], axis=1)
    by_id = material.formats_by_id
    return {by_id[fid].key for i, fid in enumerate(material.meta["format_ids"]) if int(found[i // 64]) >> (i % 64) & 1}


def _order(n: dict, material: Material, positions: np.ndarray, distances, needed: int | None = None) -> np.ndarray:
    """The answer's order: the sort keys (numbers as numbers, text casefolded), then the name,
    then the id; by weekday and start time when no key is given, as BMLT sorts."""
    c = material.columns
    keys = n["sort"] or ["weekday_tinyint", "start_time"]
    columns = []
    for key in keys:
        if key in NUMERIC_COLUMNS:
            columns.append(np.asarray(c[NUMERIC_COLUMNS[key]][positions]))
        elif key in ("latitude", "longitude"):
            values = np.asarray(c["lat" if key == "latitude" else "lng"][positions])
            columns.append(np.round(np.nan_to_num(values, nan=0.0), 6))
        elif key in ("distance_in_km", "distance_in_miles"):
            per = KM_PER_MILE if key == "distance_in_miles" else 1.0
            columns.append(np.round(distances / per, 3) if distances is not None else np.zeros(len(positions)))
        elif key in RANKED:
            columns.append(np.asarray(material.rank(key)[positions]))
        else:
            columns.append(_ranks_by_reading(key, material, positions))
    ties = [np.asarray(c["pid"][positions]), np.asarray(material.rank("meeting_name")[positions])]
    keys = [*ties, *reversed(columns)]
    if needed is not None and needed < len(positions) // 4:
        # Only the first ``needed`` are shown: those whose first key is at most the needed-th
        # smallest (ties included) are the only ones that can be, so only they are sorted.
        first = keys[-1]
        cut = np.partition(first, needed - 1)[needed - 1]
        few = np.flatnonzero(first <= cut)
        order = np.lexsort([k[few] for k in keys])
        return few[order]
    return np.lexsort(keys)


def _ranks_by_reading(key: str, material: Material, positions: np.ndarray) -> np.ndarray:
    """A sort by a field no column keeps (``comments``): only for answers the unpaged limit allows."""
    limit = settings.BMLT_UNPAGED_LIMIT
    if len(positions) > limit:
        raise BmltError(
            "sort_keys",
            f"{len(positions)} meetings match; sort_keys={key} can order at most "
            f"{limit}. Narrow the search, or sort by one of {', '.join(RANKED)}.",
        )
    values = [str(material.item(int(p)).get(key, "")).casefold() for p in positions]
    rank = {v: i for i, v in enumerate(sorted(set(values)))}
    return np.asarray([rank[v] for v in values], dtype=np.int64)


def render(found: Found, material: Material, base: str, fields: list[str] | None) -> bytes:
    """The page's meetings as a JSON array: stored bytes with the server's address, and no meeting
    made into Python objects unless a field list asks for some fields only."""
    quoted = orjson.dumps(base)
    out = []
    for i, position in enumerate(found.positions.tolist()):
        extra = b""
        if found.distances is not None:
            km = float(found.distances[i])
            extra = f',"distance_in_km":"{km:.3f}","distance_in_miles":"{km / KM_PER_MILE:.3f}"'.encode()
        line = material.line(position, quoted, extra)
        if fields:
            item = orjson.loads(line)
            line = orjson.dumps({k: item.get(k, "") for k in fields})
        out.append(line)
    return b"[" + b",".join(out) + b"]"
