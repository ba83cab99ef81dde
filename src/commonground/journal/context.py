"""What every companion page knows about the person: their account, time zone and today, the
favourites shown on several pages, and where to go back to. Not a views module: views import it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils.http import url_has_allowed_host_and_scheme

from commonground.journal.access import mine
from commonground.journal.models import Account, CheckIn, Favourite
from commonground.meetings import schedule
from commonground.meetings.models import meeting_at


def account_of(request) -> Account:
    return Account.objects.get_or_create(user=request.user)[0]


def zone_of(request, account: Account | None = None) -> str:
    account = account or account_of(request)
    return account.data.timezone or "UTC"


def today_for(request, account: Account | None = None) -> date:
    return datetime.now(UTC).astimezone(schedule.zone(zone_of(request, account))).date()


def back_to(request, default: str) -> str:
    target = request.POST.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else default


def favourite_rows(request) -> list[dict]:
    rows = []
    for fav in mine(request, Favourite):
        meeting = meeting_at(fav.data.meeting)
        rows.append({"fav": fav, "meeting": meeting, "name": meeting.name if meeting else fav.data.name})
    return rows


# Check-ins are made in order, one per local day, so today's is among the newest few rows; a few
# rather than one, for a person who moved their clock across the date line and back.
RECENT_ROWS = 7


def todays_check_in(request, today: str) -> CheckIn | None:
    """Today's check-in, decrypting only the newest rows (never every check-in ever made)."""
    recent = mine(request, CheckIn).order_by("-id")[:RECENT_ROWS]
    return next((c for c in recent if c.data.date == today), None)
