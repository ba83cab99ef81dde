# ruff: noqa: F811
"""Issue 25, the peer workspace's data: report suppression (8), deleting a participant whose referral
carried their identity (9), consent scope (10), and the low items on report months, participant
codes and what an export discloses."""

from __future__ import annotations

import csv
import io
import itertools
import re
import time
import zipfile
from datetime import date, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.peer import audit, reports
from commonground.peer.models import (
    AuditRecord,
    CompanionLink,
    Consent,
    InformationKind,
    Participant,
    Referral,
)
from commonground.private.ids import encode as oid
from tests.peer.conftest import world  # noqa: F401 - the workspace fixture (its uses below are F811 to ruff)
from tests.tiers import sweep

# --- item 8: no suppressed value can be worked out from what a report shows ------------------------

SMALL_CELL = 11  # (the tests name the rule's number: a change to it is a change of the rule)


def _small(v) -> bool:
    return v is not None and 1 <= v < SMALL_CELL


def _num(text):
    """A shown count, or None when it is not shown."""
    text = str(text).strip()
    return int(text) if text.isdigit() else None


def _pct(text):
    text = str(text).strip()
    return int(text[:-1]) if text.endswith("%") and text[:-1].isdigit() else None


def attack(shown: dict, truth) -> list[str]:
    """Everything a reader can solve for, from the shown cells, the sums they know and the rates.

    ``shown`` holds lists of shown counts (None where hidden) and rates (whole percent, None where
    not shown). A hidden cell is known to be at least 1 (zero is shown), and each sum gives an upper
    bound; a disclosure is a small true count whose every possible value is small (1 to 10), or a
    rate whose every explanation puts a small count on one side of it."""
    found = []

    def bound_in_sum(own: list, other_total):
        """Upper bounds of hidden cells in a list whose total is ``other_total`` (None if unknown)."""
        hidden = [i for i, v in enumerate(own) if v is None]
        if other_total is None:
            return {}
        rest = other_total - sum(v for v in own if v is not None)
        return {i: rest - (len(hidden) - 1) for i in hidden}

    month_refs, program_refs = shown["referrals"], [p[0] for p in shown["programs"]]
    total_from_programs = None if None in program_refs else sum(program_refs)
    total_from_months = None if None in month_refs else sum(month_refs)
    checks = [
        ("month referrals", bound_in_sum(month_refs, total_from_programs), truth.referrals),
        ("program referrals", bound_in_sum(program_refs, total_from_months), [p.referrals for p in truth.programs]),
        ("BARC-10 group", bound_in_sum(shown["barc"], shown["barc_people"]), truth.barc),
    ]
    if shown["barc_people"] is None and None not in shown["barc"]:
        checks.append(("BARC-10 people", {0: sum(shown["barc"])}, [truth.barc_people]))
    for i, encounters in enumerate(shown["encounters"]):  # served <= encounters
        if shown["served"][i] is None and encounters is not None:
            checks.append((f"served {i}", {0: encounters}, [truth.served[i]]))
    for name, highs, values in checks:
        for i, high in highs.items():
            if _small(values[i]) and high < SMALL_CELL:
                found.append(f"{name} {i}: {values[i]} is at most {high}")

    def rate_tells(r, bases) -> bool:
        parts = [(k, b) for b in bases for k in range(b + 1) if abs(100 * k / b - r) <= 0.5]
        return parts and (all(_small(k) for k, _b in parts) or all(_small(b - k) for k, b in parts))

    for i, r in enumerate(shown["completion"]):
        if r is not None:
            due = shown["due"][i]
            assert due is not None, "a rate on a hidden base"
            if rate_tells(r, [due]):
                found.append(f"completion {i}: {r}% of {due}")
    for j, (referrals, attended, fit) in enumerate(shown["programs"]):
        for label, r in (("attended", attended), ("fit", fit)):
            if r is not None:
                assert referrals is not None, "a rate on a hidden row"
                if rate_tells(r, range(1, referrals + 1)):
                    found.append(f"{label} rate {j}: {r}% of at most {referrals}")
    return found


def shown_from_report(report) -> dict:
    return {
        "served": [_num(r["served"]) for r in report.by_month],
        "encounters": [_num(r["encounters"]) for r in report.by_month],
        "referrals": [_num(r["referrals"]) for r in report.by_month],
        "due": [_num(r["follow_ups_due"]) for r in report.by_month],
        "completion": [_pct(r["follow_up_completion"]) for r in report.by_month],
        "programs": [(_num(r["referrals"]), _pct(r["attended_rate"]), _pct(r["fit_rate"])) for r in report.by_program],
        "barc": [_num(r["participants"]) for r in report.barc_change],
        "barc_people": _num(report.barc_people),
    }


def shown_from_html(html: str) -> dict:
    def rows(table_id):
        body = html.split(f'id="{table_id}"')[1].split("</tbody>")[0].split("<tbody>")[1]
        return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]

    months = rows("by-month")
    programs = [r for r in rows("by-program") if len(r) == 4]
    people = re.search(r"assessment \((.*?) participants with two or more\)", html).group(1)
    return {
        "served": [_num(r[1]) for r in months],
        "encounters": [_num(r[2]) for r in months],
        "referrals": [_num(r[3]) for r in months],
        "due": [_num(r[4]) for r in months],
        "completion": [_pct(r[5]) for r in months],
        "programs": [(_num(r[1]), _pct(r[2]), _pct(r[3])) for r in programs],
        "barc": [_num(r[1]) for r in rows("barc-change")],
        "barc_people": _num(people),
    }


def shown_from_csv(text: str) -> dict:
    rows = list(csv.reader(io.StringIO(text)))[1:]
    months = [r for r in rows if r[0] == "month"]
    return {
        "served": [_num(r[2]) for r in months],
        "encounters": [_num(r[3]) for r in months],
        "referrals": [_num(r[4]) for r in months],
        "due": [_num(r[5]) for r in months],
        "completion": [_pct(r[6]) for r in months],
        "programs": [(_num(r[4]), _pct(r[7]), _pct(r[8])) for r in rows if r[0] == "program"],
        "barc": [_num(r[9]) for r in rows if r[0] == "barc_change"],
        "barc_people": next((_num(r[9]) for r in rows if r[0] == "barc_people"), None),
    }


def last_twelve_months() -> list[date]:
    this = timezone.localdate().replace(day=1)
    return [reports.add_month(this, n) for n in range(-11, 1)]


COUNT = st.one_of(st.integers(0, 12), st.integers(0, 40))


@st.composite
def report_counts(draw):
    Counts, ProgramCounts = reports.Counts, reports.ProgramCounts  # noqa: N806
    programs = []
    for n in range(draw(st.integers(0, 4))):
        referrals = draw(st.integers(1, 40))
        with_outcome = draw(st.integers(0, referrals))
        went = draw(st.integers(0, with_outcome))
        judged = draw(st.integers(0, went))
        programs.append(
            ProgramCounts(
                f"Program {n}",
                referrals,
                went=went,
                with_outcome=with_outcome,
                judged=judged,
                fit_well=draw(st.integers(0, judged)),
            )
        )
    total = sum(p.referrals for p in programs)
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=11, max_size=11)))
    month_refs = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    encounters = draw(st.lists(COUNT, min_size=12, max_size=12))
    served = [draw(st.integers(0, e)) for e in encounters]
    due = draw(st.lists(COUNT, min_size=12, max_size=12))
    done = [draw(st.integers(0, d)) for d in due]
    return Counts(
        months=last_twelve_months(),
        served=served,
        encounters=encounters,
        referrals=month_refs,
        due=due,
        done=done,
        programs=programs,
        barc=draw(st.lists(COUNT, min_size=5, max_size=5)),
    )


def _issue_examples():
    """The tester's three: 13 total − 12 shown = 1; 67% of 15; 8% of at least 11."""
    Counts, ProgramCounts = reports.Counts, reports.ProgramCounts  # noqa: N806
    months = last_twelve_months()
    zeros = [0] * 12
    return [
        Counts(months, zeros, zeros, zeros, zeros, zeros, [], [12, 1, 0, 0, 0]),
        Counts(months, zeros, zeros, zeros, [15, *zeros[1:]], [10, *zeros[1:]], [], [0] * 5),
        Counts(
            months,
            zeros,
            zeros,
            [13, *zeros[1:]],
            zeros,
            zeros,
            [ProgramCounts("AA", 13, went=13, with_outcome=13, judged=13, fit_well=1)],
            [0] * 5,
        ),
        Counts(months, zeros, zeros, [12, 1, *zeros[2:]], zeros, zeros, [ProgramCounts("AA", 13)], [0] * 5),
    ]


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(report_counts())
def test_item25_8_no_suppressed_count_can_be_solved_for(counts):
    report = reports.suppress(counts)
    assert attack(shown_from_report(report), counts) == []
    # every small count is hidden, and every shown count is the true one
    shown = shown_from_report(report)
    for column in ("served", "encounters", "referrals", "due"):
        for value, true in zip(shown[column], getattr(counts, column), strict=True):
            assert value in (None, true) and not _small(value)
    for (value, _a, _f), true in zip(shown["programs"], counts.programs, strict=True):
        assert value in (None, true.referrals) and not _small(value)


@pytest.mark.parametrize("case", range(4))
def test_item25_8_the_testers_three_are_closed(case):
    counts = _issue_examples()[case]
    assert attack(shown_from_report(reports.suppress(counts)), counts) == []


def test_item25_8_the_old_rule_is_what_the_attack_finds():
    """The attack is real: showing small cells as "<11" and nothing else gives each one away."""
    zeros = [0] * 12
    counts = SimpleNamespace(
        served=zeros, encounters=zeros, referrals=zeros, programs=[], barc=[12, 1, 0, 0, 0], barc_people=13
    )
    naive = {
        "served": zeros,
        "encounters": zeros,
        "referrals": zeros,
        "due": zeros,
        "completion": [None] * 12,
        "programs": [],
        "barc": [12, None, 0, 0, 0],
        "barc_people": 13,
    }
    assert attack(naive, counts) == ["BARC-10 group 1: 1 is at most 1"]


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_8_the_testers_three_through_the_pages(world):
    """Real rows: 13 with two BARC-10s (12 rose by 10+, 1 stayed); 13 AA referrals judged, 1 fit
    well (8%); 2 SMART referrals still open, so 13 of 15 follow-ups done."""
    from commonground.peer.models import Assessment

    org, a_one, supervisor = world["orgs"]["a"], world["staff"]["a_one"], world["clients"]["a_supervisor"]
    month = timezone.localdate().replace(day=1)
    people = [Participant.objects.create(organisation=org, code=f"P-T{n:03d}", specialist=a_one) for n in range(15)]
    for n, p in enumerate(people[:13]):
        Assessment.objects.create(participant=p, taken_on=month - timedelta(days=60), total=30)
        Assessment.objects.create(participant=p, taken_on=month, total=30 if n == 0 else 45)
        Referral.objects.create(
            participant=p,
            staff=a_one,
            made_on=month,
            kind="program",
            program="aa",
            follow_up_on=month,
            outcome="fit_well" if n == 0 else "didnt_fit",
            outcome_on=month,
        )
    for p in people[13:]:
        Referral.objects.create(
            participant=p, staff=a_one, made_on=month, kind="program", program="smart", follow_up_on=month
        )
    zeros = [0] * 11
    truth = SimpleNamespace(
        served=[*zeros, 0],
        encounters=[*zeros, 0],
        referrals=[*zeros, 15],
        due=[*zeros, 15],
        done=[*zeros, 13],
        programs=[SimpleNamespace(referrals=13), SimpleNamespace(referrals=2)],
        barc=[0, 0, 1, 0, 12],
        barc_people=13,
    )
    html = supervisor.get("/peer/reports").content.decode()
    text = supervisor.get("/peer/reports?format=csv").content.decode()
    assert attack(shown_from_html(html), truth) == []
    assert attack(shown_from_csv(text), truth) == []


@pytest.fixture
def supervisor(world):
    return world["clients"]["a_supervisor"]


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_8_the_page_the_csv_and_the_chart_show_no_more_than_the_rule(supervisor):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.one_of(report_counts(), st.sampled_from(_issue_examples())))
    def check(counts):
        with mock.patch.object(reports, "gather", return_value=counts):
            html = supervisor.get("/peer/reports").content.decode()
            text = supervisor.get("/peer/reports?format=csv").content.decode()
            svg = supervisor.get("/peer/reports/encounters.svg").content.decode()
            api = supervisor.get("/api/v1/peer/reports/monthly").json()
        from_html, from_csv = shown_from_html(html), shown_from_csv(text)
        assert attack(from_html, counts) == [] and attack(from_csv, counts) == []
        assert from_html == from_csv == shown_from_report(reports.suppress(counts))
        from_api = shown_from_report(
            SimpleNamespace(
                by_month=api["by_month"],
                by_program=api["by_program"],
                barc_change=api["barc10_change"],
                barc_people=None,
            )
        )
        assert from_api == {**from_html, "barc_people": None}
        drawn = [int(v) for v in re.findall(r'<desc class="value">([^<]*)</desc>', svg)]
        assert drawn == [v for v in from_html["encounters"] if v is not None]
        assert "<11" not in text and "&lt;11" not in html

    check()


# --- the low item: out-of-range report months ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "from=0001-01&to=9999-12",
        "from=0001-01",
        "to=9999-12",
        "from=1-1",
        "to=2026-13",
        "from=２０２６-01",
        "from=2020-01&to=2026-01",
        "to=2026-1%0A",
        "from=1969-12",
    ],
)
def test_item25_low_report_months_are_bounded(supervisor, query):
    for path in ("/peer/reports?", "/peer/reports?format=csv&", "/peer/reports/encounters.svg?"):
        started = time.perf_counter()
        answer = supervisor.get(path + query)
        assert time.perf_counter() - started < 3
        assert answer.status_code == 400, (path, query)
        if "svg" not in path:
            assert 'id="range-error"' in answer.content.decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_a_report_of_36_months_is_fine(supervisor):
    today = timezone.localdate().replace(day=1)
    first = reports.add_month(today, -35)
    answer = supervisor.get(f"/peer/reports?from={first:%Y-%m}&to={today:%Y-%m}")
    assert answer.status_code == 200 and answer.content.decode().count('<th scope="row">') >= 36


# --- item 10: every disclosure checks the kinds of information the consent names -----------------

KINDS = [k.value for k in InformationKind]
STATES = ["in force", "ends today", "expired", "revoked", "signed tomorrow"]


def _consent(participant, kinds, covers_referrals, state) -> Consent:
    today, now = timezone.localdate(), timezone.now()
    return Consent.objects.create(
        participant=participant,
        discloser="Harbor",
        recipients="groups",
        information=list(kinds),
        purpose="connect",
        revocation="tell us",
        covers_referrals=covers_referrals,
        signature={"typed_name": "J R"},
        expires_on={"ends today": today, "expired": today - timedelta(days=1)}.get(state),
        revoked_at=now if state == "revoked" else None,
        signed_at=now + timedelta(days=1) if state == "signed tomorrow" else now - timedelta(days=30),
    )


def _subsets(items):
    return [set(c) for n in range(len(items) + 1) for c in itertools.combinations(items, n)]


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_10_the_rule_over_every_combination(world):
    from commonground.peer import consent

    p = world["people"]["p2"]
    for kinds, covers_referrals, state in itertools.product(_subsets(KINDS), (False, True), STATES):
        made = _consent(p, kinds, covers_referrals, state)
        in_force = state in ("in force", "ends today")
        assert consent.in_force(made) is in_force
        for wanted, to_recipient in itertools.product(_subsets(KINDS), (False, True)):
            disclosure = consent.Disclosure(frozenset(wanted), to_referral_recipient=to_recipient)
            expected = in_force and wanted <= kinds and (covers_referrals or not to_recipient)
            assert consent.covers(made, disclosure) is expected, (kinds, covers_referrals, state, wanted)
        expected = in_force and "identity" in kinds and covers_referrals
        assert (consent.covering(p, consent.REFERRAL_WITH_IDENTITY) == made) is expected
        made.delete()


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_10_a_referral_carries_identity_only_under_a_consent_naming_it(world):
    """Through the pages: every set of consented kinds x covers referrals, in force; and every state
    of a consent that names everything."""
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    follow_up = (timezone.localdate() + timedelta(days=7)).isoformat()
    cases = [(kinds, covers, "in force") for kinds in _subsets(KINDS) for covers in (False, True)]
    cases += [(set(KINDS), True, state) for state in STATES[1:]]
    for kinds, covers_referrals, state in cases:
        made = _consent(p, kinds, covers_referrals, state)
        answer = client.post(
            f"/peer/participants/{oid('participant', p.pk)}/refer",
            {"kind": "program", "program": "aa", "shares_identity": "on", "follow_up_on": follow_up},
        )
        allowed = "identity" in kinds and covers_referrals and state in ("in force", "ends today")
        assert answer.status_code == (302 if allowed else 400), (kinds, covers_referrals, state)
        if allowed:
            sheet = client.get(answer["Location"]).content.decode()
            assert "Jordan Reyes" in sheet and "555 010 1111" in sheet
            # the participant narrows the consent to BARC-10 scores: the sheet hides them at once
            Consent.objects.filter(pk=made.pk).update(information=["barc"])
            sheet = client.get(answer["Location"]).content.decode()
            assert "Jordan Reyes" not in sheet and "555 010 1111" not in sheet and 'id="consent-ended"' in sheet
        Referral.objects.filter(participant=p).delete()
        made.delete()


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_10_a_barc_only_consent_lets_no_name_go(world):
    """The tester's case."""
    client, p = world["clients"]["a_one"], world["people"]["p1"]
    _consent(p, {"barc"}, True, "in force")
    answer = client.post(
        f"/peer/participants/{oid('participant', p.pk)}/refer",
        {
            "kind": "program",
            "program": "aa",
            "shares_identity": "on",
            "follow_up_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    assert answer.status_code == 400 and not Referral.objects.exists()
    api = client.get(f"/api/v1/peer/participants/{oid('participant', p.pk)}").json()["consent"]
    assert api == {"in_force": True, "kinds": ["barc"], "referrals_may_carry_identity": False}


# --- item 9: a participant whose referral carried their identity can be deleted, audited --------


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_9_a_participant_with_an_identity_referral_is_deleted_and_audited(world):
    supervisor, p = world["clients"]["a_supervisor"], world["people"]["p1"]
    given_consent = _consent(p, {"identity", "referrals"}, True, "in force")
    Referral.objects.create(
        participant=p,
        staff=world["staff"]["a_one"],
        made_on=timezone.localdate(),
        kind="program",
        program="aa",
        shares_identity=True,
        consent=given_consent,
        follow_up_on=timezone.localdate(),
    )
    answer = supervisor.post(f"/peer/participants/{oid('participant', p.pk)}/delete", {"confirm": p.code})
    assert answer.status_code == 200 and "is deleted" in answer.content.decode()
    assert not Participant.objects.filter(pk=p.pk).exists()
    assert not Referral.objects.filter(participant_id=p.pk).exists()
    assert not Consent.objects.filter(participant_id=p.pk).exists()
    deleted = AuditRecord.objects.filter(action="delete", participant_id_at=p.pk)
    assert deleted.count() == 1 and deleted.get().object_type == "Participant"
    assert audit.verify().ok


@pytest.mark.django_db
def test_item25_9_a_deletion_that_fails_leaves_everything_and_no_delete_record(world):
    supervisor, p = world["clients"]["a_supervisor"], world["people"]["p1"]
    given_consent = _consent(p, {"identity"}, True, "in force")
    Referral.objects.create(
        participant=p,
        staff=world["staff"]["a_one"],
        made_on=timezone.localdate(),
        kind="program",
        program="aa",
        shares_identity=True,
        consent=given_consent,
        follow_up_on=timezone.localdate(),
    )
    with mock.patch.object(Participant, "delete", side_effect=RuntimeError("disk full")), pytest.raises(RuntimeError):
        supervisor.post(f"/peer/participants/{oid('participant', p.pk)}/delete", {"confirm": p.code})
    assert Participant.objects.filter(pk=p.pk).exists() and Referral.objects.filter(participant=p).exists()
    assert not AuditRecord.objects.filter(action="delete").exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_9_deleting_ends_the_companion_sharing(world, django_user_model):
    from commonground.journal.models import ShareGrant

    p = world["people"]["p1"]
    person = django_user_model.objects.create_user("shares-x", password="x long passphrase here")
    grant = ShareGrant.objects.create(user=person, code_hash="h" * 64, claimed=True, data={})
    CompanionLink.objects.create(participant=p, grant=grant)
    assert (
        world["clients"]["a_supervisor"]
        .post(f"/peer/participants/{oid('participant', p.pk)}/delete", {"confirm": p.code})
        .status_code
        == 200
    )
    grant.refresh_from_db()
    assert grant.revoked_at is not None and not grant.active


# --- the low items: participant codes, and what an export discloses ------------------------------


EXCLUDE = ["specialist", "identity", "interests"]


@pytest.mark.django_db
@sweep("code", ["../../x.json", "a\r\nb", "P 1", "x/y", "é-1", "-lead", "A" * 21, 'q"x', "P-1\x00"])
def test_item25_low_codes_are_refused_on_enrolment(world, code):
    client, before = world["clients"]["a_one"], Participant.objects.count()
    answer = client.post("/peer/participants/new", {"code": code, "specialist": world["staff"]["a_one"].pk})
    assert answer.status_code == 400 and 'id="id_code"' in answer.content.decode()
    if len(code) <= 20 and "\x00" not in code:  # (those two get Django's own message first)
        assert "letters (A–Z), digits" in answer.content.decode()
    assert Participant.objects.count() == before
    with pytest.raises(ValidationError, match="code"):
        Participant(organisation=world["orgs"]["a"], code=code).full_clean(exclude=EXCLUDE)


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_good_codes_are_taken(world):
    client = world["clients"]["a_one"]
    for code in ("Harbor-01", "p_7", "P-ABC234"):
        answer = client.post("/peer/participants/new", {"code": code, "specialist": world["staff"]["a_one"].pk})
        assert answer.status_code == 302, code
    Participant(organisation=world["orgs"]["a"], code="Harbor-02").full_clean(exclude=EXCLUDE)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("code", ["../../x.json", "a\r\nb", 'q";x=y', "é/ü"])
def test_item25_low_a_stored_bad_code_makes_a_safe_export(world, code):
    """Codes stored before the rule: the export's file names are made safe, and never a 500."""
    p = world["people"]["p1"]
    Participant.objects.filter(pk=p.pk).update(code=code)
    answer = world["clients"]["a_supervisor"].get(f"/peer/participants/{oid('participant', p.pk)}/export")
    assert answer.status_code == 200
    disposition = answer["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition
    filename = re.fullmatch(r'attachment; filename="([A-Za-z0-9_.-]+)"', disposition).group(1)
    assert filename.endswith("-record.zip") and ".." not in filename
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert len(names) == 1 and re.fullmatch(r"[A-Za-z0-9_-]+\.json", names[0])


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_the_export_carries_no_contact_details_of_others(world):
    """A referral to a meeting keeps its lasting address and name, never the group's contacts."""
    p = world["people"]["p1"]
    Referral.objects.create(
        participant=p,
        staff=world["staff"]["a_one"],
        made_on=timezone.localdate(),
        kind="meeting",
        meeting="src/key",
        follow_up_on=timezone.localdate(),
        details={"note": "", "meeting_name": "Open Door"},
    )
    archive = zipfile.ZipFile(
        io.BytesIO(
            world["clients"]["a_supervisor"].get(f"/peer/participants/{oid('participant', p.pk)}/export").content
        )
    )
    text = archive.read(archive.namelist()[0]).decode()
    assert "@" not in text and "contact" not in text and "Open Door" in text


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_8_a_hidden_cell_is_named_in_the_reader_s_language(world):
    org, a_one, supervisor = world["orgs"]["a"], world["staff"]["a_one"], world["clients"]["a_supervisor"]
    month = timezone.localdate().replace(day=1)
    for n in range(3):  # 3 referrals this month: a small count, hidden
        p = Participant.objects.create(organisation=org, code=f"P-L{n:03d}", specialist=a_one)
        Referral.objects.create(
            participant=p, staff=a_one, made_on=month, kind="program", program="aa", follow_up_on=month
        )
    english = supervisor.get("/peer/reports").content.decode()
    spanish = supervisor.get("/peer/reports", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ">suppressed<" in english
    assert ">suppressed<" not in spanish and ">suprimido<" in spanish
    # The CSV is data for other programs: its marker stays the same in every language.
    assert "suppressed" in supervisor.get("/peer/reports?format=csv", HTTP_ACCEPT_LANGUAGE="es").content.decode()
