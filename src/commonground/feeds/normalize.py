"""One Meeting Guide–shaped row -> meeting dicts (one per weekday) ready for ``meetings.derive.derive``.

Every reader (Meeting Guide JSON, TSML CSV, BMLT) first reshapes its rows into the Meeting Guide
vocabulary; this module applies one set of rules to all of them, using the parsers in
``fields.py``. It raises nothing but ``RowSkip``: a row is imported (perhaps with warnings about
fields cleaned or dropped) or skipped with a reason.

The decisions made here (which rows are kept, which fields are cleaned, where a missing time
zone comes from) are listed, with the sample rows that show them, in ``docs/feeds.md``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from commonground.feeds import columns
from commonground.feeds.anonymity import anonymize_person, email_names_someone, likely_full_names, may_name_someone
from commonground.feeds.errors import RowSkip
from commonground.feeds.fields import (
    EXTRA_FIELDS,
    LINK_EXTRAS,
    NOTE_FIELDS,
    Context,
    ascii_number,
    clean_text,
    parse_bool,
    parse_days,
    parse_float,
    parse_time,
    parse_updated,
)
from commonground.feeds.text import storable, unstorable
from commonground.meetings import schedule, types
from commonground.meetings.conference import clean_phone, conference_link, is_dialable, provider_for_host
from commonground.meetings.links import LinkError, web_link
from commonground.places.gazetteer import US_STATES, gazetteer, timezone_at

# (field, keeps line breaks). "state" is stored as region.
TEXT_FIELDS = tuple(
    (f, False)
    for f in (
        "group",
        "location",
        "address",
        "city",
        "state",
        "postal_code",
        "country",
        "formatted_address",
        "entity",
        "entity_location",
    )
) + tuple((f, True) for f in NOTE_FIELDS)
# Text that needs clean_text: markup, entities, runs of whitespace, or what cannot be stored.
_NEEDS_CLEANING = re.compile(r"[<&\n\t\r\x00\ud800-\udfff]|  ")
# "..., CO 80202, USA": a US state abbreviation followed by a ZIP code.
US_ZIP_IN_ADDRESS = re.compile(r"\b([A-Z]{2})\s+(\d{5})(?:-\d{4})?\b", re.A)


def _as_list(value) -> list:
    """A feed's list field as a list: a list as is, a comma-separated string split, else empty."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part for part in value.split(",")]
    return []


def row_key(row: dict) -> str:
    """The row's slug as a string ("" when missing). Numbers are fine: 1047 -> "1047"."""
    slug = row.get("slug")
    if slug is None or isinstance(slug, bool | list | dict):
        return ""
    return str(slug).strip()


def to_meetings(row: dict, ctx: Context) -> list[dict]:
    """Normalise ``row``; raise RowSkip if it cannot be imported. Warnings go to ``ctx``."""
    if not isinstance(row, dict):
        raise RowSkip(None, "the row is not an object")
    key = row_key(row)
    if not key:
        raise RowSkip("slug", "the row has no slug (a stable id is needed to keep meetings in sync)")
    if row.get("_skip"):  # a reader already knows this row cannot be used
        raise RowSkip(*row["_skip"])
    name, had_html = clean_text(row.get("name"))
    if had_html:
        ctx.warn("name", "HTML was removed from the name")
    if not name:
        raise RowSkip("name", "the row has no name")

    days = parse_days(_iso_sunday(row.get("day"), ctx))
    start = parse_time(row.get("time"))
    end = parse_time(row.get("end_time"), "end_time") if row.get("end_time") not in (None, "") else None
    duration = _duration(row, start, end, ctx)
    if (days is None) != (start is None):
        ctx.warn("day" if days is None else "time", "a day without a time (or the reverse) is kept as by appointment")
        days, start, duration = None, None, None

    program, table = ctx.program, ctx.table
    if isinstance(row.get("program"), str) and row["program"] in ctx.programs:
        program, table = row["program"], ctx.programs[row["program"]]
    # Our own feed (and any that says so) writes spec codes for every program.
    types_table = "spec" if row.get("types_table") == "spec" else table
    m = {"program_id": program, "name": name, "slug_hint": str(row.get("_slug") or "")}
    for field_name, multiline in TEXT_FIELDS:
        value = row.get(field_name)
        if not value:
            m[field_name] = ""
        elif type(value) is str and not _NEEDS_CLEANING.search(value):  # the common case, cheaply
            m[field_name] = value.strip()
        else:
            text, had_html = clean_text(value, multiline=multiline)
            if had_html:
                ctx.warn(field_name, f"HTML was removed from {field_name}")
            m[field_name] = text
    m["region"] = m.pop("state")
    if m["country"] in ("US", "United States"):
        m["country"] = "USA"
    if m["country"] == "USA" and m["postal_code"].isdigit() and len(m["postal_code"]) < 5:
        m["postal_code"] = m["postal_code"].zfill(5)
    if not m["formatted_address"]:
        state_zip = " ".join(p for p in (m["region"], m["postal_code"]) if p)
        m["formatted_address"] = ", ".join(p for p in (m["address"], m["city"], state_zip, m["country"]) if p)
    _online(row, m, ctx)
    for field_name in ("url", "edit_url", "entity_logo"):
        m[field_name] = _link(row.get(field_name), field_name, ctx)
    m["entity_url"] = _link(row.get("entity_url") or row.get("entity_website_url"), "entity_url", ctx)
    m["feedback_url"] = _link(row.get("feedback_url"), "feedback_url", ctx, mailto=True)
    m["entity_email"] = _email(row.get("entity_email"), "entity_email", ctx)
    m["entity_phone"] = clean_text(row.get("entity_phone"))[0]
    columns.fit(m, ctx.warn)  # every text column, before anything looks the place up

    free_text = [
        (f, name if f == "name" else m[f])
        for f in ("name", "group", "notes", "location", "location_notes", "group_notes")
    ]
    if may_name_someone("\n".join(text for _, text in free_text)):  # one quick look, not six slow ones
        for field_name, text in free_text:
            for phrase in likely_full_names(text):
                ctx.warn(
                    field_name,
                    f"{field_name} may hold a full name ({phrase!r}); mutual-help listings use a "
                    "first name and last initial. Please check it at the source",
                )
    _coordinates(row, m, ctx)
    _approximate(row, m)
    unknown_types = _types(row, m, types_table, ctx)
    if types_table != table:  # store the program's own codes, as every other feed gives them
        m["types"] = [own for code in m["types"] if (own := _own_code(table, code))]
    m["regions"] = _regions(row)
    m["timezone"] = _timezone(row, m, ctx, ongoing=days is None)

    updated = row.get("updated")
    m["updated_at"] = parse_updated(updated)
    if updated and m["updated_at"] is None:
        ctx.warn("updated", f"updated {updated!r} is not a date like 2024-05-31 14:32:23; ignored")
    emails = row.get("entity_feedback_emails") or row.get("feedback_emails")  # the spec's name, or TSML's
    m["feedback_emails"] = [e for e in (_email(item, "feedback_emails", ctx) for item in _as_list(emails)) if e]
    m["contacts"] = _contacts(row, ctx) if not row.get("_private_contacts") else []
    m["extra"] = {}
    for k in EXTRA_FIELDS:
        if row.get(k) in (None, ""):
            continue
        value = _link(row[k], k, ctx) if k in LINK_EXTRAS else clean_text(row[k])[0][:200]
        if value:
            m["extra"][k] = value
    m["extra"].update({k: storable(v) if isinstance(v, str) else v for k, v in (row.get("_extra") or {}).items()})
    if unknown_types:
        m["extra"]["unknown_types"] = ",".join(unknown_types)

    if days is None:
        columns.check_key(key)
        return [{**m, "key": key, "weekday": None, "start_time": None, "duration_minutes": None}]
    if isinstance(row.get("day"), list) or len(days) > 1:
        # One row per weekday, keyed "<slug>-<day>" as TSML does, so each stays in sync alone.
        columns.check_key(key, "-0")
        return [
            {**m, "key": f"{key}-{day}", "weekday": day, "start_time": start, "duration_minutes": duration}
            for day in days
        ]
    columns.check_key(key)
    return [{**m, "key": key, "weekday": days[0], "start_time": start, "duration_minutes": duration}]


def _iso_sunday(value, ctx: Context):
    """Day 7 is Sunday in ISO numbering (Monday = 1), which some lists use (OIAA's): read it so.

    The spec's 1–6 mean Monday to Saturday in both numberings, so only 7 differs.
    """

    def is_seven(v) -> bool:
        return (isinstance(v, int) and not isinstance(v, bool) and v == 7) or (isinstance(v, str) and v.strip() == "7")

    if isinstance(value, list) and any(is_seven(v) for v in value):
        ctx.warn("day", "day 7 was read as Sunday (ISO numbering); the spec uses 0 for Sunday")
        return [0 if is_seven(v) else v for v in value]
    if is_seven(value):
        ctx.warn("day", "day 7 was read as Sunday (ISO numbering); the spec uses 0 for Sunday")
        return 0
    return value


def _duration(row: dict, start, end, ctx: Context) -> int | None:
    if start is not None and end is not None:
        minutes = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % 1440
        return minutes or None  # an end equal to the start says nothing
    raw = row.get("duration")
    if raw in (None, ""):
        return None
    number = ascii_number(raw)
    if number is None:
        ctx.warn("duration", f"duration {_shown(raw)} is not a number of minutes; ignored")
        return None
    if not 0 < number < 1440:
        ctx.warn("duration", f"duration {number:g} minutes is not between 1 and 1439; ignored")
        return None
    minutes = int(number)
    if not 0 < minutes < 1440:
        ctx.warn("duration", f"duration {minutes} minutes is not between 1 and 1439; ignored")
        return None
    return minutes


def _coordinates(row: dict, m: dict, ctx: Context) -> None:
    lat, lng = parse_float(row.get("latitude")), parse_float(row.get("longitude"))
    if (lat is None or lng is None) and isinstance(row.get("coordinates"), str):
        parts = row["coordinates"].split(",")
        if len(parts) >= 2:
            lat, lng = parse_float(parts[0]), parse_float(parts[1])
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        ctx.warn("latitude", f"coordinates {lat}, {lng} are out of range; ignored")
        lat = lng = None
    if lat == 0 and lng == 0:  # "null island": a placeholder, not a place
        lat = lng = None
    if lat is not None and lng is not None:
        # Our own feed marks the coordinates it resolved from a ZIP code or city centre.
        precision = row.get("coordinates_approximate")
        m["latitude"], m["longitude"] = lat, lng
        m["coordinates_source"] = precision if precision in ("postal_code", "city") else "feed"
    else:
        m["latitude"] = m["longitude"] = None
        m["coordinates_source"] = ""


def _approximate(row: dict, m: dict) -> None:
    explicit = parse_bool(row.get("approximate"))
    if explicit is not None:
        m["approximate"] = explicit
    elif m["address"]:
        m["approximate"] = False
    elif m["latitude"] is not None:
        m["approximate"] = False
    else:
        # TSML UI's rule: a formatted address with fewer than four parts is only a town or area.
        m["approximate"] = len([p for p in m["formatted_address"].split(",") if p.strip()]) < 4


def _online(row: dict, m: dict, ctx: Context) -> None:
    raw = row.get("conference_url")
    url = ""
    if raw not in (None, ""):
        try:
            link, repair = conference_link(str(raw))  # a known provider's path with spaces is repaired
        except LinkError as exc:
            ctx.warn("conference_url", f"{_shown(raw)} was refused: {exc}; link and notes dropped")
            m["conference_url_notes"] = ""
        else:
            if repair:
                ctx.warn("conference_url", f"{_shown(raw)} was repaired: {repair}")
            if provider_for_host(link.host):
                url = link.href
            else:
                ctx.warn(
                    "conference_url", f"{link.href} is not a link to a known meeting provider; link and notes dropped"
                )
                m["conference_url_notes"] = ""
    m["conference_url"] = url
    phone = str(row.get("conference_phone") or "").strip()
    if phone:
        cleaned = clean_phone(phone)
        if not is_dialable(cleaned):
            ctx.warn("conference_phone", f"{phone!r} is too short to dial; dropped")
            cleaned = ""
            m["conference_phone_notes"] = ""
        phone = cleaned
    m["conference_phone"] = phone


def _types(row: dict, m: dict, table: str, ctx: Context) -> list[str]:
    """Codes of the program's table into m["types"], languages into m["languages"]; returns unknowns."""
    codes, unknown, languages = [], [], set()
    for item in _as_list(row.get("types")):
        if not isinstance(item, str | int) or isinstance(item, bool) or not str(item).strip():
            continue
        text = storable(str(item).strip())
        code, language = types.resolve(table, text)
        if language:
            languages.add(language)
        elif code is None:
            unknown.append(text)
        elif code != types.ONLINE_CODE and code not in codes:  # ONL is recomputed, never stored
            codes.append(code)
    if "C" in codes and "O" in codes and types.code_for(table, "Closed") == "C":
        codes.remove("O")
        ctx.warn("types", "both Open and Closed were given; kept Closed")
    if unknown:
        ctx.warn("types", f"unknown type code(s) for this program: {', '.join(unknown)}; kept aside, not shown")
    for lang in _as_list(row.get("languages")):
        if isinstance(lang, str) and 2 <= len(lang.strip()) <= 3 and lang.isascii() and lang.strip().isalpha():
            languages.add(lang.strip().lower())
    languages.update(_as_list(row.get("_languages")))
    m["types"] = codes
    m["languages"] = sorted(languages)
    m["temporarily_closed"] = bool(row.get("_temporarily_closed"))
    return unknown


@lru_cache(maxsize=4096)
def _own_code(table: str, spec: str) -> str | None:
    """The program's code that means the spec code ``spec`` (the reverse of ``types.spec_code``)."""
    if spec == types.TEMPORARILY_CLOSED_CODE:
        return spec
    for code in types.type_table(table):
        if types.spec_code(table, code) == spec:
            return code
    return None


def _regions(row: dict) -> list[str]:
    regions = row.get("regions")
    if isinstance(regions, str):
        regions = [part.strip() for part in regions.split(">")]
    if isinstance(regions, list):
        return [clean_text(r)[0] for r in regions if isinstance(r, str) and r.strip()]
    out = []
    for field_name in ("region", "sub_region", "sub_sub_region"):
        text, _ = clean_text(row.get(field_name))
        if text:
            out.append(text)
    return out


_CONTACT_FIELDS = tuple(f"contact_{n}_{part}" for n in (1, 2, 3) for part in ("name", "email", "phone"))


def _contacts(row: dict, ctx: Context) -> list[dict]:
    """The spec's public contact fields, as the feed published them; names cut to a last initial."""
    contacts = []
    if all(row.get(f) in (None, "") for f in _CONTACT_FIELDS):  # what the fields below read as empty
        return contacts
    for n in (1, 2, 3):
        name = clean_text(row.get(f"contact_{n}_name"))[0][:120]
        email = _email(row.get(f"contact_{n}_email"), f"contact_{n}_email", ctx)
        if email_names_someone(email, name):
            ctx.warn(
                f"contact_{n}_email",
                f"contact_{n}_email gives the contact's last name; dropped (listings show "
                "a first name and a last initial)",
            )
            email = ""
        phone = clean_text(row.get(f"contact_{n}_phone"))[0][:64]
        if name or email or phone:
            contacts.append({"name": anonymize_person(name), "email": email, "phone": phone})
    return contacts


def _shown(value) -> str:
    """A feed value quoted in a warning: short, and with control characters made visible."""
    text = repr(str(value))
    return text if len(text) <= 120 else text[:117] + "..."


def _link(value, field_name: str, ctx: Context, *, mailto: bool = False) -> str:
    """A feed link in its normalised form, or "" with a warning saying why it was dropped."""
    if value in (None, ""):
        return ""
    text = str(value).strip()
    if mailto and text.lower().startswith("mailto:"):
        address = _email(text[7:].split("?")[0], field_name, ctx)
        return f"mailto:{address}" if address else ""
    try:
        return web_link(text).href
    except LinkError as exc:
        ctx.warn(field_name, f"{_shown(value)} was dropped: {exc}")
        return ""


def _email(value, field_name: str, ctx: Context) -> str:
    if value in (None, ""):
        return ""
    text = str(value).strip()
    try:
        if unstorable(text):  # Django's validator lets a lone surrogate through in the domain
            raise ValidationError("unstorable")
        validate_email(text)
    except ValidationError:
        ctx.warn(field_name, f"{_shown(value)} is not an e-mail address; dropped")
        return ""
    return text


def _timezone(row: dict, m: dict, ctx: Context, *, ongoing: bool) -> str:
    """The meeting's IANA zone: as given, else from coordinates, postal code, city, or the source.

    A meeting without coordinates also gets the centre of its ZIP code or city, marked as such
    in ``coordinates_source``, so that a search by place can find it.
    """
    given = row.get("timezone")
    zone = None
    if given not in (None, ""):
        zone = str(given).strip()
        if zone not in schedule.valid_zone_names():
            raise RowSkip("timezone", f"{zone!r} is not an IANA time zone (for example America/New_York)")
    if m["latitude"] is not None:
        zone = zone or timezone_at(m["latitude"], m["longitude"])
        if zone:
            return zone
        # At sea (a point a little off the coast; the zone there is Etc/GMT±N, no place's zone) or
        # outside the zone data: the ZIP or city of the address says, and the feed's point is kept.
        place, _ = _look_up(m)
        return (_zone_of(place) if place is not None else None) or _fallback_zone(ctx, ongoing)
    place, precision = _look_up(m)
    if place is not None and (place.latitude or place.longitude):  # (0, 0): a ZIP with no place (APO/DPO)
        m["latitude"], m["longitude"], m["coordinates_source"] = place.latitude, place.longitude, precision
        return zone or _zone_of(place) or _fallback_zone(ctx, ongoing)
    return zone or _fallback_zone(ctx, ongoing)


def _zone_of(place) -> str | None:
    """A gazetteer place's zone. Its zone is data too: one that is not an IANA name (ZIP 99634 says
    "Napakiak") gives way to the zone at the place's coordinates."""
    if place.timezone in schedule.valid_zone_names():
        return str(place.timezone)
    if place.latitude or place.longitude:
        return timezone_at(place.latitude, place.longitude)
    return None


def _look_up(m: dict):
    """The ZIP or city this meeting's address names, offline, with how precise it is."""
    places = gazetteer()
    postal = ""
    if m["postal_code"] and (m["country"] == "USA" or (not m["country"] and m["region"] in US_STATES)):
        postal = m["postal_code"]
    elif m["country"] in ("", "USA") and (match := US_ZIP_IN_ADDRESS.search(m["formatted_address"])):
        postal = match[2] if match[1] in US_STATES else ""
    if postal and (place := places.zip(postal)):
        return place, "postal_code"
    query = ", ".join(p for p in (m["city"], m["region"], m["country"]) if p) or m["formatted_address"]
    if not query:
        return None, ""
    found = places.search(query, limit=2)
    if found and (len(found) == 1 or found[0].population >= 5 * found[1].population):
        return found[0], "city"
    return None, ""


def _fallback_zone(ctx: Context, ongoing: bool) -> str:
    if ctx.default_timezone:
        return ctx.default_timezone
    if ongoing:
        ctx.warn("timezone", "no time zone given; an ongoing meeting has no local time, so UTC is used")
        return "UTC"
    raise RowSkip(
        "timezone",
        "no time zone given, and none could be found from coordinates, postal code, "
        "city or the source's default (use --timezone)",
    )
