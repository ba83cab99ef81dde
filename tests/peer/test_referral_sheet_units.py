"""Referrals (``peer/referrals.py``) apart from the page flow of tests/peer/test_referral_flow.py:

- the sheet under each consent state: identity only while the consent the referral was *made
  under* covers it (a newer consent does not bring an old referral's identity back), a
  sharing referral with no consent behind it shows none, a non-sharing one never shows it even
  with a consent in force; the service's name for each service; FindTreatment.gov only for
  medication treatment; the meeting found again by its lasting address, or None once it is gone;
- ``create_referral`` keeps only the fields of its kind (a program referral carries no service);
- ``meeting_at``, the lasting address, for odd keys and malformed addresses;
- ``meeting_search``: the finder's parameters and nothing else reach the engine, at most 20
  results, a bad parameter answered as an error, and every result's ``ref`` finds its meeting.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from commonground.meetings.models import DataVersion, Source, meeting_at
from commonground.peer import referrals
from commonground.peer.models import SERVICES, Consent, Organisation, Participant, Referral
from commonground.peer.records import Identity
from commonground.search import engine


@pytest.fixture
def person(db):
    """One participant of one organisation, with a name and phone; no staff accounts needed."""
    organisation = Organisation.objects.create(name="Harbor Recovery")
    return Participant.objects.create(
        organisation=organisation, code="P-ONE111", identity={"name": "Jordan Reyes", "phone": "555 010 1111"}
    )


def consent(p, *, kinds=("identity",), covers=True, expires_on=None, revoked=False, signed_days_ago=5) -> Consent:
    now = timezone.now()
    return Consent.objects.create(
        participant=p,
        discloser="Harbor",
        recipients="groups",
        information=list(kinds),
        purpose="connect",
        revocation="tell us",
        covers_referrals=covers,
        signed_at=now - timedelta(days=signed_days_ago),
        expires_on=expires_on,
        revoked_at=now if revoked else None,
    )


def referral(p, staff, *, under=None, shares=None, kind="program", program="aa", service="", meeting="") -> Referral:
    return Referral.objects.create(
        participant=p,
        staff=staff,
        made_on=timezone.localdate(),
        kind=kind,
        program=program,
        service=service,
        meeting=meeting,
        shares_identity=under is not None if shares is None else shares,
        consent=under,
        follow_up_on=timezone.localdate() + timedelta(days=7),
    )


# --- the sheet under each consent state -----------------------------------------------------------------

TODAY_STATES = {
    # state -> (consent keyword arguments, covers today?)
    "in force": ({}, True),
    "ends today": ({"expires_on": "today"}, True),
    "ended yesterday": ({"expires_on": "yesterday"}, False),
    "revoked": ({"revoked": True}, False),
    "names only scores": ({"kinds": ("barc",)}, False),
    "not to recipients": ({"covers": False}, False),
    "signed tomorrow": ({"signed_days_ago": -1}, False),
}


def test_the_sheet_under_each_consent_state(person):
    """7 consent states x a referral that shares identity or not."""
    p = person
    for state, shares in itertools.product(TODAY_STATES, (True, False)):
        values, covered = TODAY_STATES[state]
        values = dict(values)
        if "expires_on" in values:
            values["expires_on"] = timezone.localdate() - timedelta(
                days=1 if values["expires_on"] == "yesterday" else 0
            )
        with transaction.atomic():
            made = consent(p, **values)
            shown = referrals.sheet(p, referral(p, None, under=made if shares else None, shares=shares))
            if shares and covered:
                assert shown["identity"] == Identity(name="Jordan Reyes", phone="555 010 1111"), state
                assert shown["consent_ended"] is False
            else:
                assert shown["identity"] is None, (state, shares)
                assert shown["consent_ended"] is shares, (state, shares)  # said only where identity was meant to go
            assert shown["notice"] == referrals.NOTICE_2_32 and shown["p"] == p
            transaction.set_rollback(True)


def test_a_newer_consent_does_not_bring_back_an_old_referral_s_identity(person):
    """The sheet checks the consent the referral was made under, not whichever is in force now."""
    p, staff = person, None
    old = consent(p, signed_days_ago=20)
    before = referral(p, staff, under=old)
    Consent.objects.filter(pk=old.pk).update(revoked_at=timezone.now())
    consent(p, signed_days_ago=0)  # signed again, covering everything
    assert referrals.sheet(p, Referral.objects.get(pk=before.pk))["identity"] is None
    made, error = referrals.create_referral(
        p, staff, {"kind": "program", "program": "aa", "shares_identity": True, "follow_up_on": timezone.localdate()}
    )
    assert error is None and referrals.sheet(p, made)["identity"].name == "Jordan Reyes"


def test_a_sharing_referral_with_no_consent_behind_it_shows_no_identity(person):
    p, staff = person, None
    consent(p)  # a consent in force exists, but this referral was not made under it
    shown = referrals.sheet(p, referral(p, staff, under=None, shares=True))
    assert shown["identity"] is None and shown["consent_ended"] is True


def test_the_sheet_at_local_midnight_of_the_consent_s_last_day(person):
    p, staff = person, None
    zone = "Asia/Kolkata"  # UTC+5:30: the local day ends at 18:30 UTC
    last_second = datetime.combine(date(2026, 12, 7), time(23, 59, 59), tzinfo=ZoneInfo(zone))
    with timezone.override(zone), time_machine.travel(last_second, tick=False) as clock:
        made = referral(p, staff, under=consent(p, expires_on=date(2026, 12, 7)))
        assert referrals.sheet(p, made)["identity"] is not None
        clock.shift(timedelta(seconds=1))
        shown = referrals.sheet(p, made)
        assert shown["identity"] is None and shown["consent_ended"] is True


def test_a_service_sheet_names_the_service_and_links_findtreatment_only_for_medication(person):
    for code, label in SERVICES:
        made, error = referrals.create_referral(
            person,
            None,
            {
                "kind": "service",
                "service": code,
                "program": "",
                "shares_identity": False,
                "follow_up_on": date(2026, 12, 14),
            },
        )
        assert error is None and made.service == code
        shown = referrals.sheet(person, made)
        assert shown["service"] == label and str(label), code
        assert shown["find_treatment"] == (referrals.FIND_TREATMENT if code == "moud" else None), code
        assert shown["meeting"] is None and shown["identity"] is None and shown["consent_ended"] is False


@pytest.mark.parametrize("kind", ["program", "meeting"])
def test_a_referral_keeps_only_the_fields_of_its_kind(person, make_meeting, kind):
    """A program or meeting referral with a service left in the form data carries no service (and no
    FindTreatment link); a meeting referral's program is the meeting's, whatever the form said."""
    p = person
    meeting = make_meeting(name="Lighthouse")
    made, error = referrals.create_referral(
        p,
        None,
        {
            "kind": kind,
            "program": "na",
            "service": "moud",
            "meeting": f"{meeting.source.slug}/{meeting.key}",
            "shares_identity": False,
            "follow_up_on": date(2026, 12, 14),
        },
    )
    assert error is None
    assert made.service == "" and referrals.sheet(p, made)["find_treatment"] is None
    if kind == "meeting":
        assert made.program == meeting.program_id == "aa" and made.details.meeting_name == "Lighthouse"
        assert referrals.sheet(p, made)["meeting"] == meeting
    else:
        assert made.program == "na" and made.meeting == "" and referrals.sheet(p, made)["meeting"] is None


def test_a_meeting_gone_since_leaves_the_sheet_without_it_but_keeps_its_name(person, make_meeting):
    p = person
    meeting = make_meeting(name="Dawn Patrol")
    made, _error = referrals.create_referral(
        p,
        None,
        {
            "kind": "meeting",
            "meeting": f"{meeting.source.slug}/{meeting.key}",
            "shares_identity": False,
            "follow_up_on": date(2026, 12, 14),
        },
    )
    meeting.delete()
    shown = referrals.sheet(p, Referral.objects.get(pk=made.pk))
    assert shown["meeting"] is None and shown["r"].details.meeting_name == "Dawn Patrol"


# --- the lasting address ----------------------------------------------------------------------------------


def test_odd_keys_are_found_again_by_their_address(make_meeting, source):
    for key in ["plain", "with space", "a/b/c", "100%", "café-noon", "?x=1#y", "%2F"]:
        meeting = make_meeting(key=key)
        assert meeting_at(f"{source.slug}/{key}") == meeting, key


def test_malformed_or_foreign_addresses_find_nothing(make_meeting, source):
    meeting = make_meeting(key="k1")
    other = Source.objects.create(name="Another intergroup", format="meeting-guide")
    for ref in [
        "",
        None,
        source.slug,
        f"{source.slug}/",
        "/k1",
        f"{other.slug}/k1",
        f"{source.slug}/K1",
        f"{source.slug}/k1/",
        f" {source.slug}/k1",
    ]:
        assert meeting_at(ref) is None, ref
    assert meeting_at(f"{source.slug}/k1") == meeting


# --- the finder's search, as the specialist runs it -------------------------------------------------------


@pytest.fixture
def listed(make_meeting, source):
    """21 meetings named "Harbor n" (one with an awkward key) and 2 named "Quiet n", in the index."""
    engine.reset()  # no index left from another test's data version
    made = [make_meeting(name=f"Harbor {n:02d}", key=f"h/{n} %" if n == 7 else f"h{n}") for n in range(21)]
    made += [make_meeting(name=f"Quiet {n}") for n in range(2)]
    DataVersion.bump()
    yield made
    engine.reset()


def params(text: str) -> QueryDict:
    return QueryDict(text)


@pytest.mark.slow
@pytest.mark.django_db
def test_at_most_twenty_results_and_only_the_finder_s_own_non_empty_fields(listed):
    plain = referrals.meeting_search(params("q=Harbor&search=1"))
    assert plain["error"] is None and plain["count"] == 21 and len(plain["results"]) == 20
    assert plain["params"] == {"q": "Harbor", "limit": "20"}
    # limit, offset, sort and now are not the finder's form fields here: they never reach the engine.
    pushed = referrals.meeting_search(params("q=Harbor&limit=3&offset=20&sort=nearest&now=2020-01-01T00:00Z"))
    assert pushed["params"] == {"q": "Harbor", "limit": "20"}
    assert [r["ref"] for r in pushed["results"]] == [r["ref"] for r in plain["results"]]
    # Empty fields are dropped; several programs or types are kept, as lists.
    found = referrals.meeting_search(params("q=Quiet&near=&day=&mode=&program=aa&program=na&type=open&type=closed"))
    assert found["params"] == {"q": "Quiet", "program": ["aa", "na"], "type": ["open", "closed"], "limit": "20"}
    assert found["error"] is None


@pytest.mark.django_db
def test_a_bad_field_is_answered_as_an_error_not_raised():
    for query, field in [
        ("program=no-such-program", "program"),
        ("type=ZZZ", "type"),
        ("mode=by-pigeon", "mode"),
        ("day=8", "day"),
        ("tz=Mars/Olympus", "tz"),
        ("q=" + "x" * 101, "q"),
    ]:
        found = referrals.meeting_search(params(query))
        assert found["error"] and found["field"] == field and found["results"] == [], query


@pytest.mark.slow
@pytest.mark.django_db
def test_every_result_s_ref_finds_its_own_meeting(listed):
    by_pk = {m.pk: m for m in listed}
    results = (
        referrals.meeting_search(params("q=Harbor"))["results"] + referrals.meeting_search(params("q=Quiet"))["results"]
    )
    assert len(results) == 22  # 20 of the 21 Harbors, and the 2 Quiets
    for r in results:
        assert meeting_at(r["ref"]) == by_pk[r["id"]], r["ref"]
    awkward = next(m for m in listed if m.key == "h/7 %")
    assert any(r["ref"] == f"{awkward.source.slug}/h/7 %" for r in results)
