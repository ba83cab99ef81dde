"""Sharing a companion with a peer organisation (``journal/sharing.py``), the one part of the
companion the workspace may use: share codes and their hash, claiming a code once, stopping, and
what a grant shows.

tests/peer/test_features.py follows one code through both sets of pages, and the hardening tests
check that deleting a participant ends the sharing; this file checks the module's rules directly."""

from __future__ import annotations

import hashlib
import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.journal import sharing
from commonground.journal.models import CheckIn, Clock, ShareGrant
from commonground.journal.records import ShareGrantData

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)
ALPHABET = sharing.CODE_ALPHABET
CODES = st.text(alphabet=ALPHABET, min_size=10, max_size=10)


# --- the code and its hash ------------------------------------------------------------------------


@st.composite
def written_by_hand(draw, code: str) -> str:
    """The code as a person might type or read it back: any case, with spaces and dashes anywhere."""
    out = []
    for ch in code:
        out.append(ch.upper() if draw(st.booleans()) else ch)
        out.append(draw(st.sampled_from(["", "", "", "-", " ", "  ", " - "])))
    return draw(st.sampled_from(["", " ", "-"])) + "".join(out)


@PROPERTY
@given(st.data(), CODES)
def test_a_code_typed_in_any_case_with_spaces_and_dashes_is_the_same_code(data, code):
    typed = data.draw(written_by_hand(code))
    assert sharing.code_hash(typed) == sharing.code_hash(f"{code[:5]}-{code[5:]}") == sharing.code_hash(code)


@PROPERTY
@given(CODES, CODES)
def test_different_codes_have_different_hashes(one, two):
    if one != two:
        assert sharing.code_hash(one) != sharing.code_hash(two)


def test_the_hash_is_sha256_of_the_normal_form_under_the_sharing_label():
    # Written out: lower case, only letters and digits, after a label of its own (a code's hash is
    # not the plain SHA-256 of the code, which would match any other table of hashed codes).
    normal = "abcde23456"
    expected = hashlib.sha256(b"commonground-share:" + normal.encode()).hexdigest()
    assert sharing.code_hash("ABCDE-23456") == expected != hashlib.sha256(normal.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", expected)


def test_the_alphabet_leaves_out_what_is_misread_aloud_or_by_hand():
    assert not set(ALPHABET) & set("0o1li")
    assert set(ALPHABET) <= set("abcdefghijklmnopqrstuvwxyz0123456789") and len(set(ALPHABET)) == len(ALPHABET)
    # 31 symbols, 10 of them: 31**10 is about 8.2e14 codes, beyond guessing at the claim form's pace.
    assert len(ALPHABET) ** 10 > 8 * 10**14


# --- making and claiming ----------------------------------------------------------------------------


@pytest.fixture
def someone(django_user_model):
    counter = iter(range(1, 1000))
    return lambda: django_user_model.objects.create(username=f"sharer-{next(counter)}")


@pytest.mark.django_db
def test_a_new_code_is_shown_once_and_only_its_hash_is_kept(someone):
    person = someone()
    codes = {sharing.new_code(person, date(2026, 12, 7)) for _ in range(20)}
    assert len(codes) == 20
    pattern = re.compile(rf"[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}")
    assert all(pattern.fullmatch(code) for code in codes)
    stored = {grant.code_hash: grant for grant in ShareGrant.objects.filter(user=person)}
    assert set(stored) == {sharing.code_hash(code) for code in codes}
    for grant in stored.values():
        assert grant.data == ShareGrantData(made_on="2026-12-07") and not grant.claimed and grant.revoked_at is None
        assert not grant.active
    kept = " ".join(str(row) for row in ShareGrant.objects.values_list("code_hash", "data"))  # all a grant holds
    assert not any(code in kept or code.replace("-", "") in kept for code in codes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", [str.upper, lambda c: c.replace("-", " "), lambda c: c.replace("-", ""), lambda c: f"  {c.upper()}  "]
)
def test_a_code_is_claimed_once_however_it_is_typed(someone, typed):
    person = someone()
    code = sharing.new_code(person, date(2026, 12, 1))
    grant_id = sharing.claim(typed(code), "Harbor Recovery")
    assert grant_id is not None
    grant = ShareGrant.objects.get(pk=grant_id)
    assert grant.user == person and grant.claimed and grant.active
    assert grant.data == ShareGrantData(
        made_on="2026-12-01", shared_with="Harbor Recovery", shared_on=timezone.localdate().isoformat()
    )
    # Used: the same code, or any way of typing it, claims nothing more.
    assert sharing.claim(code, "Harbor Recovery") is None
    assert sharing.claim(code.upper(), "Another Organisation") is None
    assert ShareGrant.objects.get(pk=grant_id).data.shared_with == "Harbor Recovery"


@pytest.mark.django_db
def test_a_code_never_made_or_already_stopped_claims_nothing(someone):
    person = someone()
    assert sharing.claim("abcde-fghjk", "Harbor Recovery") is None
    assert sharing.claim("", "Harbor Recovery") is None
    code = sharing.new_code(person, date(2026, 12, 1))
    # The person stops a code before anyone has used it.
    sharing.stop([ShareGrant.objects.get(user=person).pk])
    assert sharing.claim(code, "Harbor Recovery") is None
    assert not ShareGrant.objects.get(user=person).claimed


@pytest.mark.django_db
def test_stopping_ends_only_the_grants_named_and_keeps_the_first_stop_time(someone):
    person = someone()
    first, second = (sharing.claim(sharing.new_code(person, date(2026, 12, 1)), "Org") for _ in range(2))
    sharing.stop([first])
    stopped_at = ShareGrant.objects.get(pk=first).revoked_at
    assert stopped_at is not None and ShareGrant.objects.get(pk=second).active
    later = datetime.now(UTC) + timedelta(hours=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: later)
        sharing.stop([first, second])
    assert ShareGrant.objects.get(pk=first).revoked_at == stopped_at
    assert ShareGrant.objects.get(pk=second).revoked_at == later
    sharing.stop([])  # nothing named: nothing happens
    assert ShareGrant.objects.filter(revoked_at__isnull=True).count() == 0


# --- what a grant shows ---------------------------------------------------------------------------


def clock(user, name, start_date, start_time=None, zone="America/Chicago", **more):
    return Clock.objects.create(
        user=user,
        data={
            "name": name,
            "start_date": start_date,
            "start_time": start_time,
            "timezone": zone,
            "convention": "plain",
            "slips": [],
            "stretches": [],
            **more,
        },
    )


@pytest.mark.django_db
def test_a_grant_shows_the_clocks_counted_now_and_nothing_else_of_them(someone):
    person = someone()
    grant_id = sharing.claim(sharing.new_code(person, date(2026, 12, 1)), "Org")
    clock(
        person,
        "alcohol",
        "2026-11-01",
        substance="alcohol",
        slips=[{"date": "2026-10-31", "time": "22:00", "note": "a private note", "timezone": "America/Chicago"}],
    )
    clock(person, "cards", "2026-12-06", "23:30")
    now = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)  # 12:00 in Chicago (UTC-6)
    got = sharing.shared([grant_id], now=now)
    assert not got.ended
    # 1 November to 7 December in Chicago: 30 + 6 = 36 days. The other started at 23:30 yesterday,
    # 05:30 UTC today: 12 and a half hours ago, so 0 days and 12 hours.
    assert got.clocks == [{"name": "alcohol", "days": 36, "hours": None}, {"name": "cards", "days": 0, "hours": 12}]


@pytest.mark.django_db
def test_a_grant_shows_the_last_two_weeks_of_check_ins_newest_first(someone):
    person = someone()
    grant_id = sharing.claim(sharing.new_code(person, date(2026, 12, 1)), "Org")
    dates = [date(2026, 11, 1) + timedelta(days=n) for n in range(20)]
    for day in random.Random(7).sample(dates, len(dates)):  # kept in any order
        CheckIn.objects.create(
            user=person,
            data={"date": day.isoformat(), "mood": 3, "craving": day.day % 11, "meeting": False, "note": ""},
        )
    got = sharing.shared([grant_id])
    assert [c["date"] for c in got.check_ins] == [d.isoformat() for d in sorted(dates, reverse=True)[:14]]
    assert len(got.check_ins) == sharing.RECENT_CHECK_INS == 14
    assert [c["craving"] for c in got.check_ins] == [date.fromisoformat(c["date"]).day % 11 for c in got.check_ins]


@pytest.mark.django_db
def test_a_grant_shows_only_its_own_person(someone):
    me, other = someone(), someone()
    mine = sharing.claim(sharing.new_code(me, date(2026, 12, 1)), "Org")
    clock(me, "mine", "2026-11-01")
    clock(other, "theirs", "2026-11-01")
    CheckIn.objects.create(
        user=other, data={"date": "2026-12-01", "mood": 1, "craving": 9, "meeting": False, "note": ""}
    )
    got = sharing.shared([mine])
    assert [c["name"] for c in got.clocks] == ["mine"] and got.check_ins == []


@pytest.mark.django_db
def test_a_grant_never_made_is_none_and_a_stopped_one_has_ended(someone):
    person = someone()
    assert sharing.shared([]) is None
    assert sharing.shared([987654]) is None
    first = sharing.claim(sharing.new_code(person, date(2026, 12, 1)), "Org")
    second = sharing.claim(sharing.new_code(person, date(2026, 12, 2)), "Org")
    clock(person, "alcohol", "2026-11-01")
    sharing.stop([first])
    assert not sharing.shared([first, second]).ended  # one still stands
    sharing.stop([second])
    assert sharing.shared([first, second]) == sharing.Shared(ended=True, clocks=[], check_ins=[])
    # A code made but never claimed shares nothing.
    unclaimed = ShareGrant.objects.get(code_hash=sharing.code_hash(sharing.new_code(person, date(2026, 12, 3))))
    assert sharing.shared([unclaimed.pk]).ended
