"""One meeting, one listing: find the same meeting arriving from two sources.

An intergroup's feed and the region's BMLT server often list the same meeting. Two listings
are taken as one meeting when, from *different* sources, they have:

1. the same program, weekday and start time (in the same zone), or, for two listings of one
   conference room, the same instant (two BMLT roots list one online meeting each in its own zone);
2. the same place: the same conference link (host and path), or feed coordinates within
   ``NEAR_METRES``, or the same street address; and
3. similar names (``NAME_SIMILARITY`` or more, on words, ignoring case and punctuation).

Three things veto a match, however close the rest is: different rooms named on both sides
("Room 2" and "Room 14"), one listing for women and the other for men, and one online-only
listing against one in person only.

Both raw rows are kept. The listing from the source registered first is the *primary*; the
other points at it (``Meeting.duplicate_of``) and leaves search, the feeds and the BMLT answers,
while its own page stays and names both sources. ``refresh`` recomputes every pair and writes only
the rows that changed: after a sync of one source that changed meetings, in that sync's
transaction (``after_change``); in a run of several sources (``once_per_run``), once at the run's
end, in a transaction and a data version of its own, and now and then while it lasts
(``RUN_PAIR_SECONDS``). Between two pairings a meeting a source of the run added may be listed
twice, and a pair one of them broke may still hide its copy; reading and comparing every meeting
after each source was most of a world sync (bench/world.py).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time as time_module
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection, transaction

from commonground.meetings import geo

log = logging.getLogger(__name__)
NEAR_METRES = 100.0
NAME_SIMILARITY = 0.6
_CELL_DEGREES = 0.001  # about 111 m of latitude: neighbours are looked for in the cells around
_MAX_CELLS_EAST_AND_WEST = 400  # 100 m is 400 cells of longitude only within about 14 km of a pole
_FILLER = {"the", "group", "meeting", "of", "and", "a", "an", "na", "aa", "el", "la", "de", "grupo"}
_ROOM = re.compile(r"\b(?:room|rm|suite|ste|salon|sala)\.?\s*#?\s*([a-z0-9-]+)", re.IGNORECASE)
_WOMEN, _MEN = "women", "men"

# A weekly time slot: program (its code), weekday, start time ("HH:MM") and zone.
Slot = tuple[str, int, str, str]


@dataclass(slots=True)
class Listing:
    id: int
    source_id: int
    key: Slot
    name: str
    lat: float | None
    lng: float | None
    link: str
    address: str
    room: str
    gender: str
    mode: str
    _words: frozenset[str] | None = None
    instant: Slot | None = None  # (program, weekday, "HH:MM", "UTC") this week, for a listing with a link
    _spelled: str | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = name_words(self.name)
        return self._words

    @property
    def spelled(self) -> str:
        """The name's words in order, one string: what the character similarity compares."""
        if self._spelled is None:
            self._spelled = " ".join(sorted(self.words))
        return self._spelled


@dataclass(frozen=True)
class Pair:
    primary: int
    duplicate: int
    score: float
    reason: str  # "link", "coordinates" or "address"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def name_words(name: str) -> frozenset[str]:
    words = _fold(name).split()
    kept = [w for w in words if w not in _FILLER]
    return frozenset(kept or words)


def name_similarity(a: Listing, b: Listing, *, at_least: float = 0.0) -> float:
    """The better of word overlap (Jaccard) and character similarity of the folded names; 0 when
    it cannot reach ``at_least``.

    The character similarity (``SequenceMatcher.ratio``) was nine tenths of a refresh where a slot
    holds many listings: it is worked out only when its upper bounds (``real_quick_ratio``, then
    ``quick_ratio``) leave it a chance to beat the word overlap and to reach ``at_least``."""
    union = a.words | b.words
    jaccard = len(a.words & b.words) / len(union) if union else 0.0
    floor = max(jaccard, at_least)
    sizes = len(a.spelled) + len(b.spelled)
    best = jaccard
    # ``real_quick_ratio`` from the lengths alone, before a matcher is made (that costs as much again)
    if sizes and 2 * min(len(a.spelled), len(b.spelled)) / sizes >= floor:
        matcher = SequenceMatcher(None, a.spelled, b.spelled)
        if matcher.quick_ratio() >= floor:
            best = max(jaccard, matcher.ratio())
    elif not sizes:
        best = max(jaccard, 1.0)  # two names with no words at all: ``ratio`` of two empty strings
    return best if best >= at_least else 0.0


def link_key(url: str) -> str:
    """Host and path of a conference link, case-folded: the same Zoom room whatever the query says."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    # Zoom's per-country hosts (us02web.zoom.us) lead to the same room as zoom.us.
    host = re.sub(r"^[a-z0-9]+web\.zoom\.us$", "zoom.us", host)
    path = parts.path.rstrip("/")
    return f"{host}{path}".casefold() if host and path else ""


def room_of(*texts: str) -> str:
    for text in texts:
        found = _ROOM.search(text or "")
        if found:
            return found.group(1).casefold()
    return ""


def metres(a: Listing, b: Listing) -> float:
    """Between two listings' feed coordinates; infinite when either has none (``compare`` asks
    only when both have them)."""
    if a.lat is None or a.lng is None or b.lat is None or b.lng is None:
        return math.inf
    return float(geo.km(a.lat, a.lng, b.lat, b.lng)) * 1000


def compare(a: Listing, b: Listing) -> tuple[float, str] | None:
    """(score 0–1, what placed them together), or None when they are not the same meeting."""
    same_instant = a.instant is not None and a.instant == b.instant and a.link == b.link
    if a.source_id == b.source_id or (a.key != b.key and not same_instant):
        return None
    if a.room and b.room and a.room != b.room:
        return None
    if {a.gender, b.gender} == {_WOMEN, _MEN}:
        return None
    if {a.mode, b.mode} == {"online", "in_person"}:
        return None
    place, reason = 0.0, ""
    if a.link and a.link == b.link:
        place, reason = 1.0, "link"
    elif a.lat is not None and b.lat is not None and (d := metres(a, b)) <= NEAR_METRES:
        place, reason = 1.0 - d / (2 * NEAR_METRES), "coordinates"
    elif a.address and a.address == b.address:
        place, reason = 0.9, "address"
    if not reason:
        return None
    similarity = name_similarity(a, b, at_least=NAME_SIMILARITY)
    if not similarity:
        return None
    room = 1.0 if a.room and a.room == b.room else 0.5
    return round(0.6 * similarity + 0.3 * place + 0.1 * room, 3), reason


COLUMNS = (
    "id",
    "source_id",
    "program_id",
    "weekday",
    "start_time",
    "timezone",
    "name",
    "latitude",
    "longitude",
    "coordinates_source",
    "conference_url",
    "address",
    "location",
    "location_notes",
    "tag_bits",
    "attendance_mode",
)


def sources_with_meetings() -> int:
    """How many sources have meetings (an index probe per source, not a scan of the table)."""
    from commonground.meetings.models import Meeting, Source

    return sum(Meeting.objects.filter(source_id=pk).exists() for pk in Source.objects.values_list("id", flat=True))


def _listings() -> list[Listing]:
    from commonground.meetings import types
    from commonground.meetings.models import Meeting, Source

    quote = connection.ops.quote_name
    women, men = types.TAG_BIT["women"], types.TAG_BIT["men"]
    sql = (
        f"SELECT {', '.join(quote(c) for c in COLUMNS)} FROM {quote(Meeting._meta.db_table)} "
        f"WHERE weekday IS NOT NULL AND start_time IS NOT NULL AND attendance_mode <> 'inactive' "
        f"AND source_id NOT IN (SELECT id FROM {quote(Source._meta.db_table)} WHERE disconnected_at IS NOT NULL)"
    )
    out = []
    instants: dict[tuple[Any, ...], Slot | None] = {}
    now = datetime.now(UTC)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(20_000):
            for (
                pk,
                source_id,
                program,
                weekday,
                start,
                zone,
                name,
                lat,
                lng,
                coords,
                link,
                address,
                location,
                notes,
                bits,
                mode,
            ) in chunk:
                feed_point = coords == "feed" and lat is not None and lng is not None
                gender = _WOMEN if bits & women and not bits & men else _MEN if bits & men and not bits & women else ""
                room_link = link_key(link)
                if room_link and (program, weekday, start, zone) not in instants:
                    instants[(program, weekday, start, zone)] = _instant(program, weekday, start, zone, now)
                out.append(
                    Listing(
                        pk,
                        source_id,
                        (program, weekday, str(start)[:5], zone),
                        name,
                        lat if feed_point else None,
                        lng if feed_point else None,
                        room_link,
                        _fold(address),
                        room_of(location, notes),
                        gender,
                        mode,
                        instant=instants[(program, weekday, start, zone)] if room_link else None,
                    )
                )
    return out


def _instant(program: str, weekday: int, start: time | str, zone: str, now: datetime) -> Slot | None:
    """The listing's slot in UTC, this week: (program, weekday 0 = Sunday, "HH:MM", "UTC")."""
    try:
        tz = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        return None
    today = now.astimezone(tz).date()
    day = today + timedelta(days=((weekday - 1) % 7 - today.weekday()) % 7)
    at = datetime.combine(day, start if isinstance(start, time) else time.fromisoformat(str(start)), tz)
    utc = at.astimezone(UTC)
    return (program, (utc.weekday() + 1) % 7, utc.strftime("%H:%M"), "UTC")


def find_pairs(listings: list[Listing] | None = None) -> list[Pair]:
    """Every duplicate with its primary (the listing of the earliest source, then the lowest id)."""
    listings = _listings() if listings is None else listings
    if len({item.source_id for item in listings}) < 2:
        return []
    by_slot: dict[Slot, list[Listing]] = defaultdict(list)
    for item in listings:
        by_slot[item.key].append(item)
        if item.instant is not None and item.instant[3] != item.key[3]:
            by_slot[item.instant].append(item)  # one room, the same instant, whatever the zone
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        while parent.get(i, i) != i:
            parent[i] = parent.get(parent[i], parent[i])
            i = parent[i]
        return i

    scores: dict[tuple[int, int], tuple[float, str]] = {}
    best: dict[int, tuple[float, str]] = {}
    for slot in by_slot.values():
        if len(slot) < 2 or len({item.source_id for item in slot}) < 2:
            continue
        for a, b in _candidates(slot):
            found = compare(a, b)
            if found:
                scores[(min(a.id, b.id), max(a.id, b.id))] = found
                for i in (a.id, b.id):
                    best[i] = max(best.get(i, found), found)
                ra, rb = root(a.id), root(b.id)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    if not scores:
        return []
    by_id = {item.id: item for slot in by_slot.values() for item in slot}
    groups: dict[int, list[Listing]] = defaultdict(list)
    for pair in scores:
        for i in pair:
            groups[root(i)].append(by_id[i])
    pairs = []
    for members in groups.values():
        unique = sorted({m.id: m for m in members}.values(), key=lambda m: (m.source_id, m.id))
        primary = unique[0]
        for other in unique[1:]:
            if other.source_id == primary.source_id:
                continue  # two listings of one source are that source's business, never merged here
            score, reason = scores.get((min(primary.id, other.id), max(primary.id, other.id))) or best[other.id]
            pairs.append(Pair(primary.id, other.id, score, reason))
    return sorted(pairs, key=lambda p: (p.primary, p.duplicate))


def _candidates(slot: list[Listing]) -> Iterator[tuple[Listing, Listing]]:
    """Pairs of two sources worth comparing in one time slot: a shared link, a shared address, or
    points in neighbouring cells. A cell is ``_CELL_DEGREES`` on a side: one row of cells north and
    south covers ``NEAR_METRES``, but a degree of longitude shrinks away from the equator (at 62°
    100 m is two cells east), so the cells east and west are looked in as far as it takes."""
    seen: set[tuple[int, int]] = set()

    def fresh(a: Listing, b: Listing) -> bool:
        pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        if a.source_id == b.source_id or pair in seen:
            return False
        seen.add(pair)
        return True

    shared: dict[tuple[str, str], list[Listing]] = defaultdict(list)
    for item in slot:
        if item.link:
            shared[("link", item.link)].append(item)
        if item.address:
            shared[("address", item.address)].append(item)
    for items in shared.values():
        if len({item.source_id for item in items}) > 1:
            for i, a in enumerate(items):
                yield from ((a, b) for b in items[i + 1 :] if fresh(a, b))
    cells: dict[tuple[int, int], list[Listing]] = defaultdict(list)
    for item in slot:
        if item.lat is not None and item.lng is not None:  # both or neither (``_listings``)
            cells[(math.floor(item.lat / _CELL_DEGREES), math.floor(item.lng / _CELL_DEGREES))].append(item)
    if len({item.source_id for items in cells.values() for item in items}) < 2:
        return
    for (x, y), items in cells.items():
        reach = _cells_east_and_west(x)
        near = [o for dx in (-1, 0, 1) for dy in range(-reach, reach + 1) for o in cells.get((x + dx, y + dy), ())]
        for a in items:
            yield from ((a, b) for b in near if fresh(a, b))


def _cells_east_and_west(row: int) -> int:
    """How many cells east and west hold the points within ``NEAR_METRES`` of a point in ``row``
    (a row of cells: latitude ``row * _CELL_DEGREES`` up to the next), judged at the most poleward
    latitude of the rows around it, where a cell is narrowest."""
    poleward = min(90.0, max(abs(row - 1), abs(row + 2)) * _CELL_DEGREES)
    cell_metres = math.radians(_CELL_DEGREES) * geo.EARTH_RADIUS_KM * 1000 * math.cos(math.radians(poleward))
    if cell_metres * _MAX_CELLS_EAST_AND_WEST <= NEAR_METRES:
        return _MAX_CELLS_EAST_AND_WEST  # within metres of a pole: no meeting is there
    return max(1, math.ceil(NEAR_METRES / cell_metres))


def refresh() -> int:
    """Recompute every pair and store the differences; returns how many rows changed."""
    from commonground.meetings.models import Meeting

    pairs = {p.duplicate: p for p in find_pairs()} if sources_with_meetings() > 1 else {}
    current = {
        pk: (primary, score)
        for pk, primary, score in Meeting.objects.filter(duplicate_of__isnull=False).values_list(
            "id", "duplicate_of_id", "duplicate_score"
        )
    }
    cleared = [pk for pk in current if pk not in pairs]
    changed = [p for pk, p in pairs.items() if current.get(pk) != (p.primary, p.score)]
    table = connection.ops.quote_name(Meeting._meta.db_table)
    with connection.cursor() as cursor:
        if cleared:
            cursor.executemany(
                f"UPDATE {table} SET duplicate_of_id = NULL, duplicate_score = NULL WHERE id = %s",
                [(pk,) for pk in cleared],
            )
        if changed:
            cursor.executemany(
                f"UPDATE {table} SET duplicate_of_id = %s, duplicate_score = %s WHERE id = %s",
                [(p.primary, p.score, p.duplicate) for p in changed],
            )
    return len(cleared) + len(changed)


# --- once per run ---------------------------------------------------------------------------------

# In a run, the pairs are worked out again once this long has passed since they last were, by the
# next source that changes meetings, and once more at the run's end: a copy is listed twice, or a
# changed meeting stays hidden, for about a minute at most, whatever the run's slowest source does.
RUN_PAIR_SECONDS = 60.0
_runs_guard = threading.Lock()
_runs = 0  # ``once_per_run`` blocks open in this process (a run's threads share them)
_due = False  # a change inside one of them: the run's end must work the pairs out again
_paired_at = 0.0  # when the pairs were last worked out in the open run (time.monotonic)
_pair_at_end = False  # a block of the open run may write: pair at its end whatever changed


def after_change() -> None:
    """Work the pairs out again after meetings changed (call it inside the change's transaction);
    inside ``once_per_run``, only when ``RUN_PAIR_SECONDS`` have passed since the run last did, and
    in any case at the run's end (a change another thread has not yet committed is not read here)."""
    global _due, _paired_at
    with _runs_guard:
        if _runs:
            _due = True
            if time_module.monotonic() - _paired_at < RUN_PAIR_SECONDS:
                return
            _paired_at = time_module.monotonic()
    refresh()


@contextmanager
def once_per_run(*, pair_at_end: bool = True) -> Iterator[None]:
    """Sources synced side by side in this block leave the pairing to its end (and to a pairing
    now and then while it lasts, ``RUN_PAIR_SECONDS``): one ``refresh``, in a transaction of its
    own, with a data version of its own when a pair changed (it names no source: the caches re-read
    the duplicate ids themselves). It runs however the block ends, so what the sources committed
    before an error is paired all the same.

    With ``pair_at_end`` (every run that may write: not a dry run) it runs even when no source
    changed meetings: a run whose last pairing failed, or whose process was killed, left committed
    meetings unpaired, and the next run mends that for the price of one read. A pairing that fails
    is logged, never raised: the run's reports still say what each source did."""
    global _runs, _due, _paired_at, _pair_at_end
    with _runs_guard:
        if not _runs:
            _paired_at = time_module.monotonic()
        _runs += 1
        _pair_at_end = _pair_at_end or pair_at_end
    try:
        yield
    finally:
        with _runs_guard:
            _runs -= 1
            due = (_due or _pair_at_end) and _runs == 0
            if _runs == 0:
                _due = _pair_at_end = False
        if due:
            _pair_now()


def _pair_now() -> None:
    from django.db import DatabaseError

    from commonground.meetings.models import DataVersion

    try:
        with transaction.atomic():
            if refresh():
                DataVersion.bump(sources=[])
    except DatabaseError:  # the next run pairs them (``pair_at_end``)
        log.exception("pairing the listings at the end of a run failed; the next run will pair them")
