"""A participant's companion, shared by their own choice (a code from /me/share): read-only clocks
and check-ins, for as long as the grant stands. The workspace depends on the companion, never the
reverse: the grant lives in ``journal``."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.utils import timezone

from commonground.journal import days
from commonground.journal.models import CheckIn, Clock, ShareGrant
from commonground.peer.models import CompanionLink


def code_hash(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(f"commonground-share:{normal}".encode()).hexdigest()


def link(participant, code: str) -> bool:
    grant = ShareGrant.objects.filter(code_hash=code_hash(code), claimed=False, revoked_at__isnull=True).first()
    if grant is None:
        return False
    grant.claimed = True
    grant.data = {**grant.data, "shared_with": participant.organisation.name,
                  "shared_on": timezone.localdate().isoformat()}
    grant.save(update_fields=["claimed", "data"])
    CompanionLink.objects.create(participant=participant, grant=grant)
    return True


def end_links(participant) -> None:
    """The participant's record is being deleted: the sharing ends, and their companion shows it."""
    grants = ShareGrant.objects.filter(pk__in=CompanionLink.objects.filter(participant=participant)
                                       .values("grant_id"), revoked_at__isnull=True)
    grants.update(revoked_at=timezone.now())


def shared_view(participant) -> dict | None:
    links = CompanionLink.objects.filter(participant=participant).select_related("grant")
    active = [link for link in links if link.grant.active]
    if not active:
        return {"ended": True} if links else None
    user = active[0].grant.user
    now = datetime.now(UTC)
    clocks = []
    for clock in Clock.objects.filter(user=user):
        d = clock.data
        counted = days.count(datetime.fromisoformat(d["start_date"]).date(), days.parse_time(d.get("start_time")),
                             d["timezone"], now, d["timezone"])
        clocks.append({"name": d["name"], "days": counted.days, "hours": counted.hours})
    check_ins = sorted((c.data for c in CheckIn.objects.filter(user=user)), key=lambda c: c["date"])[-14:]
    return {"ended": False, "clocks": clocks, "check_ins": list(reversed(check_ins))}
