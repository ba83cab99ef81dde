"""Sharing a companion with a peer-support organisation: the one part of ``journal`` the workspace
may use. A person makes a one-time code in ``/me/share`` and gives it to their peer specialist;
the workspace claims the grant with it and then reads the person's clocks and check-ins, read-only,
for as long as the grant stands. The person can stop at any time.

Only the code's hash is stored. The grant records which organisation has it, so the person can see
who does. The workspace never sees the companion's models or its encryption: it gets a grant's id
and a ``Shared`` view.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.utils import timezone

from commonground.journal import days
from commonground.journal.models import CheckIn, Clock, ShareGrant

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand
RECENT_CHECK_INS = 14
# What the workspace sees of a check-in: never the note, which the person wrote for themselves.
SHARED_CHECK_IN = ("date", "mood", "craving", "meeting")


def code_hash(code: str) -> str:
    """The stored form of a share code: any case, spaces and dashes are one code."""
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"commonground-share:{normal}".encode()).hexdigest()


def new_code(user, made_on: date) -> str:
    """A new grant for ``user``; the code is shown once, and only its hash is kept."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    code = f"{raw[:5]}-{raw[5:]}"
    ShareGrant.objects.create(user=user, code_hash=code_hash(code), data={"made_on": made_on.isoformat()})
    return code


def claim(code: str, organisation: str) -> int | None:
    """The grant's id once ``organisation`` has claimed the code, or None for a code that was
    never made, already used, or stopped."""
    grant = ShareGrant.objects.filter(code_hash=code_hash(code), claimed=False, revoked_at__isnull=True).first()
    if grant is None:
        return None
    grant.claimed = True
    grant.data = grant.data.but(shared_with=organisation, shared_on=timezone.localdate().isoformat())
    grant.save(update_fields=["claimed", "data"])
    return grant.pk


def stop(grant_ids) -> None:
    """End sharing under these grants (the workspace is deleting the record it was shared with);
    the person's companion shows that it ended."""
    ShareGrant.objects.filter(pk__in=grant_ids, revoked_at__isnull=True).update(revoked_at=timezone.now())


@dataclass(frozen=True)
class Shared:
    ended: bool
    clocks: list[dict]  # {"name", "days", "hours"}
    check_ins: list[dict]  # newest first, the last RECENT_CHECK_INS, SHARED_CHECK_IN fields only


def shared(grant_ids: list[int], now: datetime | None = None) -> Shared | None:
    """What the grants show now: None if there never was one, ``ended`` if every one has stopped."""
    grants = list(ShareGrant.objects.filter(pk__in=grant_ids).order_by("id"))
    active = [grant for grant in grants if grant.active]
    if not active:
        return Shared(ended=True, clocks=[], check_ins=[]) if grants else None
    user_id = active[0].user_id
    now = now or datetime.now(UTC)
    clocks = []
    for clock in Clock.objects.filter(user_id=user_id):
        d = clock.data
        counted = days.count(
            datetime.fromisoformat(d.start_date).date(), days.parse_time(d.start_time), d.timezone, now, d.timezone
        )
        clocks.append({"name": d.name, "days": counted.days, "hours": counted.hours})
    recent = sorted(
        ({key: getattr(c.data, key) for key in SHARED_CHECK_IN} for c in CheckIn.objects.filter(user_id=user_id)),
        key=lambda c: c["date"],
    )
    return Shared(ended=False, clocks=clocks, check_ins=list(reversed(recent[-RECENT_CHECK_INS:])))
