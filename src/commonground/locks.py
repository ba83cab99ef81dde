"""One sync per source at a time, and on SQLite one writer at a time, with a clear wait.

- Two syncs of the same source would each plan against the same stored rows; the second would
  apply a stale plan. A per-source lock makes the second one wait (or refuse, with ``wait=False``)
  and then plan against what the first one wrote.
- SQLite has one write lock for the whole file. A small import started during a big one used to
  give up after the busy timeout with "database is locked"; now it queues here instead and says
  so. PostgreSQL writers do not block each other, so only the per-source lock applies there.

SQLite locks are ``flock`` files beside the database; PostgreSQL uses advisory locks.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from contextlib import ExitStack, contextmanager

from django.db import connection

from commonground.runtime import runtime_dir

NOTIFY_AFTER_SECONDS = 1.0


class LockBusy(Exception):
    """Raised with ``wait=False`` when another process holds the lock."""


def _key(name: str) -> str:
    return hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:16]


@contextmanager
def file_lock(path, *, wait: bool, what: str, notify):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise LockBusy(what) from None
            if notify:
                notify(f"Waiting for {what} to finish ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def _advisory_lock(name: str, *, wait: bool, what: str, notify):
    key = int(_key(f"commonground:{name}"), 16) & 0x7FFF_FFFF_FFFF_FFFF
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
        if not acquired:
            if not wait:
                raise LockBusy(what)
            if notify:
                notify(f"Waiting for {what} to finish ...")
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextmanager
def source_lock(source_name: str, *, wait: bool = True, notify=None):
    """Hold the lock for one source (by name); on SQLite, then the database's writer slot."""
    with ExitStack() as stack:
        what = f"another sync of {source_name!r}"
        if connection.vendor == "postgresql":
            stack.enter_context(_advisory_lock(f"source:{source_name}", wait=wait, what=what, notify=notify))
        else:
            folder = runtime_dir("locks")
            stack.enter_context(
                file_lock(folder / f"source-{_key(source_name)}.lock", wait=wait, what=what, notify=notify)
            )
            stack.enter_context(writer_lock(wait=wait, notify=notify))
        yield


@contextmanager
def writer_lock(*, wait: bool = True, notify=None):
    """SQLite's single writer slot (a no-op on PostgreSQL): hold it around long write transactions."""
    if connection.vendor == "postgresql":
        yield
        return
    started = time.monotonic()
    with file_lock(
        runtime_dir("locks") / "writer.lock", wait=wait, what="another import writing to the database", notify=notify
    ):
        waited = time.monotonic() - started
        if notify and waited > NOTIFY_AFTER_SECONDS:
            notify(f"... waited {waited:.0f} s; going on.")
        yield
