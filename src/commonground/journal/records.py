"""What each of the companion's encrypted records holds: one dataclass per kind (``private/payloads.py``).

The models name their kind (``data = EncryptedJSONField(payload=ClockData)``), so code reads
``clock.data.start_date`` and a record that does not fit its kind fails loudly. Dates are ISO text
(``YYYY-MM-DD``), times ``HH:MM``, zones IANA names, meetings their lasting reference
(``<source>/<key>``, ``meetings/refs.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.private.payloads import Payload


@dataclass(kw_only=True)
class SavedFit(Payload):
    query: str = ""  # the fit finder's answers, as their query string
    saved_on: str | None = None
    ranking: list[str] = field(default_factory=list)  # program codes, best fit first


@dataclass(kw_only=True)
class AccountData(Payload):
    timezone: str = ""
    country: str = ""  # ISO 3166 code chosen in settings ("" = from the zone)
    calendar_token: str | None = None
    calendar_seal: str | None = None
    saved_fit: SavedFit | None = None
    sessions: list[str] = field(default_factory=list)  # the session keys signed in with
    webauthn_handle: str | None = None


@dataclass(kw_only=True)
class PasskeyData(Payload):
    name: str = ""
    added_on: str = ""


@dataclass(kw_only=True)
class Slip(Payload):
    date: str = ""
    time: str = ""
    note: str = ""
    timezone: str = ""


@dataclass(kw_only=True)
class Stretch(Payload):
    start_date: str = ""
    end_date: str = ""


@dataclass(kw_only=True)
class ClockData(Payload):
    name: str = ""
    substance: str = ""
    start_date: str = ""
    start_time: str | None = None
    timezone: str = ""
    convention: str = "plain"
    slips: list[Slip] = field(default_factory=list)
    stretches: list[Stretch] = field(default_factory=list)


@dataclass(kw_only=True)
class FavouriteData(Payload):
    meeting: str = ""
    name: str = ""
    added_on: str = ""


@dataclass(kw_only=True)
class AttendanceData(Payload):
    """ "I went": a meeting on a day."""

    meeting: str = ""
    name: str = ""
    program: str = ""
    date: str = ""


@dataclass(kw_only=True)
class TriedData(Payload):
    """A groups-tried journal entry."""

    meeting: str | None = None
    program: str = ""
    name: str = ""
    date: str = ""
    rating: int | None = None  # 1-5
    would_return: str | None = None  # "yes" | "no" | "unsure"
    note: str = ""


@dataclass(kw_only=True)
class CheckInData(Payload):
    """One per local day."""

    date: str = ""
    mood: int | None = None  # 1-5
    craving: int | None = None  # 0-10
    meeting: bool = False
    note: str = ""


@dataclass(kw_only=True)
class Person(Payload):
    name: str = ""
    phone: str = ""


@dataclass(kw_only=True)
class Professional(Payload):
    role: str = ""
    name: str = ""
    phone: str = ""


@dataclass(kw_only=True)
class PlanData(Payload):
    """The recovery plan, one per person: the person's own words, the people to call, the
    professionals, and "safer surroundings" (the items ticked, by key, and a note)."""

    reasons: str = ""
    triggers: str = ""
    warning_signs: str = ""
    what_helps: str = ""
    if_i_slip: str = ""
    working: str = ""
    people: list[Person] = field(default_factory=list)
    professionals: list[Professional] = field(default_factory=list)
    safer: dict[str, bool | str] = field(default_factory=dict)


@dataclass(kw_only=True)
class ShareGrantData(Payload):
    made_on: str = ""
    shared_with: str = ""
    shared_on: str = ""
