"""A saved meeting's reference (``<source>/<key>``), written and read in one place for the companion."""

from __future__ import annotations

from commonground.meetings.models import Meeting


def meeting_ref(meeting: Meeting) -> str:
    return f"{meeting.source.slug}/{meeting.key}"


def meeting_at(ref: str) -> Meeting | None:
    source, _sep, key = (ref or "").partition("/")
    if not source or not key:
        return None
    return Meeting.objects.select_related("program", "source").filter(source__slug=source, key=key).first()
