"""A participant's companion, shared by their own choice (a code from /me/share): read-only clocks
and check-ins, for as long as the grant stands. The workspace depends on the companion, never the
reverse, and only through ``journal.sharing``: the grant and its rules live there."""

from __future__ import annotations

from commonground.journal import sharing
from commonground.peer.models import CompanionLink


def link(participant, code: str) -> bool:
    grant_id = sharing.claim(code, participant.organisation.name)
    if grant_id is None:
        return False
    CompanionLink.objects.create(participant=participant, grant_id=grant_id)
    return True


def _grant_ids(participant) -> list[int]:
    return list(CompanionLink.objects.filter(participant=participant).values_list("grant_id", flat=True))


def end_links(participant) -> None:
    """The participant's record is being deleted: the sharing ends, and their companion shows it."""
    sharing.stop(_grant_ids(participant))


def shared_view(participant) -> sharing.Shared | None:
    return sharing.shared(_grant_ids(participant))
