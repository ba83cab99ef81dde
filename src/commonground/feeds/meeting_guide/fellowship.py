"""What a Meeting Guide client shows of a meeting's fellowship and its attendance rules.

TSML UI 1.8 (the finder most intergroups embed) reads every type code as an AA code. It shows
no program field at all, and for ``C`` and ``O`` it pops up AA's own text ("Closed meetings are
for A.A. members only, or for those who have a drinking problem ...": ``type_descriptions`` in
its bundled strings), whatever the meeting's program. It does show a meeting's ``notes``, as
paragraphs, on the meeting's page.

So, for every meeting, our feed:

- opens ``notes`` with a line naming the fellowship ("Nar-Anon Family Groups (Nar-Anon) meeting."),
  then the attendance rule in the program's own terms, then the program's types that have no
  spec code with the same meaning (Al-Anon's "Alateen");
- exports ``C`` and ``O`` only for programs whose rule is the one TSML UI describes (AA);
- writes the same lines in ``program_notes`` and the program's own codes in ``program_types``
  (fields outside the spec, ignored by clients), so that our own importer reads the meeting back
  exactly as it was stored (``reader.own_rows``).

The feed's text is English, as the spec's type names are: a feed is one file for every visitor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from commonground.meetings import types

# Programs whose "closed" and "open" mean what TSML UI's own descriptions say (AA's words).
TSML_RULES_PROGRAMS = frozenset({"aa"})
ATTENDANCE_CODES = ("C", "O")  # the spec codes TSML UI describes in AA's words


@dataclass(frozen=True)
class FeedProgram:
    """What the feed needs of a program (``Program`` or the cheap row ``selection`` reads)."""

    code: str
    name: str
    short_name: str
    type_table: str
    family: bool  # a group for family members and friends (Al-Anon, Nar-Anon, Gam-Anon ...)


def feed_program(program) -> FeedProgram:
    if isinstance(program, FeedProgram):
        return program
    return FeedProgram(
        program.code, program.name, program.short_name, program.type_table, "family" in (program.scope or [])
    )


def fellowship_line(program: FeedProgram) -> str:
    short = program.short_name
    if short and not re.search(rf"(?<!\w){re.escape(short)}(?!\w)", program.name, re.IGNORECASE):
        return f"{program.name} ({program.short_name}) meeting."
    return f"{program.name} meeting."


def rule_line(program: FeedProgram, code: str) -> str:
    """The meaning of closed (``C``) or open (``O``) at one of this program's meetings."""
    own = types.type_table(program.type_table).get(code)
    own_name = own.name if own is not None else ""
    if code == "C":
        if program.family:
            # Al-Anon's own table calls it "Families and Friends Only".
            label = own_name if own_name.casefold() not in ("", "closed") else "Closed"
            return f"{label}: only for family members and friends of someone with the problem, not for observers."
        return (
            f"Closed: for people who want help with their own recovery in {program.short_name or program.name}, "
            "not for visitors."
        )
    if own_name.casefold() not in ("", "open"):
        return f"{own_name}."  # Al-Anon's "Families Friends and Observers Welcome"
    label = "Open"
    if program.family:
        return f"{label}: family members, friends and observers are welcome."
    return f"{label}: anyone may attend, including family members, friends and observers."


def program_lines(program: FeedProgram, codes: list[str], spec_codes: list[str] | None = None) -> list[str]:
    """The lines that open a meeting's notes: its fellowship, its rule, its types clients cannot show."""
    return list(_program_lines(program, tuple(codes)))


@lru_cache(maxsize=8192)  # a feed repeats the same few hundred (program, codes) pairs
def _program_lines(program: FeedProgram, codes: tuple[str, ...]) -> tuple[str, ...]:
    lines = [fellowship_line(program)]
    own = types.type_table(program.type_table)
    for code in ATTENDANCE_CODES:
        if code in codes and code in own:
            lines.append(rule_line(program, code))
            break  # a feed saying both: closed is what a visitor must know (TSML's rule too)
    left = [
        own[c].name
        for c in codes
        if c in own
        and c not in ATTENDANCE_CODES
        and c != types.ONLINE_CODE
        and not own[c].language
        and not types.spec_code(program.type_table, c)
    ]
    if left:
        lines.append("Also: " + ", ".join(left) + ".")
    return tuple(lines)


def client_codes(program: FeedProgram, spec_codes: list[str]) -> list[str]:
    """The spec codes a client may be given for this program's meeting (no AA text on others)."""
    if program.code in TSML_RULES_PROGRAMS:
        return spec_codes
    return [c for c in spec_codes if c not in ATTENDANCE_CODES]
