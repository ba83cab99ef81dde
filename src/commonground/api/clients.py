"""What each client would show of every meeting, judged row by row (``commonground check-clients``).

``validate`` checks codes; this checks what a person sees. For each meeting we publish (all, one
program's or one imported source's), it builds what the clients read from us, through our own
writers, and judges it as the client renders it:

- **TSML UI 1.8**, from our Meeting Guide feed (``writer.meeting_to_feed``): it shows the name,
  notes, group, location and ``formatted_address`` (the address is hidden when ``approximate``
  is "yes"), the types under the spec's (AA's) names, AA's own text for ``C`` and ``O``, map
  pins from ``latitude``/``longitude``, and times in the meeting's ``timezone``.
- **crouton**, from our BMLT API (``api.bmlt.search.bmlt_items`` and ``api.bmlt.formats.table``,
  read as they are, never changed here): it shows ``meeting_name``, ``comments``, the format
  names and descriptions, ``location_street`` and the rest of the address, pins from the
  coordinates, and the ``time_zone``.

A row misleads when the client would not show the meeting's fellowship, would show another
program's rule, would lose one of the program's own types, would show no street for a meeting
that has one, would put an approximate pin (a ZIP or city centre) as if exact, or would show the
wrong time zone. Each reason is counted, with a few examples.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from commonground.feeds.meeting_guide import fellowship
from commonground.feeds.meeting_guide.selection import FeedRow, FeedSelection
from commonground.feeds.meeting_guide.writer import APPROXIMATE_SOURCES, meeting_to_feed
from commonground.meetings import schedule, types
from commonground.meetings.address import meeting_address

# The spec codes TSML UI 1.8 describes in its own (AA's) words: its bundled ``type_descriptions``.
TSML_DESCRIBED = {"C": "aa", "O": "aa"}
IN_PERSON = ("in_person", "hybrid")
REASONS = {
    "fellowship_not_shown": "the meeting's fellowship is shown nowhere",
    "other_program_rule": "another program's attendance rule is shown",
    "contradictory_formats": "formats that contradict each other (speaker only, and participation by all)",
    "own_type_lost": "one of the program's own types is not shown",
    "no_street": "the street address is not shown",
    "approximate_as_exact": "a ZIP-code or city-centre pin is given as the place",
    "wrong_time_zone": "the time zone is missing or not the meeting's",
    "not_listed": "an active meeting is missing from the client's list",
}
CLIENTS = ("tsml-ui", "crouton")


@dataclass
class ClientReport:
    meetings: int = 0
    counts: Counter = field(default_factory=Counter)  # "client: reason" -> misleading rows
    examples: dict = field(default_factory=dict)  # "client: reason" -> [example, ...]
    misleading_rows: int = 0

    def add(self, client: str, reason: str, row: FeedRow, detail: str, keep: int) -> None:
        key = f"{client}: {reason}"
        self.counts[key] += 1
        found = self.examples.setdefault(key, [])
        if len(found) < keep:
            found.append({"slug": row.slug, "name": row.name, "program": row.program_id, "detail": detail})

    def as_dict(self) -> dict:
        return {
            "meetings": self.meetings,
            "misleading_rows": self.misleading_rows,
            "counts": dict(sorted(self.counts.items())),
            "examples": self.examples,
        }


@cache
def _pattern(program: fellowship.FeedProgram) -> re.Pattern:
    """The program's name or short name, as whole words."""
    names = sorted({n for n in (program.name, program.short_name) if n}, key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in names), re.IGNORECASE)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def _own_codes(m: FeedRow) -> list[str]:
    """The program's own codes a client should carry (no online/closure marks, no languages)."""
    table = types.type_table(m.program.type_table)
    return [
        c
        for c in m.types
        if c in table and c not in (types.ONLINE_CODE, types.TEMPORARILY_CLOSED_CODE) and not table[c].language
    ]


def judge_tsml(m: FeedRow, row: dict) -> list[tuple[str, str]]:
    """(reason, detail) for each way TSML UI would mislead about this meeting."""
    program = fellowship.feed_program(m.program)
    found = []
    shown = "\n".join(str(row.get(k) or "") for k in ("name", "notes", "group", "location", "entity"))
    if not _pattern(program).search(shown):
        found.append(("fellowship_not_shown", f"no {program.short_name or program.name} in name, notes or group"))
    for code in row.get("types") or []:
        owner = TSML_DESCRIBED.get(code)
        if owner and owner != program.code:
            found.append(("other_program_rule", f"type {code} pops up {owner.upper()}'s description"))
    spec = types.type_table("spec")
    labels = _fold(" ".join(spec[c].name for c in row.get("types") or [] if c in spec) + " " + (row.get("notes") or ""))
    own = types.type_table(program.type_table)
    for code in _own_codes(m):
        same = types.spec_code(program.type_table, code)
        if _fold(own[code].name) not in labels and not (same and same in (row.get("types") or [])):
            found.append(("own_type_lost", f"{code} ({own[code].name})"))
    found += _place(
        m, street_shown=_tsml_street(m, row), exact=row.get("latitude") is not None, zone=row.get("timezone")
    )
    return found


def _tsml_street(m: FeedRow, row: dict) -> bool:
    if str(row.get("approximate")).lower() == "yes":
        return False  # TSML UI hides the whole address
    return _street_in(meeting_address(m).street, row.get("formatted_address") or "")


def _street_in(street: str, shown: str) -> bool:
    first = _fold(street.split(",")[0])
    return not first or first in _fold(shown)


def _place(m: FeedRow, *, street_shown: bool, exact: bool, zone) -> list[tuple[str, str]]:
    found = []
    street = meeting_address(m).street
    if m.attendance_mode in IN_PERSON and street and not street_shown:
        found.append(("no_street", street))
    if exact and m.coordinates_source in APPROXIMATE_SOURCES:
        found.append(("approximate_as_exact", f"coordinates from the {m.coordinates_source.replace('_', ' ')}"))
    if not zone or zone != m.timezone or zone not in schedule.valid_zone_names():
        found.append(("wrong_time_zone", f"{zone or 'none'} (meeting: {m.timezone or 'none'})"))
    return found


def judge_crouton(m: FeedRow, items: list[dict], formats: dict) -> list[tuple[str, str]]:
    """(reason, detail) for each way crouton would mislead, from our BMLT answer's items."""
    program = fellowship.feed_program(m.program)
    if not items:
        active = m.attendance_mode != "inactive"
        return [("not_listed", "no item in the BMLT answer")] if active else []
    found: list[tuple[str, str]] = []
    item = items[0]
    keys = [k for k in str(item.get("formats") or "").split(",") if k]
    used = [formats[k] for k in keys if k in formats]
    shown = "\n".join(
        [str(item.get(k) or "") for k in ("meeting_name", "comments", "location_text")]
        + [f"{f.name}\n{f.description}" for f in used]
    )
    if not _pattern(program).search(shown):
        found.append(("fellowship_not_shown", f"no {program.short_name or program.name} in name, comments or formats"))
    for f in used:
        if f.world_id in ("OPEN", "CLOSED"):
            owner = getattr(f, "program", "") or "na"  # BMLT's stock O and C are NA's words
            if owner != program.code:
                found.append(("other_program_rule", f"format {f.key}: {f.description[:60]}"))
    worlds = {f.world_id for f in used}
    if "SPK" in worlds and "DISC" in worlds:
        found.append(("contradictory_formats", "Speaker Only with Discussion"))
    texts = _fold(" ".join(f"{f.name} {f.description}" for f in used) + " " + str(item.get("comments") or ""))
    own = types.type_table(program.type_table)
    for code in _own_codes(m):
        name = _fold(own[code].name)
        if name not in texts and not _same_meaning_shown(program.type_table, code, used):
            found.append(("own_type_lost", f"{code} ({own[code].name})"))
    lat = str(item.get("latitude") or "")
    found += _place(
        m,
        street_shown=_street_in(meeting_address(m).street, str(item.get("location_street") or "")),
        exact=lat not in ("", "0"),
        zone=item.get("time_zone"),
    )
    return found


def _same_meaning_shown(table: str, code: str, used) -> bool:
    """A code shown under a format with the same meaning: for NA's table, the stock format of its
    BMLT world id (NA's ``VAR`` is BMLT's "Rotating Format"); else the spec code's format."""
    if table == "na" and any(types.bmlt_world_ids_to_codes([f.world_id]) == [code] for f in used if f.world_id):
        return True
    spec = types.spec_code(table, code)
    return bool(spec) and any(
        getattr(f, "spec_code", "") == spec or _fold(f.name) == _fold(types.type_table("spec")[spec].name) for f in used
    )


def check(selection: FeedSelection, clients=CLIENTS, examples: int = 3) -> ClientReport:
    """Judge every meeting of ``selection`` for each client."""
    report = ClientReport()
    crouton = "crouton" in clients
    if crouton:
        from commonground.api.bmlt import formats as bmlt_formats
        from commonground.api.bmlt import search as bmlt_search
        from commonground.meetings.models import Source

        slugs = dict(Source.objects.values_list("id", "slug"))
        table = bmlt_formats.table()
    for m in selection:
        if m.attendance_mode == "inactive":
            continue
        report.meetings += 1
        found: list[tuple[str, str, str]] = []
        if "tsml-ui" in clients:
            found += [("tsml-ui", r, d) for r, d in judge_tsml(m, meeting_to_feed(m))]
        if crouton:
            items = bmlt_search.bmlt_items(m, slugs.get(m.source_id, ""), "")
            found += [("crouton", r, d) for r, d in judge_crouton(m, items, table)]
        for client, reason, detail in found:
            report.add(client, reason, m, detail, examples)
        report.misleading_rows += bool(found)
    return report
