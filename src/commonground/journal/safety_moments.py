"""The companion's safety moments: what it asks the safety layer, and with which situation.

The companion writes no safety note and no help number of its own. For a slip (a clock reset), a
check-in, "I'm struggling" and the plan it builds a ``Situation`` in the layer's words (the
clock's substance, the account's country, the moment) and shows the layer's ``Guidance``: its
notes in their order of urgency and the country's lines. A check-in's note is read for crisis
words within the request and is never logged or put in an address.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from commonground import safety
from commonground.journal.records import CheckInData
from commonground.safety import countries
from commonground.safety.situation import SUBSTANCES, Moment, Situation

# A clock's substance, in the layer's words ("drugs" is any other drug); "other" is anything else.
CLOCK_SUBSTANCES = (
    ("alcohol", _("Alcohol")),
    ("opioids", _("Opioids (heroin, fentanyl, pain pills)")),
    ("stimulants", _("Stimulants (cocaine, meth)")),
    ("sedatives", _("Sedatives (benzodiazepines, sleeping pills)")),
    ("cannabis", _("Cannabis")),
    ("drugs", _("Other drugs")),
    ("gambling", _("Gambling")),
    ("other", _("Something else")),
)
SUBSTANCE_NAMES = dict(CLOCK_SUBSTANCES)
# Clocks whose slip carries an overdose risk (the layer decides what to say; this only names them).
DRUG_CLOCKS = frozenset({"opioids", "stimulants", "sedatives", "drugs"})


def substance_name(code: str) -> str:
    return str(SUBSTANCE_NAMES.get(code or "", ""))


def clock_substances(clocks) -> list[str]:
    return [c.data.substance or "" for c in clocks]


# --- the account's country ------------------------------------------------------------------


def account_country(account) -> str:
    """The country chosen in settings, else the one of the account's time zone ("" if neither says)."""
    chosen = (account.data.country or "").upper()
    if chosen in countries.iso_codes():
        return chosen
    return safety.country_for_zone(account.data.timezone or "")


def country_choices(language: str) -> list[tuple[str, str]]:
    """Every ISO 3166 country, by name in the page's language where we have it (tzdata's names otherwise)."""
    from importlib import resources

    names = {}
    text = (resources.files("tzdata") / "zoneinfo" / "iso3166.tab").read_text(encoding="utf-8")
    for row in text.splitlines():
        if row and not row.startswith("#"):
            code, name = row.split("\t")[:2]
            names[code] = name
    for code, entry in countries.all_countries().items():
        names[code] = entry.label(language)
    return sorted(names.items(), key=lambda item: item[1].casefold())


# --- situations --------------------------------------------------------------------------------


def _own(substances) -> frozenset[str]:
    return frozenset(s for s in substances if s in SUBSTANCES)


def _base(account, substances=(), family=frozenset()) -> dict:
    country = account_country(account)
    return {
        "own": _own(substances),
        "family": frozenset(family),
        "country": country,
        "country_from": "account" if account.data.country else ("zone" if country else ""),
    }


def reset_situation(account, substance: str, note: str = "") -> Situation:
    """A slip on a clock. The companion does not know whether there are withdrawal signs after a
    slip on an alcohol clock, so it says "unsure": the layer then gives the withdrawal note. Crisis
    words in the slip's private note count as saying so (``crisis="yes"``): the crisis note leads."""
    dependence = "unsure" if substance == "alcohol" else ""
    return Situation(
        **_base(account, [substance]),
        dependence=dependence,
        crisis="yes" if safety.is_crisis_text(note) else "",
        moment=Moment("reset", substance=substance if substance in (*SUBSTANCES, "other") else ""),
    )


def checkin_situation(account, substances, data: CheckInData) -> Situation:
    return Situation(
        **_base(account, substances),
        moment=Moment("checkin", mood=data.mood, craving=data.craving, note=data.note),
    )


def struggling_situation(account, substances, family=frozenset()) -> Situation:
    first_drug = next((s for s in substances if s in DRUG_CLOCKS), "")
    return Situation(**_base(account, substances, family), moment=Moment("struggling", substance=first_drug))


def checkin_needs_help(situation: Situation) -> bool:
    """A check-in whose next page is "I'm struggling": crisis words, or a hard day."""
    return situation.in_crisis or situation.hard_checkin


def guidance(situation: Situation):
    return safety.guidance(situation)


# --- whose use: meetings on "I'm struggling" ----------------------------------------------------


def is_family_program(program) -> bool:
    """A group for the people around someone who uses (the catalog's own words), not for one's own use."""
    family_of = program.facts.get("family_of", {}).get("value", ["not-applicable"])
    family_of = family_of if isinstance(family_of, list) else [family_of]
    return program.audience == "family" or any(v != "not-applicable" for v in family_of)


def own_use_programs(*, someone_else: bool) -> set[str]:
    """The programs whose meetings "I'm struggling" offers: every active one for someone whose saved
    meetings or answers are about someone else's use; otherwise only those for one's own use."""
    from commonground.catalog.models import Program

    programs = Program.objects.active()
    return {p.code for p in programs if someone_else or not is_family_program(p)}


def about_someone_else(user, account) -> tuple[bool, frozenset[str]]:
    """Whether the person's space is about someone else's use (a saved meeting or a group tried of a
    family group, or saved fit answers for someone else), and what that use is, where said."""
    from django.http import QueryDict

    from commonground.catalog.models import Program
    from commonground.journal.models import Favourite, Tried

    family_codes = {p.code for p in Program.objects.all() if is_family_program(p)}
    refs = [f.data.meeting for f in Favourite.objects.filter(user=user)]
    tried = {t.data.program for t in Tried.objects.filter(user=user)}
    saved = QueryDict(account.data.saved_fit.query if account.data.saved_fit else "")
    helped = {v for item in saved.getlist("help_with") for v in item.split(",")}
    theirs = {v for item in saved.getlist("their_use") for v in item.split(",")}
    family = frozenset(
        use
        for t in theirs
        for use in {
            "drinking": ("drinking",),
            "drugs": ("drugs",),
            "both": ("drinking", "drugs"),
            "gambling": ("gambling",),
        }.get(t, ())
    )
    if "someone_else" in helped or tried & family_codes:
        return True, family
    if refs:
        from commonground.meetings.models import meeting_at

        if any((m := meeting_at(ref)) is not None and m.program_id in family_codes for ref in refs):
            return True, family
    return False, family
