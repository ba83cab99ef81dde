"""Who an open or a closed meeting is for, in each program's own terms (issue 27).

BMLT's stock table is NA's: its "Closed" says "closed to non-addicts", which is wrong for every
other program. So an open or closed meeting of any program but NA goes out as that program's own
format (``formats.py``), described here:

- AA's words follow A.A.'s own statement of open and closed meetings (aa.org, "A.A. meetings":
  closed meetings are for A.A. members and for anyone with a drinking problem who has a desire to
  stop drinking; anyone interested may come to open meetings as an observer); checked 2026-12-07;
- a family program (the catalog's sourced ``scope`` fact is ``family``: Nar-Anon, Gam-Anon,
  SMART Family & Friends) says its meetings are for relatives and friends, as the catalog's
  sourced note on that fact does (``catalog/programs/<code>.toml``);
- any other program gets a neutral sentence that claims no rule the program has not stated:
  closed = for people who come for their own recovery in that program.

Al-Anon's own code for closed meetings is "Families and Friends Only", which goes out under its
own name (``formats.py``), so it needs no sentence here. All sentences are our own words.
"""

from __future__ import annotations

AA_CLOSED = (
    "Closed: for A.A. members, and for anyone who has a drinking problem and wants to stop drinking. "
    "Family, friends and others who are interested are welcome at open A.A. meetings."
)
AA_OPEN = "Open: anyone interested in A.A. may attend as an observer, including family and friends."


def describe(program_code: str, short_name: str, scope, closed: bool) -> str:
    """The description of ``program_code``'s open (closed=False) or closed format."""
    if program_code == "aa":
        return AA_CLOSED if closed else AA_OPEN
    family = "family" in (scope if isinstance(scope, (list, tuple)) else [scope])
    if closed:
        if family:
            return (
                f"Closed: only for {short_name} members: relatives and friends affected by someone "
                f"else's problem, not the person themselves."
            )
        return (
            f"Closed: only for people who come to {short_name} for their own recovery, and its members. "
            f"Family, friends and others are welcome at {short_name}'s open meetings."
        )
    if family:
        return f"Open: anyone may attend this {short_name} meeting for relatives and friends, and listen."
    return f"Open: anyone may attend this {short_name} meeting, including family, friends and anyone curious."
