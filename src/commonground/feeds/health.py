"""A source's health between syncs: what a failure records, when to try again, when it is due.

- A failed sync is recorded with its reason; the source's meetings stay as they were. After
  ``SOURCE_DISCONNECT_DAYS`` without a good sync its meetings leave search and the feed.
- Failures in a row back off: a scheduled sync leaves the source alone for
  ``SYNC_MIN_INTERVAL_MINUTES`` × 2^(failures − 1), at most ``SYNC_MAX_BACKOFF_HOURS``, or for
  as long as the server's ``Retry-After`` asked if that is longer (a 429 or a 503).
- A scheduled sync (``sync --scheduled``) syncs a source at most every
  ``SYNC_MIN_INTERVAL_MINUTES``: the field's servers change their data a few times a day at most
  (BMLT's aggregator imports every 4 hours), so asking more often only costs them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from commonground.meetings import duplicates
from commonground.meetings.models import DataVersion, Source, SyncStatus

log = logging.getLogger(__name__)


def backoff(failures: int, retry_after: int | None = None) -> timedelta:
    """How long to leave a source alone after its ``failures``-th failure in a row."""
    interval = timedelta(minutes=settings.SYNC_MIN_INTERVAL_MINUTES)
    longest = timedelta(hours=settings.SYNC_MAX_BACKOFF_HOURS)
    wait = min(interval * 2 ** min(max(failures - 1, 0), 20), longest)
    if retry_after:
        wait = max(wait, min(timedelta(seconds=retry_after), timedelta(days=7)))
    return wait


def recovered() -> dict:
    """The fields a good sync resets."""
    return {"failures": 0, "next_sync_after": None}


def record_failure(source: Source, message: str, *, retry_after: int | None = None) -> None:
    """Record a failed sync and its backoff; after SOURCE_DISCONNECT_DAYS without a good one,
    disconnect the source."""
    now = timezone.now()
    try:
        with transaction.atomic():
            row = (
                Source.objects.select_for_update()
                .filter(pk=source.pk)
                .values("last_ok_at", "disconnected_at", "failures")
                .first()
            )
            failures = (row["failures"] if row else 0) + 1
            fields = {
                "last_sync_at": now,
                "last_status": SyncStatus.FAILED,
                "last_error": message,
                "last_feed_digest": "",
                "failures": failures,
                "next_sync_after": now + backoff(failures, retry_after),
            }
            limit = timedelta(days=settings.SOURCE_DISCONNECT_DAYS)
            if row and row["last_ok_at"] and not row["disconnected_at"] and now - row["last_ok_at"] > limit:
                fields["disconnected_at"] = now
            Source.objects.filter(pk=source.pk).update(**fields)
            if "disconnected_at" in fields:  # its meetings leave search and the feed
                duplicates.after_change()  # (a listing it duplicated comes back)
                DataVersion.bump(sources=[source.pk])
    except DatabaseError:  # the database itself is the trouble: the report still says what happened
        log.exception("could not record the failed sync of %s", source.name)


def mark_stale(source: Source, message: str) -> None:
    """The source's origin says its copy is stale: its meetings leave search and the feed (never
    shown as current) until a good sync brings them back, and the source says why."""
    now = timezone.now()
    with transaction.atomic():
        was = Source.objects.filter(pk=source.pk).values_list("disconnected_at", flat=True).first()
        Source.objects.filter(pk=source.pk).update(
            last_sync_at=now, last_status=SyncStatus.STALE, last_error=message, disconnected_at=was or now
        )
        if was is None:
            duplicates.after_change()
            DataVersion.bump(sources=[source.pk])


def due(source: Source, now: datetime | None = None) -> bool:
    """Whether a scheduled sync should sync ``source`` now."""
    now = now or timezone.now()
    if source.next_sync_after and now < source.next_sync_after:
        return False
    if source.failures:  # its backoff has run out
        return True
    interval = timedelta(minutes=settings.SYNC_MIN_INTERVAL_MINUTES)
    return source.last_sync_at is None or now - source.last_sync_at >= interval


def waiting_reason(source: Source, now: datetime | None = None) -> str:
    """Why a scheduled sync leaves ``source`` alone, in words ("" when it is due)."""
    now = now or timezone.now()
    if due(source, now):
        return ""
    if source.next_sync_after and now < source.next_sync_after:
        left = source.next_sync_after - now
        return f"backing off after {source.failures} failed sync(s); next try in {_span(left, up=True)}"
    left = source.last_sync_at + timedelta(minutes=settings.SYNC_MIN_INTERVAL_MINUTES) - now
    return f"synced {_span(now - source.last_sync_at)} ago; due again in {_span(left, up=True)}"


def _span(delta: timedelta, *, up: bool = False) -> str:
    """Hours and minutes, rounded down (or up, for a time still to come)."""
    seconds = max(0, delta.total_seconds())
    minutes = int(-(-seconds // 60) if up else seconds // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def status(source: Source, now: datetime | None = None) -> str:
    """How a source is, in one word for people and clients (``/api/v1/sources``):

    - ``failing``: its last sync failed (its meetings are kept until it is disconnected), or it is
      disconnected;
    - ``stale``: no good sync for ``SOURCE_WARN_HOURS``, or never one, or its origin says its copy
      is stale;
    - ``ok``: otherwise.
    """
    now = now or timezone.now()
    if source.last_status == SyncStatus.STALE:  # its origin says so (the BMLT export's stale roots)
        return "stale"
    if source.disconnected_at or source.last_status == SyncStatus.FAILED:
        return "failing"
    if source.last_ok_at is None or now - source.last_ok_at > timedelta(hours=settings.SOURCE_WARN_HOURS):
        return "stale"
    return "ok"
