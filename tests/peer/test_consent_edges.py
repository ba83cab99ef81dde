"""Which consent covers a disclosure (``peer/consent.py``) at its edges, where
tests/peer/test_consent_properties.py (random consents, an explicit day) and
tests/hardening/test_19_peer_data.py (one consent at a time, in UTC) do not reach:

- the day is "today" in the zone in force: a consent ending today covers until the last second of
  the local day and not one second after, in zones from UTC-11 to UTC+14, on clock-change days and
  at a year end; one signed later today covers now, one signed tomorrow does not;
- revoked the same day it was signed (even the same minute) it covers nothing, and a new one signed
  after it covers at once;
- between two consents, ``covering`` chooses the latest signed one that covers, over every pair of
  states and contents (exhaustive), ties going to the one recorded last; ``scope`` agrees;
- what a consent names is compared as kinds, whether stored as strings or as the choices.

The oracle is docs/peer.md's sentence: in force that day (signed on or before it, not revoked, not
past its end date), naming every kind the disclosure carries, and its recipients.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from commonground.peer import consent as consents
from commonground.peer.models import Consent, InformationKind, Organisation, Participant

IDENTITY = consents.REFERRAL_WITH_IDENTITY
ANYTHING = consents.Disclosure(frozenset())  # asks for no kind and no recipient: in force is enough


def unsaved(**values) -> Consent:
    values = {
        "information": ["identity", "referrals"],
        "covers_referrals": True,
        "expires_on": None,
        "revoked_at": None,
    } | values
    return Consent(
        discloser="Harbor",
        recipients="groups",
        purpose="connect",
        revocation="tell us",
        signature={"typed_name": "J R"},
        **values,
    )


def at(zone: str, day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone))


# (zone, a local day): far west and far east, half-hour offsets, clock changes, a year end.
EDGES = [
    ("Pacific/Pago_Pago", date(2026, 12, 31)),  # UTC-11, the last day of the year
    ("Pacific/Kiritimati", date(2026, 12, 31)),  # UTC+14
    ("America/Los_Angeles", date(2026, 12, 7)),
    ("America/New_York", date(2026, 3, 8)),  # the 23-hour day (spring forward)
    ("America/New_York", date(2026, 11, 1)),  # the 25-hour day (fall back)
    ("Europe/London", date(2026, 3, 29)),
    ("Asia/Kolkata", date(2026, 6, 30)),  # UTC+5:30
    ("Australia/Lord_Howe", date(2026, 4, 5)),  # a half-hour clock change
    ("UTC", date(2026, 12, 31)),
]
LAST_SECOND, FIRST_SECOND = time(23, 59, 59), time(0, 0, 0)


@pytest.mark.parametrize("zone, day", EDGES)
def test_a_consent_ending_today_covers_to_the_last_local_second_and_not_after(zone, day):
    consent = unsaved(signed_at=at(zone, day - timedelta(days=30), time(12)), expires_on=day)
    with timezone.override(zone):
        for moment, covered in (
            (at(zone, day, FIRST_SECOND), True),
            (at(zone, day, time(12)), True),
            (at(zone, day, LAST_SECOND), True),
            (at(zone, day + timedelta(days=1), FIRST_SECOND), False),
        ):
            with time_machine.travel(moment, tick=False):
                assert timezone.localdate() == moment.date()  # (the clock is where the test says)
                assert consents.covers(consent, IDENTITY) is covered, (zone, moment)
                assert consents.in_force(consent) is covered, (zone, moment)


@pytest.mark.parametrize("zone, day", EDGES)
def test_signed_later_today_covers_now_and_signed_tomorrow_does_not(zone, day):
    """ "Signed on or before that day": the day counts, not the minute; tomorrow's date does not."""
    now = at(zone, day, time(8, 0))
    later_today = unsaved(signed_at=at(zone, day, LAST_SECOND))
    tomorrow = unsaved(signed_at=at(zone, day + timedelta(days=1), FIRST_SECOND))
    with timezone.override(zone), time_machine.travel(now, tick=False):
        assert consents.covers(later_today, IDENTITY) is True
        assert consents.covers(tomorrow, IDENTITY) is False
        assert consents.covers(tomorrow, IDENTITY, on=day + timedelta(days=1)) is True


def test_the_same_instant_is_two_different_days_in_two_zones():
    """11:30 UTC on 31 December is still the 31st in Pago Pago and already 1 January in Kiritimati:
    a consent ending on the 31st covers in the one zone and has ended in the other."""
    instant = datetime(2026, 12, 31, 11, 30, tzinfo=ZoneInfo("UTC"))
    consent = unsaved(signed_at=instant - timedelta(days=60), expires_on=date(2026, 12, 31))
    with time_machine.travel(instant, tick=False):
        with timezone.override("Pacific/Pago_Pago"):  # 00:30 on the 31st
            assert consents.covers(consent, IDENTITY) is True
        with timezone.override("Pacific/Kiritimati"):  # 01:30 on 1 January
            assert consents.covers(consent, IDENTITY) is False


@pytest.mark.parametrize("minutes_later", [0, 1, 5, 60 * 12])
def test_revoked_the_same_day_it_was_signed_covers_nothing_that_day_or_after(minutes_later):
    signed = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("UTC"))
    consent = unsaved(
        signed_at=signed,
        revoked_at=signed + timedelta(minutes=minutes_later),
        information=[k.value for k in InformationKind],
    )
    for day in (date(2026, 12, 7), date(2026, 12, 8), date(2027, 12, 7)):
        assert consents.covers(consent, ANYTHING, on=day) is False
        assert consents.covers(consent, IDENTITY, on=day) is False
        assert consents.in_force(consent, on=day) is False


def test_what_a_consent_names_is_read_as_kinds_however_it_is_stored():
    on = date(2026, 12, 7)
    signed = datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("UTC"))
    as_choices = unsaved(signed_at=signed, information=[InformationKind.IDENTITY, InformationKind.REFERRALS])
    as_strings = unsaved(signed_at=signed, information=["identity", "referrals"])
    nothing = unsaved(signed_at=signed, information=None)
    unknown = unsaved(signed_at=signed, information=["Identity", "name", "phone"])  # not the kinds' values
    for kinds in map(
        frozenset,
        itertools.chain.from_iterable(itertools.combinations([k.value for k in InformationKind], n) for n in range(3)),
    ):
        wanted = consents.Disclosure(kinds)
        expected = kinds <= {"identity", "referrals"}
        assert consents.covers(as_choices, wanted, on) is expected
        assert consents.covers(as_strings, wanted, on) is expected
        assert consents.covers(nothing, wanted, on) is (not kinds)
        assert consents.covers(unknown, wanted, on) is (not kinds)


# --- between several consents: covering and scope, exhaustively over pairs ----------------------------

STATES = ["in force", "ends today", "expired", "revoked", "signed tomorrow"]
CONTENTS = {  # (information, covers_referrals); "scores only" is test_19's and test_revoke_and_sign_again's
    "identity, to recipients": (["identity", "referrals"], True),
    "identity, not to recipients": (["identity"], False),
}


def build(participant, state: str, content: str, signed_days_ago: int) -> Consent:
    today, now = timezone.localdate(), timezone.now()
    information, covers_referrals = CONTENTS[content]
    return Consent(
        participant=participant,
        discloser="Harbor",
        recipients="groups",
        information=information,
        purpose="x",
        revocation="tell us",
        covers_referrals=covers_referrals,
        signature={"typed_name": "J R"},
        signed_at=now + timedelta(days=1) if state == "signed tomorrow" else now - timedelta(days=signed_days_ago),
        expires_on={"ends today": today, "expired": today - timedelta(days=1)}.get(state),
        revoked_at=now if state == "revoked" else None,
    )


def in_force(state: str) -> bool:
    return state in ("in force", "ends today")


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(name="Harbor Recovery")


@pytest.mark.slow
def test_covering_and_scope_over_every_pair_of_consents(organisation):
    """10 x 10 pairs (an older and a newer consent), each state with each content: one participant
    per pair, so every pair is asked about on its own."""
    options = list(itertools.product(STATES, CONTENTS))
    pairs = list(itertools.product(options, options))
    people = Participant.objects.bulk_create(
        [Participant(organisation=organisation, code=f"PAIR-{i}") for i in range(len(pairs))]
    )
    made = [
        (build(p, *old, signed_days_ago=30), build(p, *new, signed_days_ago=10))
        for p, (old, new) in zip(people, pairs, strict=True)
    ]
    Consent.objects.bulk_create([c for pair in made for c in pair])
    for p, ((old_state, old_content), (new_state, new_content)), (older, newer) in zip(
        people, pairs, made, strict=True
    ):
        case = (old_state, old_content, new_state, new_content)
        live = [
            (c, content)
            for c, state, content in ((older, old_state, old_content), (newer, new_state, new_content))
            if in_force(state)
        ]
        good = [c for c, content in live if content == "identity, to recipients"]
        expected = max(good, key=lambda c: c.signed_at, default=None)
        assert consents.covering(p, IDENTITY) == expected, case
        scope = consents.scope(p)
        assert scope["in_force"] is bool(live), case
        assert scope["kinds"] == sorted({k for _c, content in live for k in CONTENTS[content][0]}), case
        assert scope["referrals_may_carry_identity"] is (expected is not None), case
        assert scope["latest"] == max((c for c, _ in live), key=lambda c: c.signed_at, default=None), case


def test_two_consents_signed_at_the_same_instant_the_one_recorded_last_is_chosen(organisation):
    p = Participant.objects.create(organisation=organisation, code="P-TIE")
    instant = timezone.now() - timedelta(days=3)
    first = Consent.objects.create(
        participant=p,
        discloser="H",
        recipients="g",
        information=["identity"],
        purpose="x",
        revocation="r",
        covers_referrals=True,
        signed_at=instant,
    )
    second = Consent.objects.create(
        participant=p,
        discloser="H",
        recipients="g",
        information=["identity"],
        purpose="x",
        revocation="r",
        covers_referrals=True,
        signed_at=instant,
    )
    assert second.pk > first.pk
    assert consents.covering(p, IDENTITY) == second
    Consent.objects.filter(pk=second.pk).update(revoked_at=timezone.now())
    assert consents.covering(p, IDENTITY) == first


def test_revoke_and_sign_again_the_same_day(organisation):
    """The participant revokes at 10:00 and signs a narrower consent at 10:05, then a full one at 16:00."""
    p = Participant.objects.create(organisation=organisation, code="P-AGAIN")
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("UTC")), tick=False) as clock:
        first = Consent.objects.create(
            participant=p,
            discloser="H",
            recipients="g",
            purpose="x",
            revocation="r",
            information=["identity", "referrals"],
            covers_referrals=True,
        )
        assert consents.covering(p, IDENTITY) == first
        clock.move_to(datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("UTC")))
        Consent.objects.filter(pk=first.pk).update(revoked_at=timezone.now())
        assert consents.covering(p, IDENTITY) is None and consents.scope(p)["in_force"] is False
        clock.move_to(datetime(2026, 12, 7, 10, 5, tzinfo=ZoneInfo("UTC")))
        narrow = Consent.objects.create(
            participant=p,
            discloser="H",
            recipients="g",
            purpose="x",
            revocation="r",
            information=["barc"],
            covers_referrals=True,
        )
        assert consents.covering(p, IDENTITY) is None
        assert consents.scope(p) | {"latest": None} == {
            "in_force": True,
            "kinds": ["barc"],
            "referrals_may_carry_identity": False,
            "latest": None,
        }
        assert consents.scope(p)["latest"] == narrow
        clock.move_to(datetime(2026, 12, 7, 16, 0, tzinfo=ZoneInfo("UTC")))
        full = Consent.objects.create(
            participant=p,
            discloser="H",
            recipients="g",
            purpose="x",
            revocation="r",
            information=["identity"],
            covers_referrals=True,
        )
        assert consents.covering(p, IDENTITY) == full
        assert consents.scope(p)["kinds"] == ["barc", "identity"]


def test_a_consent_ends_at_local_midnight_for_covering_too(organisation):
    """``covering`` (what a referral asks when it is made) keeps the local day, like ``covers``."""
    p = Participant.objects.create(organisation=organisation, code="P-MIDNIGHT")
    zone = "America/Los_Angeles"
    with timezone.override(zone), time_machine.travel(at(zone, date(2026, 12, 7), LAST_SECOND), tick=False) as clock:
        made = Consent.objects.create(
            participant=p,
            discloser="H",
            recipients="g",
            purpose="x",
            revocation="r",
            information=["identity"],
            covers_referrals=True,
            expires_on=date(2026, 12, 7),
            signed_at=timezone.now() - timedelta(days=5),
        )
        assert consents.covering(p, IDENTITY) == made  # 07:59:59 on the 8th in UTC, still the 7th here
        clock.shift(timedelta(seconds=1))
        assert consents.covering(p, IDENTITY) is None
        assert consents.in_force_now(p) == []
