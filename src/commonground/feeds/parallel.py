"""Normalising a feed's rows on every core, in feed order.

Reading a row into meetings (``to_meetings``, then ``derive``) is per-row Python and was half of
a first import. The sync's own work (matching keys, writing batches) must stay in one process,
inside its transaction, so only the normalising moves: the sync reads the feed, hands rows in
chunks to forked workers, and takes the outcomes back in the feed's order. A worker touches no
database and no shared state; it gets the row and returns what the sync would have computed.

Workers start only once ``IMPORT_PARALLEL_ROWS`` rows have had to be read (rows whose raw digest
is stored from the last sync need no reading), or ``2 * CHUNK`` when nothing is stored: a small
feed, or a re-sync that changed little, stays in the sync's process. That matters beyond the
fork itself: while workers live, every page the sync's process writes that existed before the
fork is copied, which costs a re-sync of 100,000 unchanged rows a third of its time. At most ``_AHEAD`` chunks per worker are out at a
time, so a million-row feed is never read far ahead of what has been written.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from collections import deque
from itertools import islice

from django.conf import settings

from commonground.feeds.errors import RowSkip
from commonground.feeds.fields import Context, make_slug
from commonground.feeds.jsonstream import TextRow, reread
from commonground.feeds.normalize import row_key, to_meetings
from commonground.meetings.derive import derive

log = logging.getLogger(__name__)
KNOWN, SKIP, ERROR, OK = "known", "skip", "error", "ok"
CHUNK = 500
_AHEAD = 8  # chunks handed out and not yet taken back, per worker
# Workers run at a lower priority. The sync's process is the pipeline's narrow end (it reads the
# feed and writes every row, and workers only wait on it); on two cores three busy processes
# would otherwise share them evenly. It also leaves the web workers ahead of an import.
NICE = 10
# What a forked worker needs, set in the parent just before forking (fork copies it).
_state: dict = {}


def raw_digest(row, context: str) -> str:
    """A digest of the row as the feed gave it, and of how it is read (``context``)."""
    if type(row) is TextRow:  # its JSON text, as it came
        return text_digest(row.text, context)
    # repr() of a parsed row is stable for the same input and much cheaper than json.dumps.
    return hashlib.sha1(f"{context}|{row!r}".encode(), usedforsecurity=False).hexdigest()


def text_digest(text: str, context: str) -> str:
    return hashlib.sha1(f"{context}|json|{text}".encode(), usedforsecurity=False).hexdigest()


def normalise(row, ctx: Context, context: str, known, pack) -> tuple:
    """(raw key, raw digest, outcome, detail) for one feed row.

    ``known``: raw digests stored from the last sync; such a row is not parsed again (KNOWN).
    Otherwise SKIP (field, message), ERROR (the exception's name and repr) or OK (the row's
    meetings, each derived and made by ``pack`` into what the sync writes, and the row's warnings).
    """
    raw_key, digest, stored = identify(row, context, known)
    if stored:
        return raw_key, digest, KNOWN, None
    return (raw_key, digest, *read(row, ctx, digest, pack))


def identify(row, context: str, known) -> tuple[str, str, bool]:
    """(raw key, raw digest, whether that digest is among ``known``): cheap, and needs no reading."""
    raw_key = row_key(row) if isinstance(row, dict) else ""
    digest = raw_digest(row, context)
    return raw_key, digest, bool(raw_key) and known is not None and digest in known


def read(row, ctx: Context, digest: str, pack) -> tuple:
    """(outcome, detail) of normalising one row: SKIP, ERROR or OK, as ``normalise`` says.

    ``pack(meeting, slug_wanted)`` makes a derived meeting into what the sync keeps of it (see
    ``sync.Packer``); a meeting read with warnings gets no raw digest, so that a re-sync reads
    the row again and reports them again."""
    ctx.warnings = []
    try:
        meetings = to_meetings(row, ctx)
    except RowSkip as skip:
        return SKIP, (skip.field, skip.message)
    except (ValueError, TypeError, OverflowError, ArithmeticError, KeyError, AttributeError) as exc:
        return ERROR, (type(exc).__name__, repr(exc))
    source_hash = "" if ctx.warnings else digest
    packed = []
    for meeting in meetings:
        derive(meeting, ctx.programs.get(meeting["program_id"], ctx.table))
        meeting["source_hash"] = source_hash
        # The slug it would like, should it be new (the sync makes it unique across sources).
        packed.append(pack(meeting, make_slug(meeting.pop("slug_hint", "") or meeting["key"])))
    return OK, (packed, ctx.warnings)


def _read_in_worker(items: list) -> list[tuple]:
    """Each (row, or its JSON text; raw digest or None) read; a digest the sync did not need is
    made here."""
    ctx, pack, context = _state["ctx"], _state["pack"], _state["context"]
    out = []
    for row, text, digest in items:
        if text is not None:
            row = reread(text)
            digest = digest or text_digest(text, context)
        elif digest is None:
            digest = raw_digest(row, context)
        out.append((digest, *read(row, ctx, digest, pack)))
    return out


def _item(row, digest) -> tuple:
    """What a worker is sent for a row: its JSON text when the reader kept it (see TextRow)."""
    return (None, row.text, digest) if type(row) is TextRow else (row, None, digest)


def workers() -> int:
    """Processes to normalise in: 1 (this one) where forking is unsafe or impossible. A sync run
    in a thread (``sync --jobs``) never forks: a child copies every lock another thread holds."""
    if threading.current_thread() is not threading.main_thread():
        return 1
    wanted = settings.IMPORT_WORKERS or min(os.cpu_count() or 1, 4)
    return wanted if "fork" in multiprocessing.get_all_start_methods() else 1


class Normaliser:
    """``with Normaliser(rows, ctx, context, known, pack) as outcomes:`` then
    ``for index, row, (raw_key, digest, outcome, detail) in outcomes``. ``known`` is the live
    set of stored digests, read when a chunk is handed out: a KNOWN can be stale by the time it
    is taken (an earlier identical row took the digest), and the sync then reads that row itself.
    ``pack`` is ``read``'s, and runs in the workers."""

    def __init__(self, rows, ctx: Context, context: str, known, pack):
        self.rows, self.ctx, self.context, self.known, self.pack = rows, ctx, context, known, pack
        self.pool = None

    def __enter__(self):
        return self._outcomes()

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def _outcomes(self):
        numbered = enumerate(self.rows, start=1)
        serial = max(0, int(settings.IMPORT_PARALLEL_ROWS))
        if not self.known:  # nothing stored (a first import): every row must be read, so start soon
            serial = min(serial, 2 * CHUNK)
        count = workers()
        unread = 0
        for index, row in numbered:
            outcome = normalise(row, self.ctx, self.context, self.known, self.pack)
            yield index, row, outcome
            unread += outcome[2] != KNOWN
            if count > 1 and unread >= serial:
                break
        else:
            return
        first = list(islice(numbered, CHUNK))
        if len(first) < CHUNK:  # too few left to be worth a worker
            for index, row in first:
                yield index, row, normalise(row, self.ctx, self.context, self.known, self.pack)
            return
        _state.update(ctx=self.ctx, pack=self.pack, context=self.context)
        try:
            self.pool = multiprocessing.get_context("fork").Pool(count, initializer=os.nice, initargs=(NICE,))
        finally:
            _state.clear()
        pending: deque = deque()
        chunk = first
        while chunk:
            pending.append(self._hand_out(chunk))
            if len(pending) >= _AHEAD * count:
                yield from self._take(pending.popleft())
            chunk = list(islice(numbered, CHUNK))
        while pending:
            yield from self._take(pending.popleft())

    def _hand_out(self, chunk: list) -> tuple:
        """Each row's key and digest, here; the rows that must be read go to a worker. A row
        whose digest is stored is not sent at all: pickling it would cost more than that. When no
        digest is stored (a first import, or every one matched already), none can match, so the
        workers make the digests too."""
        if not self.known:
            heads = [(row_key(row) if isinstance(row, dict) else "", None, False) for _, row in chunk]
            unread = [_item(row, None) for _, row in chunk]
        else:
            heads, unread = [], []
            for _, row in chunk:
                head = identify(row, self.context, self.known)
                heads.append(head)
                if not head[2]:
                    unread.append(_item(row, head[1]))
        return chunk, heads, self.pool.apply_async(_read_in_worker, (unread,)) if unread else None

    @staticmethod
    def _take(item):
        chunk, heads, result = item
        outcomes = iter(result.get() if result is not None else ())
        for (index, row), (raw_key, digest, known) in zip(chunk, heads, strict=True):
            yield index, row, (raw_key, digest, KNOWN, None) if known else (raw_key, *next(outcomes))
