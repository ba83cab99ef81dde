"""Our meetings as a Meeting Guide JSON feed that existing apps (TSML UI, Meeting Guide) can read.

Every spec field we store goes out. The spec's rules are applied on the way: unique slugs,
``day`` 0–6 and ``HH:MM`` times, an IANA zone on every meeting, types from the program's own
table (languages merged back in as type codes), known-provider conference links only,
``approximate`` as "yes"/"no", ``updated`` in UTC, no HTML, no last names.
A few fields outside the spec that TSML itself emits are added (``attendance_option``,
``program``); coordinates go out only when they are the place's own (not a ZIP or city centre).
Each meeting's notes open with its fellowship and its own attendance rule (``fellowship``), and
``program_notes``/``program_types`` let our own importer read the meeting back as stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC
from typing import TypedDict

from commonground.feeds.anonymity import anonymize_person, email_names_someone
from commonground.feeds.meeting_guide import fellowship
from commonground.feeds.meeting_guide.selection import FeedRow, FeedSelection
from commonground.meetings import types
from commonground.meetings.conference import provider_for
from commonground.meetings.links import safe_href
from commonground.meetings.models import Meeting

PHONE_KEPT = re.compile(r"[^0-9+,#]")
APPROXIMATE_SOURCES = ("postal_code", "city")  # coordinates we resolved, not the place's own


class FeedMeeting(TypedDict, total=False):
    name: str
    slug: str
    day: int
    time: str
    end_time: str
    timezone: str
    types: list[str]
    notes: str
    location: str
    location_notes: str
    address: str
    city: str
    state: str
    postal_code: str
    country: str
    formatted_address: str
    latitude: float
    longitude: float
    approximate: str
    regions: list[str]
    conference_url: str
    conference_url_notes: str
    conference_phone: str
    conference_phone_notes: str
    group: str
    group_notes: str
    updated: str
    url: str
    edit_url: str
    feedback_url: str
    entity_feedback_emails: list[str]
    program_notes: str
    program_types: list[str]
    types_table: str
    entity: str
    entity_email: str
    entity_location: str
    entity_logo: str
    entity_phone: str
    entity_url: str
    attendance_option: str
    program: str


STRING_FIELDS = (
    "notes",
    "location",
    "location_notes",
    "address",
    "city",
    "postal_code",
    "country",
    "formatted_address",
    "conference_url_notes",
    "conference_phone_notes",
    "group",
    "group_notes",
    "entity",
    "entity_email",
    "entity_location",
    "entity_phone",
)
# Links are checked again on the way out (rows stored before the link rules, or edited by hand).
LINK_FIELDS = ("url", "edit_url", "entity_logo", "entity_url")
# Extras that are public by the spec or TSML. Never the group's private contact fields (email,
# phone, mailing address), and never Venmo: its handles are personal accounts, often a full name.
EXTRA_OUT = {
    "square": re.compile(r"\$[A-Za-z0-9_-]{1,20}"),
    "paypal": re.compile(r"[A-Za-z0-9]{1,20}"),
    "homegroup_online": re.compile(r"[A-Za-z0-9_-]{1,64}"),
    "district": None,
    "sub_district": None,
    "group_id": None,
}


def feed_queryset(program: str | None = None, source: str | None = None) -> FeedSelection:
    """The meetings of the feed (all, one program's or one source's), read fast, in id order."""
    return FeedSelection(program, source)


def meeting_to_feed(m: Meeting | FeedRow) -> FeedMeeting:
    table = m.program.type_table
    out: FeedMeeting = {"name": m.name, "slug": m.slug}
    if not m.is_ongoing:
        out["day"] = m.weekday
        out["time"] = m.start_time.strftime("%H:%M")
        if m.end_time is not None:
            out["end_time"] = m.end_time.strftime("%H:%M")
    out["timezone"] = m.timezone
    # Spec codes only, each meaning what the program's code means (clients read them as AA codes).
    codes = list(dict.fromkeys(spec for c in m.types if (spec := types.spec_code(table, c))))
    if m.temporarily_closed and types.TEMPORARILY_CLOSED_CODE not in codes:
        codes.append(types.TEMPORARILY_CLOSED_CODE)
    for language in m.languages:
        code = types.language_code("spec", language)
        if code and code not in codes:
            codes.append(code)
    program = fellowship.feed_program(m.program)
    out["types"] = fellowship.client_codes(program, codes)
    out["types_table"] = "spec"  # for our own importer: these are spec codes, whatever the program
    for name in STRING_FIELDS:
        value = getattr(m, name)
        if value:
            out[name] = value
    # The fellowship and its own rules, where clients show them (TSML UI shows no program field).
    lines = "\n".join(fellowship.program_lines(program, m.types))
    out["notes"] = f"{lines}\n{m.notes}" if m.notes else lines
    out["program_notes"] = lines
    out["program_types"] = _own_codes(m, program.type_table)
    for name in LINK_FIELDS:
        href = safe_href(getattr(m, name))
        if href:
            out[name] = href
    feedback = m.feedback_url
    if feedback.startswith("mailto:") or safe_href(feedback):
        out["feedback_url"] = feedback if feedback.startswith("mailto:") else safe_href(feedback)
    if m.region:
        out["state"] = m.region
    if m.latitude is not None and m.coordinates_source not in APPROXIMATE_SOURCES:
        out["latitude"], out["longitude"] = round(m.latitude, 6), round(m.longitude, 6)
    # Coordinates resolved by us from a ZIP code or a city centre are left out: clients would put
    # the pin and the directions there. Without them, clients route by the address. (Not
    # "approximate": the spec and TSML UI read that as "no in-person location" and hide the address.)
    out["approximate"] = "yes" if m.approximate else "no"
    if m.regions:
        out["regions"] = list(m.regions)
    conference = safe_href(m.conference_url)
    if conference and provider_for(conference):
        out["conference_url"] = conference
    else:
        out.pop("conference_url_notes", None)
    phone = PHONE_KEPT.sub("", m.conference_phone or "")  # what clients keep: digits, + , #
    if phone:
        out["conference_phone"] = phone
    # The source's own time, or when we last saw the row change: clients show "updated 3 days ago".
    updated = m.updated_at or m.changed_at
    if updated:
        out["updated"] = updated.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if m.feedback_emails:
        out["entity_feedback_emails"] = list(m.feedback_emails)
    for n, contact in enumerate(m.contacts[:3], start=1):
        for key in ("name", "email", "phone"):
            value = contact.get(key) or ""
            if key == "name":
                value = anonymize_person(value)
            elif key == "email" and email_names_someone(value, contact.get("name") or ""):
                value = ""  # stored by a version that kept it: never republished
            if value:
                out[f"contact_{n}_{key}"] = value
    for key, pattern in EXTRA_OUT.items():
        value = str(m.extra.get(key) or "")
        if value and (pattern is None or pattern.fullmatch(value)):
            out[key] = value
    for key in ("website", "website_2"):
        href = safe_href(m.extra.get(key))
        if href:
            out[key] = href
    out["attendance_option"] = m.attendance_mode
    out["program"] = m.program_id
    return out


def _own_codes(m, table: str) -> list[str]:
    """The meeting's codes in its own program's table, languages and a closure included."""
    codes = list(m.types)
    for language in m.languages:
        code = types.language_code(table, language)
        if code and code not in codes:
            codes.append(code)
    if m.temporarily_closed and types.TEMPORARILY_CLOSED_CODE not in codes:
        codes.append(types.TEMPORARILY_CLOSED_CODE)
    return codes


def iter_feed(selection: FeedSelection) -> Iterator[FeedMeeting]:
    for meeting in selection:
        yield meeting_to_feed(meeting)


def write_feed(queryset, stream) -> int:
    """Write the feed as a JSON array to a text stream, one meeting per line. Returns the count."""
    count = 0
    stream.write("[")
    for item in iter_feed(queryset):
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        count += 1
    stream.write("\n]\n")
    return count
