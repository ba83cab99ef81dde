"""An .ics file for a weekly meeting: a weekly RRULE and a correct VTIMEZONE, made with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone

from commonground.meetings import schedule
from commonground.meetings.links import safe_href
from commonground.meetings.models import Meeting

BYDAY = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


def meeting_calendar(meeting: Meeting, page_url: str, now: datetime | None = None) -> bytes:
    return meetings_calendar([(meeting, page_url)], now=now)


def meetings_calendar(items, now: datetime | None = None, name: str = "") -> bytes:
    """One calendar for several meetings ((meeting, page url) pairs): a VTIMEZONE per zone used."""
    now = now or datetime.now(UTC)
    cal = Calendar()
    cal.add("prodid", "-//Common Ground//Meeting finder//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    zones = {}
    events = []
    for meeting, page_url in items:
        if meeting.is_ongoing:
            continue
        first = meeting.next_start(now).astimezone(meeting.zone)
        zones.setdefault(meeting.timezone, (meeting.zone, first))
        events.append(_event(meeting, page_url, first))
    for tzid, (zone, first) in sorted(zones.items()):
        cal.add_component(
            Timezone.from_tzinfo(
                zone,
                tzid=tzid,
                first_date=(first - timedelta(days=366)).date(),
                last_date=(first + timedelta(days=3 * 366)).date(),
            )
        )
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def _event(meeting: Meeting, page_url: str, first: datetime) -> Event:
    # DTSTART is the meeting's wall-clock time; a calendar resolves DST gaps the RFC 5545 way,
    # just as our engine does, so every occurrence lands where search says it will.
    local_start = datetime.combine(first.date(), meeting.start_time, tzinfo=meeting.zone)
    event = Event()
    event.add("uid", f"{meeting.ref}@commonground")  # lasting, like the page address
    event.add("dtstamp", datetime.now(UTC))
    event.add("summary", f"{meeting.name} ({meeting.program.short_name})")
    event.add("dtstart", local_start)
    event.add("duration", meeting.duration)
    event.add("rrule", {"freq": "weekly", "byday": BYDAY[meeting.weekday]})
    if meeting.formatted_address and not meeting.approximate:
        event.add("location", ", ".join(p for p in (meeting.location, meeting.formatted_address) if p))
    join = safe_href(meeting.conference_url) if meeting.conference_provider else None
    if not (meeting.formatted_address and not meeting.approximate) and join:
        event.add("location", join)
    lines = [f"{meeting.program.name}."]
    if join:
        lines.append(f"Join: {join}")
        if meeting.conference_url_notes:
            lines.append(meeting.conference_url_notes)
    if meeting.conference_phone:
        lines.append(f"Phone: {meeting.conference_phone} {meeting.conference_phone_notes}".strip())
    if meeting.notes:
        lines.append(meeting.notes)
    lines.append(page_url)
    event.add("description", "\n".join(lines))
    event.add("url", page_url)
    return event


def first_occurrence(ics: bytes) -> datetime:
    """The first start in an .ics made above, as an aware UTC datetime (for tests and checks)."""
    cal = Calendar.from_ical(ics)
    event = next(c for c in cal.walk("VEVENT"))
    start = event.decoded("dtstart")
    return schedule.occurrence(start.date(), start.time(), start.tzinfo)
