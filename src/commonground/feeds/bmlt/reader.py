"""BMLT (NA's Basic Meeting List Toolbox): a root server, or a directory of its saved answers.

A root server is asked three questions through its semantic JSON interface::

    client_interface/json/?switcher=GetSearchResults
    client_interface/json/?switcher=GetFormats
    client_interface/json/?switcher=GetServiceBodies

A directory holds the same answers as GetSearchResults.json, GetFormats.json and (optionally)
GetServiceBodies.json. Every value arrives as a string. Weekdays run 1–7 from Sunday; formats
are per-server keys that GetFormats maps to stable world ids, which we map to NA's codes.

A whole server (a URL with no search filters of its own) is read in pages rather than in one
answer that can run to hundreds of megabytes or time out. ``BMLT_PAGE_BY``:

- ``id`` (the default, as BMLT's responsible-use guide asks): ``sort_keys=id_bigint`` with
  ``page_size`` (``BMLT_PAGE_SIZE``) and ``page_num`` until a page comes back short. Sorted, no
  page repeats or skips a meeting, and every meeting is read whichever service body it is in.
  A server too old to page answers everything at once (more than a page), or the same page again;
  either way it is read once.
- ``service-body``: one service body at a time (``services[]=<id>`` without ``recursive``), for a
  server whose paging is broken; it misses meetings in bodies ``GetServiceBodies`` does not list.
- ``none``: one answer.

Every page is fetched before any row is read, so the source is still all-or-nothing: one failed
page fails the whole source and keeps its stored meetings. Every request says who is asking
(``callingApp``, besides the User-Agent).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings

from commonground.feeds.base import Feed, digest, load_json
from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import Body, decode_text, is_url, open_body, read_bytes
from commonground.feeds.fields import ascii_whole
from commonground.feeds.meeting_guide.reader import parse as meeting_guide_parse
from commonground.meetings import types

log = logging.getLogger(__name__)

SWITCHERS = ("GetSearchResults", "GetFormats", "GetServiceBodies")
CALLING_APP = "commonground"
MAX_PAGES = 10_000
VENUE_IN_PERSON, VENUE_VIRTUAL, VENUE_HYBRID = "1", "2", "3"


def _answer_locations(location: str) -> dict[str, str]:
    if is_url(location):
        parts = urlsplit(location)
        base = location.split("?")[0] if "switcher=" in parts.query else location
        if "client_interface" not in base:
            base = base.rstrip("/") + "/client_interface/json/"
        base = base if base.endswith("/") else base + "/"
        # A results URL may carry filters (services=, weekdays=); keep them for the search only.
        search = location if "switcher=GetSearchResults" in location else f"{base}?switcher=GetSearchResults"
        return {
            "GetSearchResults": _calling(search),
            "GetFormats": _calling(f"{base}?switcher=GetFormats"),
            "GetServiceBodies": _calling(f"{base}?switcher=GetServiceBodies"),
        }
    folder = Path(location)
    if not folder.is_dir():
        raise FeedError("not-found", f"{location} is neither a BMLT server URL nor a directory of saved answers.")
    return {name: str(folder / f"{name}.json") for name in SWITCHERS}


def _calling(url: str) -> str:
    """``url`` saying who is asking (``callingApp``), as BMLT's guide asks of every client."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    if any(key == "callingApp" for key, _ in query):
        return url
    return f"{url}{'&' if urlsplit(url).query else '?'}callingApp={CALLING_APP}"


def _load(location: str, digests: list, *, optional: bool = False):
    try:
        body = read_bytes(location)
    except FeedError:
        if optional:
            return []
        raise
    digests.append(hashlib.sha256(body).hexdigest())
    return load_json(decode_text(body, location), location)


def _list(data, location: str) -> list:
    if not isinstance(data, list):
        raise FeedError("shape", f"{location} should hold a JSON array, as a BMLT server answers.")
    return data


def read(location: str) -> Feed:
    where = _answer_locations(location)
    digests: list[str] = []
    bodies = None
    paging = _paging(location)
    if paging == "service-body":
        bodies = _list(_load(where["GetServiceBodies"], digests, optional=True), where["GetServiceBodies"])
    ids = _page_ids(bodies or [])
    if paging == "id" or len(ids) > 1:
        pages = (
            _fetch_id_pages(where["GetSearchResults"])
            if paging == "id"
            else _fetch_pages(where["GetSearchResults"], ids)
        )
        rows, closers = _paged_rows(pages), [page.close for page in pages]
        digests.extend(page.digest for page in pages)
    else:
        search = open_body(where["GetSearchResults"])
        try:
            meetings = meeting_guide_parse(search, where["GetSearchResults"])
        except FeedError as exc:
            search.close()
            if exc.code == "shape":  # say it in BMLT's terms
                raise FeedError(
                    "shape", f"{where['GetSearchResults']} should hold a JSON array, as a BMLT server answers."
                ) from None
            raise
        rows, closers = meetings.rows, meetings.closers
        digests.append(search.digest)
    try:
        formats = _list(_load(where["GetFormats"], digests, optional=True), where["GetFormats"])
        if bodies is None:
            bodies = _list(_load(where["GetServiceBodies"], digests, optional=True), where["GetServiceBodies"])
    except FeedError:
        for closer in closers:
            closer()
        raise
    feed = parse_answers(rows, formats, bodies)
    feed.digest = digest(*digests)
    feed.closers = closers
    return feed


def _paging(location: str) -> str:
    """How to page a whole server ("id", "service-body"); "" for a URL that already narrows the
    search (read as it is), a directory of saved answers, or paging switched off."""
    if settings.BMLT_PAGE_BY == "none" or not is_url(location):
        return ""
    query = {key for key, _ in parse_qsl(urlsplit(location).query, keep_blank_values=True)}
    return "" if query - {"switcher", "callingApp"} else settings.BMLT_PAGE_BY


def _fetch_id_pages(search_url: str) -> list[Body]:
    """The server's meetings, ``BMLT_PAGE_SIZE`` at a time, sorted by id, each page spooled."""
    base, size = search_url.split("?")[0], settings.BMLT_PAGE_SIZE
    pages: list[Body] = []
    first_id = None
    try:
        for number in range(1, MAX_PAGES + 1):
            query = [("switcher", "GetSearchResults"), ("sort_keys", "id_bigint")]
            query += [("page_size", str(size)), ("page_num", str(number)), ("callingApp", CALLING_APP)]
            try:
                page = open_body(f"{base}?{urlencode(query)}")
                ids = [str(row.get("id_bigint") or "") for row in _page_rows(page) if isinstance(row, dict)]
            except FeedError as exc:
                raise FeedError(
                    exc.code,
                    f"{exc.message} (page {number} of the meetings, {size} a page: nothing was imported)",
                    retry_after=exc.retry_after,
                ) from None
            if number > 1 and ids and ids[0] == first_id:
                page.close()  # the same page again: the server does not page, and page 1 had it all
                break
            pages.append(page)
            first_id = first_id or (ids[0] if ids else None)
            if len(ids) != size:  # short (the last page), or longer (a server that sent everything)
                break
    except BaseException:
        for page in pages:
            page.close()
        raise
    return pages


def _page_rows(page: Body):
    try:
        return meeting_guide_parse(page, page.location).rows
    except FeedError as exc:
        if exc.code == "shape":
            raise FeedError("shape", f"{page.location} should hold a JSON array, as a BMLT server answers.") from None
        raise


def _page_ids(bodies: list) -> list[str]:
    ids = []
    for body in bodies:
        if isinstance(body, dict):
            number = ascii_whole(str(body.get("id") or ""))
            if number is not None and number > 0 and str(number) not in ids:
                ids.append(str(number))
    return ids


def _fetch_pages(search_url: str, ids: list[str]) -> list[Body]:
    """One GetSearchResults answer per service body, each spooled (to disk past a few MB)."""
    base = search_url.split("?")[0]
    pages: list[Body] = []
    try:
        for body_id in ids:
            query = [("switcher", "GetSearchResults"), ("services[]", body_id), ("callingApp", CALLING_APP)]
            url = f"{base}?{urlencode(query)}"
            try:
                pages.append(open_body(url))
            except FeedError as exc:
                raise FeedError(
                    exc.code,
                    f"Page {len(pages) + 1} of {len(ids)} (service body {body_id}) "
                    f"failed, so nothing was imported: {exc.message}",
                ) from None
    except BaseException:
        for page in pages:
            page.close()
        raise
    return pages


def _paged_rows(pages: list[Body]):
    """Every page's meetings in turn; a meeting id seen on an earlier page is not read again."""
    seen: set[str] = set()
    for page in pages:
        for row in _page_rows(page):
            key = str(row.get("id_bigint") or "") if isinstance(row, dict) else ""
            if key and key in seen:
                continue
            seen.add(key)
            yield row


def parse_answers(meetings, formats: list, bodies: list) -> Feed:
    """The feed from the three answers (the meetings may be a stream)."""
    format_index, body_paths = _format_index(formats), _body_paths(bodies)
    return Feed(rows=(_reshape_or_skip(m, format_index, body_paths) for m in meetings), default_program="na")


def _reshape_or_skip(m, formats: dict, bodies: dict):
    """One row's trouble stays that row's: a value nobody foresaw skips the row, never the feed."""
    try:
        return _reshape(m, formats, bodies)
    except (ValueError, TypeError, OverflowError, AttributeError, KeyError) as exc:
        log.warning("BMLT row could not be read: %r", exc)
        slug = str(m.get("id_bigint") or "")[:64] if isinstance(m, dict) else ""
        return {"slug": slug, "_skip": (None, f"the row could not be read ({type(exc).__name__})")}


def _format_index(formats: list) -> dict[str, dict]:
    """key_string -> {"world_id", "name", "type"}, from the server, falling back to stock formats."""
    index = {
        key: {
            "world_id": row["world_id"] if row["world_id"] != "null" else "",
            "name": row["name"],
            "type": row["format_type"],
        }
        for key, row in types.bmlt_world_formats().items()
    }
    for row in formats:
        if isinstance(row, dict) and row.get("key_string"):
            index[str(row["key_string"])] = {
                "world_id": str(row.get("world_id") or ""),
                "name": str(row.get("name_string") or ""),
                "type": str(row.get("format_type_enum") or ""),
                "description": str(row.get("description_string") or ""),
                "lang": str(row.get("lang") or "")[:8],
            }
    return index


def _body_paths(bodies: list) -> dict[str, list[str]]:
    by_id = {str(b.get("id")): b for b in bodies if isinstance(b, dict)}
    paths = {}
    for body_id in by_id:
        path, seen, current = [], set(), by_id.get(body_id)
        while current is not None and str(current.get("id")) not in seen:
            seen.add(str(current.get("id")))
            path.insert(0, str(current.get("name") or "").strip())
            current = by_id.get(str(current.get("parent_id")))
        paths[body_id] = [p for p in path if p]
    return paths


def _minutes(hhmmss: str) -> int | None:
    parts = [ascii_whole(p) for p in hhmmss.split(":")]
    if len(parts) < 2 or any(p is None or p < 0 for p in parts):
        return None
    return parts[0] * 60 + parts[1]


def _reshape(m, formats: dict, bodies: dict) -> dict:
    """One BMLT meeting -> a Meeting Guide–shaped row (see formats.md §11 for the crosswalk)."""
    if not isinstance(m, dict):
        return m  # the row checks reject it with a reason
    get = lambda key: str(m.get(key) or "").strip()  # noqa: E731 - every BMLT value is a string
    row: dict = {"slug": get("id_bigint"), "name": get("meeting_name")}
    # Our feed's slug follows BMLT's own TSML output: slug(name)-id. The id alone is the sync key.
    row["_slug"] = f"{get('meeting_name')}-{get('id_bigint')}"
    if get("published") == "0":
        row["_skip"] = ("published", "the meeting is marked unpublished on its server")
    weekday = get("weekday_tinyint")
    if weekday:
        number = ascii_whole(weekday)
        if number is not None and 1 <= number <= 7:
            row["day"] = number - 1
        else:
            row["_skip"] = ("day", f"weekday_tinyint {weekday[:20]!r} is outside 1–7 (1 = Sunday)")
    if get("start_time"):
        row["time"] = get("start_time")[:5]
    duration = _minutes(get("duration_time")) if get("duration_time") else None
    if duration:
        row["duration"] = duration
    if get("time_zone"):
        row["timezone"] = get("time_zone")
    world_ids, languages, names = [], set(), []
    kept, other_world_ids, own = [], [], []  # the server's stock and own formats (our BMLT answer sends them)
    stock = types.bmlt_world_formats()
    for key in (k.strip() for k in get("formats").split(",") if k.strip()):
        info = formats.get(key)
        if info is None:
            continue
        names.append(info["name"])
        is_stock = key in stock and stock[key]["name"].strip().casefold() == info["name"].strip().casefold()
        language = info["type"] == "LANG" or info["world_id"] == "LANG"
        if language and (
            types.LANGUAGE_NAMES.get(info["name"].strip().lower())
            or (len(key) == 2 and key.isalpha() and key.lower() != "bl")
        ):
            pass  # a language: the meeting's languages carry it
        elif is_stock:
            kept.append(key)
        elif info["world_id"] and not language:
            other_world_ids.append(info["world_id"])
        elif types.code_for("na", info["name"]) not in (types.ONLINE_CODE, types.TEMPORARILY_CLOSED_CODE):
            # the server's own format (no world id): kept in its words, as the server's format
            # [key, name, description, type, language of the root's words ("" when it does not say)]
            own.append([key, info["name"], info.get("description") or info["name"], info["type"], info.get("lang", "")])
        if info["world_id"] == "LANG" or info["type"] == "LANG":
            iso = types.LANGUAGE_NAMES.get(info["name"].strip().lower())
            if iso:
                languages.add(iso)
            elif len(key) == 2 and key.isalpha() and key.lower() not in ("bl",):
                languages.add(key.lower())
        elif info["world_id"]:
            world_ids.append(info["world_id"])
    row["types"] = types.bmlt_world_ids_to_codes(world_ids)
    row["_languages"] = sorted(languages)
    venue = get("venue_type")
    row["_temporarily_closed"] = "TC" in world_ids
    row["location"] = get("location_text")
    row["address"] = get("location_street")
    row["city"] = get("location_city_subsection") or get("location_municipality")
    row["state"] = get("location_province")
    row["postal_code"] = get("location_postal_code_1")
    row["country"] = get("location_nation")
    row["location_notes"] = get("location_info")
    row["notes"] = get("comments")
    if venue == VENUE_VIRTUAL or (not venue and "VM" in world_ids and "HYBR" not in world_ids):
        row["approximate"] = "yes"  # a virtual meeting's address only says where the group is based
    elif get("location_street"):
        row["approximate"] = "no"
    if get("latitude") and get("longitude"):
        row["latitude"], row["longitude"] = get("latitude"), get("longitude")
    row["conference_url"] = get("virtual_meeting_link")
    row["conference_url_notes"] = get("virtual_meeting_additional_info")
    row["conference_phone"] = get("phone_meeting_number")
    row["conference_phone_notes"] = get("phone_meeting_additional_info")
    row["regions"] = bodies.get(get("service_body_bigint"), [])
    for n in (1, 2):
        if get(f"contact_name_{n}") or get(f"contact_email_{n}") or get(f"contact_phone_{n}"):
            row[f"contact_{n}_name"] = get(f"contact_name_{n}")
            row[f"contact_{n}_email"] = get(f"contact_email_{n}")
            row[f"contact_{n}_phone"] = get(f"contact_phone_{n}")
    row["_extra"] = {
        k: v
        for k, v in (
            ("bmlt_world_id", get("worldid_mixed")),
            ("bmlt_formats", get("formats")),
            ("bmlt_service_body", get("service_body_bigint")),
        )
        if v
    }
    # Every source format kept (issue 27): the stock ones by key (so "Speaker/Discussion" is not
    # read back as NA's Speaker code, "Speaker Only"), and the codes of the others.
    row["_extra"]["bmlt_kept"] = ",".join(kept)
    row["_extra"]["bmlt_other_codes"] = ",".join(types.bmlt_world_ids_to_codes(other_world_ids))
    if own:
        row["_extra"]["bmlt_own"] = own
    return row
