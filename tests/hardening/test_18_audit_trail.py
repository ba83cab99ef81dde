"""Issue 25, items 7 and 11 and two Low items: an audit trail nobody can rewrite unseen.

- 7: the chain is keyed (HMAC-SHA256 under an audit key kept outside the database, rotatable) and
  anchored (signed checkpoints of the head in a file outside the database). Three forgeries made
  with direct SQL, triggers dropped as an attacker with write access would, must each fail
  ``audit verify``, naming what it found, with a non-zero exit from the CLI.
- 11: audit rows name people by an opaque id; a deleted companion account leaves no username.
- Low: probes for another organisation's object ids (or ids that do not exist) write a "denied"
  record naming the object; junk in the audit page's filter is a 400, never a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import UTC
from importlib import import_module

import orjson
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import URLPattern, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from commonground.peer import audit
from commonground.peer import urls as peer_urls
from commonground.peer.models import AuditHead, AuditRecord, Consent, Organisation, Participant, Referral, Role
from commonground.private.ids import encode as oid
from tests.journal.conftest import person  # noqa: F401 - a companion account made through sign-up
from tests.peer.conftest import make_staff, signed_in

TABLE = AuditRecord._meta.db_table
TRIGGERS = import_module("commonground.peer.migrations.0002_audit_append_only")
OTHER_KEY = "b3RoZXItdGVzdC1hdWRpdC1rZXktY29tbW9uLWdyZCE"  # 32 bytes, base64url; a second test-only key
LEGACY_FIELDS = (
    "seq",
    "at",
    "user_id_at",
    "organisation_id_at",
    "action",
    "view",
    "object_type",
    "object_id",
    "participant_id_at",
    "address",
    "prev_hash",
)


@pytest.fixture
def org_world(db):
    a, b = Organisation.objects.create(name="Harbor Recovery"), Organisation.objects.create(name="Other Org")
    staff = {
        "a_supervisor": make_staff(a, "ana-sup", Role.SUPERVISOR, is_admin=True),
        "a_one": make_staff(a, "ben-one"),
        "b_one": make_staff(b, "eve-one"),
    }
    people = {
        "p1": Participant.objects.create(organisation=a, code="P-ONE111", specialist=staff["a_one"]),
        "p3": Participant.objects.create(organisation=b, code="P-THREE3", specialist=staff["b_one"]),
    }
    consent = {
        p: Consent.objects.create(
            participant=people[p],
            discloser="Harbor",
            recipients="groups",
            information=["identity"],
            purpose="connect",
            revocation="tell us",
            covers_referrals=True,
            signature={"typed_name": "J R"},
        )
        for p in people
    }
    referral = {
        p: Referral.objects.create(
            participant=people[p],
            staff=people[p].specialist,
            made_on="2026-11-01",
            kind="program",
            program="aa",
            follow_up_on="2026-11-08",
        )
        for p in people
    }
    return {
        "orgs": {"a": a, "b": b},
        "staff": staff,
        "people": people,
        "consent": consent,
        "referral": referral,
        "clients": {name: signed_in(s) for name, s in staff.items()},
    }


# --- the attacker's tools: plain SQL, triggers dropped, plain SHA-256 -----------------------------


class attacker:  # noqa: N801 - reads as prose in the tests
    def __enter__(self):
        with connection.schema_editor() as editor:
            TRIGGERS.backwards(None, editor)
        return self

    def __exit__(self, *exc):
        with connection.schema_editor() as editor:
            TRIGGERS.forwards(None, editor)

    @staticmethod
    def sql(statement, params=()):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    @staticmethod
    def rechain_with_sha256(from_seq=1):
        """Renumber the rows without gaps and re-hash every link with plain SHA-256, then fix the head.
        The attacker has read our code (the record's canonical form, key id and all), not the key."""
        rows = list(AuditRecord.objects.order_by("seq"))
        prev = "0" * 64
        for new_seq, row in enumerate(rows, start=1):
            values = {f: getattr(row, f) for f in audit.FIELDS}
            values["seq"], values["prev_hash"] = new_seq, prev
            digest = hashlib.sha256(audit.canonical(values)).hexdigest()
            attacker.sql(
                f"UPDATE {TABLE} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s", (new_seq, prev, digest, row.id)
            )
            prev = digest
        attacker.sql("UPDATE peer_audithead SET seq = %s, hash = %s", (len(rows), prev))


def cli_verify() -> tuple[int, str]:
    """`commonground audit verify` as the command line runs it: its exit status and its message."""
    err = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            ManagementUtility(["commonground", "audit", "verify"]).execute()
        except SystemExit as exc:
            return int(exc.code or 0), err.getvalue()
    return 0, err.getvalue()


def make_trail(world, n=120):
    """n records through the real views and audit.record: views, changes and 27 disclosures."""
    client, p1 = world["clients"]["a_one"], world["people"]["p1"]
    disclosures = 0
    while AuditRecord.objects.count() < n:
        client.get(f"/peer/participants/{oid('participant', p1.pk)}")
        if disclosures < 27:
            audit.record(
                user=world["staff"]["a_one"].user,
                organisation_id=world["orgs"]["a"].pk,
                action="disclose",
                view="peer.referral_sheet",
                object_type="Referral",
                object_id=world["referral"]["p1"].pk,
                participant_id=p1.pk,
            )
            disclosures += 1


# --- item 7 -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_item25_7_records_are_keyed_with_hmac_and_name_their_key(org_world, settings):
    row = audit.record(action="view", view="peer.test")
    ring = audit.keys()
    assert row.key_id == ring.current and len(row.key_id) == 8
    plain = hashlib.sha256(audit.canonical({f: getattr(row, f) for f in audit.FIELDS})).hexdigest()
    assert row.hash != plain, "a plain SHA-256 anyone can recompute"
    expected = hmac.new(
        ring.keys[row.key_id], audit.canonical({f: getattr(row, f) for f in audit.FIELDS}), hashlib.sha256
    ).hexdigest()
    assert row.hash == expected
    assert audit.verify().ok


@pytest.mark.django_db
def test_item25_7_keys_rotate_without_rewriting_the_trail(org_world, settings):
    first = audit.record(action="view", view="peer.before")
    settings.AUDIT_KEYS = f"{OTHER_KEY},{settings.AUDIT_KEYS}"  # a new key first, the old one kept after it
    second = audit.record(action="view", view="peer.after")
    assert first.key_id != second.key_id
    assert AuditRecord.objects.get(seq=first.seq).key_id == first.key_id  # the old record was not touched
    assert audit.verify().ok
    settings.AUDIT_KEYS = OTHER_KEY  # the old key dropped too soon: verify says which key it misses
    result = audit.verify()
    assert not result.ok and first.key_id in result.problem and "AUDIT_KEYS" in result.problem


@pytest.mark.django_db
def test_item25_7_a_server_refuses_to_start_without_an_audit_key(settings, tmp_path):
    from commonground.web.checks import refuse_builtin_key

    settings.SECRET_KEY = "a-real-secret-key-for-this-test-" * 2
    settings.AUDIT_KEYS = ""
    settings.AUDIT_KEY_FILE = str(tmp_path / "audit_keys")
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="audit"):
        refuse_builtin_key()
    settings.DEBUG = True  # development makes one, as it does the companion's key
    audit.keys()
    assert (tmp_path / "audit_keys").read_text().strip()


@pytest.mark.django_db
def test_item25_7_the_database_still_refuses_changes_after_the_migration(org_world):
    from django.db import DatabaseError, transaction

    audit.record(action="view", view="peer.test")
    for statement in (f"UPDATE {TABLE} SET action = 'x'", f"DELETE FROM {TABLE}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def _forge_who_acted():
    ben = AuditRecord.objects.exclude(user_id_at="").values_list("user_id_at", flat=True).first()
    attacker.sql(f"UPDATE {TABLE} SET user_id_at = %s WHERE user_id_at = %s", ("someone-else", ben))
    attacker.rechain_with_sha256()
    return "was changed"


def _forge_cut_the_tail():
    last = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
    attacker.sql(f"DELETE FROM {TABLE} WHERE seq > %s", (last - 50,))
    kept = AuditRecord.objects.get(seq=last - 50)
    attacker.sql("UPDATE peer_audithead SET seq = %s, hash = %s", (kept.seq, kept.hash))
    return "checkpoint"


def _forge_drop_disclosures():
    assert AuditRecord.objects.filter(action="disclose").count() == 27
    attacker.sql(f"DELETE FROM {TABLE} WHERE action = 'disclose'")
    attacker.rechain_with_sha256()
    return "was changed"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "forge",
    [_forge_who_acted, _forge_cut_the_tail, _forge_drop_disclosures],
    ids=["a_who_acted", "b_cut_last_50", "c_drop_disclosures"],
)
def test_item25_7_forgeries_with_database_write_access_are_caught(org_world, audit_cleanup, settings, forge):
    settings.AUDIT_CHECKPOINT_EVERY = 20  # checkpoints written as records are added
    make_trail(org_world)
    assert audit.verify().ok and audit.checkpoints()[-1]["seq"] >= 100
    assert cli_verify()[0] == 0
    with attacker():
        expected = forge()
    result = audit.verify()
    assert not result.ok and expected in result.problem, result
    status, message = cli_verify()
    assert status != 0 and expected in message, (status, message)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_item25_7_a_legacy_style_record_or_a_forged_checkpoint_is_refused(org_world, audit_cleanup, settings):
    make_trail(org_world, n=10)
    call_command("audit", "checkpoint", stdout=io.StringIO())
    assert audit.verify().ok
    with attacker():  # the key id blanked, as if the record came before keyed chains
        attacker.sql(f"UPDATE {TABLE} SET key_id = '' WHERE seq = 4")
        result = audit.verify()
        assert not result.ok and "record 4" in result.problem and "not signed" in result.problem
        attacker.sql(f"UPDATE {TABLE} SET key_id = %s WHERE seq = 4", (audit.keys().current,))
    assert audit.verify().ok
    path = audit.checkpoint_path()
    line = orjson.loads(path.read_bytes().splitlines()[-1])
    line["seq"] = 5  # a checkpoint edited to point at an earlier head ...
    path.write_bytes(path.read_bytes() + orjson.dumps(line) + b"\n")
    result = audit.verify()
    assert not result.ok and "checkpoint" in result.problem and "signed" in result.problem


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_item25_7_the_checkpoint_command_refuses_a_broken_chain(org_world, audit_cleanup):
    make_trail(org_world, n=10)
    with attacker():
        attacker.sql(f"UPDATE {TABLE} SET address = '10.9.9.9' WHERE seq = 3")
    before = len(audit.checkpoints())
    with pytest.raises(CommandError, match="record 3"):
        call_command("audit", "checkpoint", stdout=io.StringIO())
    assert len(audit.checkpoints()) == before


def _write_legacy_trail(user, n, *, break_at=None):
    """Records as the code before the keyed chain wrote them: "<id>:<username>", plain SHA-256."""
    from datetime import datetime, timedelta

    prev, start = "0" * 64, datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    for seq in range(1, n + 1):
        values = {
            "seq": seq,
            "at": start + timedelta(minutes=seq),
            "user_id_at": f"{user.pk}:{user.username}",
            "organisation_id_at": None,
            "action": "view",
            "view": "peer.participant",
            "object_type": "",
            "object_id": "",
            "participant_id_at": None,
            "address": "127.0.0.1",
            "prev_hash": prev,
        }
        digest = hashlib.sha256(
            orjson.dumps([values[f] if f != "at" else values[f].isoformat() for f in LEGACY_FIELDS])
        ).hexdigest()
        if seq == break_at:
            values["address"] = "10.0.0.1"  # changed after its hash was made
        attacker.sql(
            f"INSERT INTO {TABLE} ({', '.join(LEGACY_FIELDS)}, hash) VALUES ({', '.join(['%s'] * 12)})",
            [*values.values(), digest],
        )
        prev = digest
    attacker.sql("INSERT INTO peer_audithead (id, seq, hash) VALUES (1, %s, %s)", (n, prev))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("break_at", [None, 7])
def test_item25_7_and_11_the_migration_rechains_legacy_records_without_usernames(audit_cleanup, break_at):
    from django.contrib.auth import get_user_model
    from django.db.migrations.executor import MigrationExecutor

    user = get_user_model().objects.create_user("walrus-pelican-5", password="a long staff passphrase")
    executor = MigrationExecutor(connection)
    executor.migrate([("peer", "0005_reporting_columns_required")])
    _write_legacy_trail(user, 30, break_at=break_at)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert "walrus-pelican-5" not in "".join(AuditRecord.objects.values_list("user_id_at", flat=True))
    assert set(AuditRecord.objects.filter(seq__lte=30).values_list("user_id_at", flat=True)) == {
        audit.pseudonym(user.pk)
    }
    last = AuditRecord.objects.get(seq=31)
    assert (last.action, last.view) == ("rechain", "audit.migration_0006")
    assert last.object_id == ("30: chain whole" if break_at is None else "30: broken at 7")
    result = audit.verify()
    assert result.ok and result.checked == 31 and result.anchored == 31, result
    assert audit.checkpoints()[-1]["hash"] == last.hash


@pytest.mark.django_db
def test_item25_7_the_checkpoint_command_on_an_empty_trail_is_not_an_error():
    out = io.StringIO()
    call_command("audit", "checkpoint", stdout=out)  # cron on a new installation: no failure mail
    assert "nothing to anchor" in out.getvalue() and audit.checkpoints() == []
    audit.record(action="view", view="peer.test")
    call_command("audit", "checkpoint", stdout=out)
    assert [c["seq"] for c in audit.checkpoints()] == [1]


# --- item 11 ----------------------------------------------------------------------------------------


def _every_text_in_the_database() -> str:
    """Every value of every table, as text (the SQLite or PostgreSQL database, whole)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                chunks.extend(str(bytes(v) if isinstance(v, memoryview) else v) for v in row)
    return "\n".join(chunks)


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_11_a_deleted_companion_account_leaves_no_username_in_the_trail(org_world, person):  # noqa: F811
    client = person(username="zebra-quokka-771")
    for url in (
        "/peer/",
        "/peer/participants",
        f"/peer/participants/{oid('participant', org_world['people']['p1'].pk)}",
        "/api/v1/peer/dashboard",
        "/peer/signin",
        "/peer/audit?participant=1",
    ):
        client.get(url)
    assert AuditRecord.objects.exclude(user_id_at="").exists()
    assert not AuditRecord.objects.filter(user_id_at__icontains="zebra").exists()
    response = client.post("/me/delete", {"confirm": "zebra-quokka-771"})
    assert response.status_code == 200
    assert "zebra-quokka-771" not in _every_text_in_the_database()
    assert audit.verify().ok


@pytest.mark.django_db
def test_item25_11_staff_are_named_on_the_audit_page_from_their_opaque_id(org_world):
    p1 = org_world["people"]["p1"]
    org_world["clients"]["a_one"].get(f"/peer/participants/{oid('participant', p1.pk)}")
    row = AuditRecord.objects.filter(participant_id_at=p1.pk, action="view").first()
    assert "ben-one" not in row.user_id_at and str(org_world["staff"]["a_one"].user.pk) not in row.user_id_at.split(":")
    page = (
        org_world["clients"]["a_supervisor"]
        .get(f"/peer/audit?participant={oid('participant', p1.pk)}")
        .content.decode()
    )
    assert "ben-one" in page or "Ben-One" in page


# --- Low: probes are audited ------------------------------------------------------------------------

KIND = {
    "pk": "Participant",
    "consent_pk": "Consent",
    "referral_pk": "Referral",
    "staff_pk": "Staff",
    "shift_pk": "Shift",
}


def _shifts(world) -> tuple[int, int]:
    """A helpline shift of each organisation (issue 31): A's, the supervisor's own, and B's."""
    from commonground.phone.models import Helpline, Shift
    from tests.peer.conftest import helpline_with_a_shift

    own = helpline_with_a_shift(world["orgs"]["a"])
    b = world["orgs"]["b"]
    b.helpline = Helpline.objects.create(name="Other helpline", number="+12125550200")
    b.save(update_fields=["helpline"])
    other = Shift.objects.create(helpline=b.helpline, person="Bo", phone="+12125550277", starts="09:00", ends="17:00")
    return own.pk, other.pk


def _object_urls():
    for namespace, patterns in (("peer", peer_urls.urlpatterns), ("peer_api", peer_urls.api_urlpatterns)):
        for p in patterns:
            if isinstance(p, URLPattern) and p.pattern.converters:
                yield namespace, p.name, sorted(p.pattern.converters)


def _probes(world, names):
    """For each id in the URL: another organisation's object, then an id that does not exist."""
    own_shift, other_shift = world.get("shifts") or world.setdefault("shifts", _shifts(world))
    own = {
        "shift_pk": own_shift,
        "pk": world["people"]["p1"].pk,
        "consent_pk": world["consent"]["p1"].pk,
        "referral_pk": world["referral"]["p1"].pk,
        "staff_pk": world["staff"]["a_one"].pk,
    }
    other = {
        "shift_pk": other_shift,
        "pk": world["people"]["p3"].pk,
        "consent_pk": world["consent"]["p3"].pk,
        "referral_pk": world["referral"]["p3"].pk,
        "staff_pk": world["staff"]["b_one"].pk,
    }
    for probed in names:
        for value in (other[probed], 987654321):
            yield probed, {**{n: own[n] for n in names}, probed: value}


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_probes_for_other_objects_write_a_denied_record(org_world):
    client = org_world["clients"]["a_supervisor"]  # sees everything in A, nothing in B
    urls = list(_object_urls())
    assert {name for _ns, name, _c in urls} >= {
        "participant",
        "consent_print",
        "referral_sheet",
        "staff_deactivate",
        "api_participant",
    }
    for namespace, name, names in urls:
        for probed, kwargs in _probes(org_world, names):
            url = reverse(f"{namespace}:{name}", kwargs=kwargs)
            before = AuditHead.objects.get(pk=1).seq if AuditHead.objects.exists() else 0
            posted = ("consent_revoke", "staff_deactivate", "shift_delete")
            response = client.post(url) if name in posted else client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            added = AuditRecord.objects.filter(seq__gt=before)
            denied = [r for r in added if r.action == "denied"]
            assert denied, (url, [(r.action, r.view) for r in added])
            assert denied[0].object_type == KIND[probed] and denied[0].object_id == str(kwargs[probed]), (
                url,
                denied[0].object_type,
                denied[0].object_id,
            )
            assert denied[0].organisation_id_at == org_world["orgs"]["a"].pk


# --- Low: the audit page's filter --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_low_the_audit_filter_refuses_junk_with_a_400(org_world):
    client, p1 = org_world["clients"]["a_supervisor"], org_world["people"]["p1"]
    # Junk, and a participant's bare number: the filter takes the participant's opaque id only.
    for junk in ("²", "١٢", "1e3", "-1", "9" * 40, "1 ", "0x10", "\x00", str(p1.pk), oid("participant", p1.pk) + "x"):
        response = client.get("/peer/audit", {"participant": junk})
        assert response.status_code == 400, (junk, response.status_code)
        assert "participant" in response.content.decode().lower()
    assert client.get("/peer/audit", {"participant": oid("participant", p1.pk)}).status_code == 200
    assert client.get("/peer/audit").status_code == 200


@pytest.mark.slow
@pytest.mark.django_db
@hsettings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["participant", "page", "user", "action", "x"]),
        st.one_of(st.text(max_size=30), st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=45)),
        max_size=4,
    )
)
def test_item25_low_the_audit_page_never_answers_500(org_world, params):
    response = org_world["clients"]["a_supervisor"].get("/peer/audit", params)
    assert response.status_code in (200, 400), (params, response.status_code)
