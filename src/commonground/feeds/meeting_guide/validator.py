"""Check a Meeting Guide JSON feed against the spec's rules and the rules our own export keeps.

Errors are what makes a meeting wrong or unreadable for consumers (bad day, time, zone, slug,
an unknown provider link, HTML, a last name). Warnings are what the spec only recommends.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass

from commonground.feeds.meeting_guide import fellowship
from commonground.feeds.meeting_guide.reader import parse
from commonground.meetings import schedule, types
from commonground.meetings.conference import provider_for

SLUG_OK = re.compile(r"^[A-Za-z0-9._~-]+$")
TIME_OK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
UPDATED_OK = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
PHONE_OK = re.compile(r"^\+?[0-9,*#]+$")
EMAIL_OK = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Markup as an HTML tokenizer sees it: "<" directly followed by a letter, "/", "!" or "?" and
# closed by ">". "3 < 4 and 5 > 2" is text; entities are decoded first, as clients decode them.
HTML = re.compile(r"<[a-zA-Z/!?][^>]*>")
TEXT_FIELDS = (
    "name",
    "notes",
    "location",
    "location_notes",
    "group",
    "group_notes",
    "formatted_address",
    "address",
    "city",
    "conference_url_notes",
    "conference_phone_notes",
    "entity",
)
ENTITY_FIELDS = (
    "entity_email",
    "entity_location",
    "entity_logo",
    "entity_phone",
    "entity_url",
    "entity_website_url",
    "entity_feedback_emails",
)


@dataclass
class Problem:
    row: int
    slug: str | None
    field: str | None
    severity: str  # "error" | "warning"
    message: str


def has_last_name(name: str) -> bool:
    """True when a contact name carries more than a first name and an initial ("Bill W." is fine)."""
    words = name.split()
    return len(words) > 1 and any(len(w.rstrip(".")) > 1 for w in words[1:])


def validate_rows(rows: list, default_program_table: str = "spec") -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(Problem(index, None, None, "error", "each meeting must be a JSON object"))
            continue
        slug = row.get("slug")
        slug_text = str(slug) if isinstance(slug, str | int) and not isinstance(slug, bool) else None

        def add(field, message, severity="error"):
            problems.append(Problem(index, slug_text, field, severity, message))  # noqa: B023

        name = row.get("name")
        if not isinstance(name, str) or not name.strip():
            add("name", "name is required")
        elif len(name) > 255:
            add("name", "name is longer than 255 characters")
        elif len(name) > 64:
            add("name", "names over 64 characters are cut short by apps", "warning")
        if slug_text is None or not slug_text.strip():
            add("slug", "slug is required (a string or number)")
        else:
            if slug_text in seen:
                add("slug", f"slug {slug_text!r} is already used on row {seen[slug_text]}")
            seen.setdefault(slug_text, index)
            if len(slug_text) > 64 or not SLUG_OK.match(slug_text):
                add("slug", "slug must be URL-safe (letters, digits, - . _ ~) and at most 64 characters")
        _check_schedule(row, add)
        _check_place(row, add)
        _check_online(row, add)
        # Clients read every code as a spec code, whatever the row's program says; so do we,
        # unless told which program's table the feed uses (validate --program).
        program_table = default_program_table
        for code in row.get("types") or []:
            if not isinstance(code, str) or not types.is_valid_code(program_table, code):
                add("types", f"type {code!r} is not in the {program_table} code table")
        program = row.get("program")
        shown = {"C", "O"} & set(c for c in row.get("types") or [] if isinstance(c, str))
        if isinstance(program, str) and program not in fellowship.TSML_RULES_PROGRAMS and shown:
            add(
                "types",
                f"TSML UI describes {', '.join(sorted(shown))} in AA's words, not {program}'s: "
                "say who may attend in the notes instead",
                "warning",
            )
        if "approximate" in row and row["approximate"] not in ("yes", "no"):
            add("approximate", 'approximate must be "yes" or "no"')
        updated = row.get("updated")
        if updated is not None and not (isinstance(updated, str) and UPDATED_OK.match(updated)):
            add("updated", 'updated must be "YYYY-MM-DD HH:MM:SS" in UTC')
        for field in TEXT_FIELDS:
            if isinstance(row.get(field), str) and HTML.search(html.unescape(row[field])):
                add(field, f"{field} contains HTML; feeds must be plain text")
        for key in ("entity_feedback_emails", "feedback_emails"):
            emails = row.get(key)
            if emails is not None and (
                not isinstance(emails, list) or any(not isinstance(e, str) or not EMAIL_OK.match(e) for e in emails)
            ):
                add(key, f"{key} must be a list of e-mail addresses")
        if any(row.get(f) for f in ENTITY_FIELDS) and not row.get("entity"):
            add("entity", "entity is required when other entity_* fields are given")
        for n in (1, 2, 3):
            contact = row.get(f"contact_{n}_name")
            if isinstance(contact, str) and has_last_name(contact):
                add(f"contact_{n}_name", 'contact names must not include a last name (use "Bill W.")')
    return problems


def _check_schedule(row: dict, add) -> None:
    day, time, end = row.get("day"), row.get("time"), row.get("end_time")
    days = day if isinstance(day, list) else [day] if day is not None else []
    for d in days:
        if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6:
            add("day", f"day {d!r} must be a whole number 0–6 (0 = Sunday)")
    if time is not None and not (isinstance(time, str) and TIME_OK.match(time)):
        add("time", f"time {time!r} must be HH:MM on a 24-hour clock")
    if end is not None and not (isinstance(end, str) and TIME_OK.match(end)):
        add("end_time", f"end_time {end!r} must be HH:MM on a 24-hour clock")
    if (day is None) != (time is None):
        add("day" if day is None else "time", "day and time go together (leave both out for by-appointment)")
    zone = row.get("timezone")
    if zone is None:
        add("timezone", "every meeting needs an IANA timezone (apps drop meetings without one)")
    elif not isinstance(zone, str) or zone not in schedule.valid_zone_names():
        add("timezone", f"{zone!r} is not an IANA time zone")


def _check_place(row: dict, add) -> None:
    if not (row.get("formatted_address") or row.get("address") or row.get("city")):
        add("formatted_address", "a formatted_address (or address and city) is required, even online")
    lat, lng = row.get("latitude"), row.get("longitude")
    if lat is not None or lng is not None:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lng)):
            add("latitude", "latitude and longitude must both be numbers")
        elif not (-90 <= lat <= 90 and -180 <= lng <= 180):
            add("latitude", "coordinates are out of range")


def _check_online(row: dict, add) -> None:
    url = row.get("conference_url")
    if url is not None and (not isinstance(url, str) or not provider_for(url)):
        add("conference_url", f"{url!r} is not a link to a known meeting provider")
    phone = row.get("conference_phone")
    if phone is not None and (not isinstance(phone, str) or not PHONE_OK.match(phone)):
        add("conference_phone", "conference_phone may hold only digits, a leading +, and , * #")


def validate_bytes(body: bytes, location: str, program_table: str = "spec") -> dict:
    """Validate a feed body. Raises FeedError if it is not a JSON array at all."""
    rows = list(parse(body, location).rows)
    problems = validate_rows(rows, program_table)
    errors = sum(p.severity == "error" for p in problems)
    return {
        "valid": errors == 0,
        "meetings": len(rows),
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [asdict(p) for p in problems],
    }
