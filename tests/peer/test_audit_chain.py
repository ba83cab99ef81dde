"""Properties of ``peer/audit.py``: the HMAC chain, its checkpoints and its key ring.

- Any one edit (of any field, the hash included), deletion, swap of two records, or insertion of
  a forged record, at any position of a chain of any length, is found by ``verify``; and with a
  checkpoint at the head, so is a tail cut whose head row was put right too.
- Keys rotated at any points leave every old record verifiable (nothing is rewritten), and
  dropping a key that signed a record is named.
- The append-only triggers refuse an UPDATE of any column and a DELETE of any record. These run on
  the database the suite runs on: SQLite here, and PostgreSQL too in CI (``.ci/run`` runs the whole
  suite on both), each with its own trigger SQL from migration 0002.

Tampering needs the triggers gone, as an attacker with the database owner's rights would drop
them: each example drops them inside a savepoint that is rolled back, so they come back with it.
"""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from importlib import import_module

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.peer import audit
from commonground.peer.models import AuditHead, AuditRecord

TABLE = AuditRecord._meta.db_table
TRIGGERS = import_module("commonground.peer.migrations.0002_audit_append_only")
EDITABLE = (*audit.FIELDS, "hash")
HYPO = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def key_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


keys_32 = st.binary(min_size=32, max_size=32)


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def drop_triggers() -> None:
    """Inside the caller's transaction: rolled back with it."""
    for statement in TRIGGERS.POSTGRES_REVERSE if connection.vendor == "postgresql" else TRIGGERS.SQLITE_REVERSE:
        sql(statement)


def build(n: int, seed: int) -> list[AuditRecord]:
    """A chain of n records with varied fields (what record() writes, never by hand)."""
    rows = []
    for i in range(n):
        rows.append(
            audit.record(
                organisation_id=(seed + i) % 3 or None,
                action=("view", "change", "disclose")[i % 3],
                view=f"peer.view_{(seed * 7 + i) % 5}",
                object_type="Participant",
                object_id=str(seed + i),
                participant_id=(seed + i) % 4 or None,
                address=f"10.0.0.{i % 250}",
            )
        )
    return rows


class example:  # noqa: N801 - a rolled-back world for one hypothesis example
    def __init__(self, tmp_path, **settings_changes):
        self.checkpoints = tmp_path / f"checkpoints-{uuid.uuid4().hex}.jsonl"
        self.override = override_settings(
            AUDIT_CHECKPOINT_FILE=str(self.checkpoints), AUDIT_CHECKPOINT_EVERY=10**9, **settings_changes
        )
        self.atomic = transaction.atomic()

    def __enter__(self):
        self.override.enable()
        self.atomic.__enter__()
        assert not AuditRecord.objects.exists() and not AuditHead.objects.exclude(seq=0).exists()
        return self

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)
        self.override.disable()
        self.checkpoints.unlink(missing_ok=True)


def _changed(field: str, value):
    if field == "at":
        return value + timedelta(seconds=1)
    if field in ("seq",):
        return value + 1000
    if field in ("organisation_id_at", "participant_id_at"):
        return (value or 0) + 1
    if field in ("prev_hash", "hash"):
        return ("1" if value[0] != "1" else "2") + value[1:]
    if field == "key_id":
        return "" if value else "00000000"
    return (value + "x") if value else "x"


def tamper(kind: str, rows: list[AuditRecord], i: int, j: int, field: str, forged_key: bytes) -> None:
    row = rows[i]
    if kind == "edit":
        column = AuditRecord._meta.get_field(field).column
        sql(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", (_changed(field, getattr(row, field)), row.id))
    elif kind == "delete":
        sql(f"DELETE FROM {TABLE} WHERE id = %s", (row.id,))
    elif kind == "swap":
        other = rows[j if j != i else (i + 1) % len(rows)]
        sql(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", (10**6, row.id))
        sql(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", (row.seq, other.id))
        sql(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", (other.seq, row.id))
    elif kind == "insert":
        # A record slipped in before row i: the ones after it renumbered, its links made with a key
        # that is not the audit key (the attacker has the code and the database, not the key).
        for later in sorted(rows[i:], key=lambda r: -r.seq):
            sql(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", (later.seq + 1, later.id))
        values = {f: getattr(row, f) for f in audit.FIELDS} | {"action": "view", "view": "peer.forged"}
        forged = AuditRecord(**values, hash=audit.mac(forged_key, values))
        AuditRecord.objects.bulk_create([forged])
        sql(f"UPDATE {TABLE} SET prev_hash = %s WHERE id = %s", (forged.hash, row.id))
        sql("UPDATE peer_audithead SET seq = %s", (len(rows) + 1,))


@pytest.mark.slow
@pytest.mark.django_db
@HYPO
@given(
    n=st.integers(2, 12),
    seed=st.integers(0, 50),
    kind=st.sampled_from(["edit", "delete", "swap", "insert"]),
    at=st.integers(0, 11),
    other=st.integers(0, 11),
    field=st.sampled_from(EDITABLE),
    forged_key=keys_32,
)
def test_any_single_tampering_anywhere_is_found(db, tmp_path, n, seed, kind, at, other, field, forged_key):
    with example(tmp_path):
        rows = build(n, seed)
        assert audit.verify().ok and audit.verify().checked == n
        drop_triggers()
        tamper(kind, rows, at % n, other % n, field, forged_key)
        result = audit.verify()
        assert not result.ok, (kind, at % n, field, result)
        assert result.problem


@pytest.mark.slow
@pytest.mark.django_db
@HYPO
@given(n=st.integers(2, 12), seed=st.integers(0, 50), cut=st.integers(1, 11))
def test_a_tail_cut_with_the_head_put_right_is_found_by_the_checkpoint(db, tmp_path, n, seed, cut):
    with example(tmp_path):
        rows = build(n, seed)
        assert audit.checkpoint()["seq"] == n
        drop_triggers()
        keep = n - 1 - (cut % (n - 1))  # keep at least one record, cut at least one
        sql(f"DELETE FROM {TABLE} WHERE seq > %s", (keep,))
        sql("UPDATE peer_audithead SET seq = %s, hash = %s", (keep, rows[keep - 1].hash))
        result = audit.verify()
        assert not result.ok and "checkpoint" in result.problem, result


@pytest.mark.slow
@pytest.mark.django_db
@HYPO
@given(steps=st.lists(st.one_of(st.integers(1, 4), keys_32), min_size=1, max_size=8))
def test_keys_rotated_at_any_points_keep_every_record_verifiable(db, tmp_path, steps):
    """A step is either some records, or a new key put first with the old ones kept after it."""
    from django.conf import settings as django_settings

    ring = [django_settings.AUDIT_KEYS]
    with example(tmp_path) as ex:
        signed = {}
        for step in steps:
            if isinstance(step, bytes):
                if key_text(step) not in ring:
                    ring.insert(0, key_text(step))
                    ex.override.disable()
                    ex.override = override_settings(
                        AUDIT_CHECKPOINT_FILE=str(ex.checkpoints),
                        AUDIT_CHECKPOINT_EVERY=10**9,
                        AUDIT_KEYS=",".join(ring),
                    )
                    ex.override.enable()
                continue
            for row in build(step, len(signed)):
                signed[row.seq] = row.key_id
        result = audit.verify()
        assert result.ok and result.checked == len(signed), result
        # nothing was rewritten: each record still names the key that signed it
        assert dict(AuditRecord.objects.values_list("seq", "key_id")) == signed
        used = set(signed.values())
        for dropped in [k for k in ring if audit._ring((k,)).current in used]:
            with override_settings(AUDIT_KEYS=",".join(k for k in ring if k != dropped) or key_text(b"\x01" * 32)):
                result = audit.verify()
                assert not result.ok and audit._ring((dropped,)).current in result.problem, result


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(EDITABLE), at=st.integers(0, 4), delete=st.booleans())
def test_the_triggers_refuse_any_update_and_any_delete(db, tmp_path, field, at, delete):
    with example(tmp_path):
        rows = build(5, at)
        row = rows[at]
        if delete:
            statement, params = f"DELETE FROM {TABLE} WHERE id = %s", (row.id,)
        else:
            column = AuditRecord._meta.get_field(field).column
            statement, params = (
                f"UPDATE {TABLE} SET {column} = %s WHERE id = %s",
                (_changed(field, getattr(row, field)), row.id),
            )
        with pytest.raises(DatabaseError), transaction.atomic():
            sql(statement, params)
        assert audit.verify().ok  # nothing changed
        with pytest.raises(TypeError):
            row.save()
        with pytest.raises(TypeError):
            row.delete()
