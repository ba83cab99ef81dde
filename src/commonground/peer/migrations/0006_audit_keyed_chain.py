"""The audit trail keyed and anonymised (issue 25, items 7 and 11).

Records written before this were chained with plain SHA-256 (anyone with write access to the
database could make the chain again) and named people as "<account id>:<username>". Once, here,
every existing record is made again: its "who" becomes the opaque id (``audit.pseudonym``) and its
link the HMAC under the audit key, with the same seq, time and other fields. The triggers are
dropped for that and made again after (always: SQLite makes the table again to add the key column,
which drops its triggers). Then one record is added, ``rechain`` by
``audit.migration_0006``, saying how many records were made again and whether their old chain
was whole (``<n>: chain whole`` or ``<n>: broken at <seq>``), and a signed checkpoint of the new
head is written outside the database. The old hashes are not kept: they covered the usernames.

With records to re-chain, the migration needs the audit key (AUDIT_KEYS or AUDIT_KEY_FILE; with
DEBUG on one is made). Going back removes the key column but cannot bring back the old chain.
"""

import hashlib
from importlib import import_module

import orjson
from django.db import migrations, models, transaction
from django.utils import timezone

GENESIS = "0" * 64
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


def _legacy_digest(row) -> str:
    values = [getattr(row, f).isoformat() if f == "at" else getattr(row, f) for f in LEGACY_FIELDS]
    return hashlib.sha256(orjson.dumps(values)).hexdigest()


def _legacy_break(rows) -> int | None:
    """The seq of the first record the old chain does not hold, or None when it was whole."""
    prev, expected = GENESIS, 1
    for row in rows:
        if row.seq != expected or row.prev_hash != prev or _legacy_digest(row) != row.hash:
            return expected if row.seq != expected else row.seq
        prev, expected = row.hash, expected + 1
    return None


def _who(user_id_at: str, ring) -> str:
    from commonground.peer.audit import pseudonym

    account = user_id_at.split(":", 1)[0]
    return pseudonym(int(account), ring) if account.isascii() and account.isdigit() else ""


def rechain(apps, schema_editor):
    from commonground.peer import audit

    Record, Head = apps.get_model("peer", "AuditRecord"), apps.get_model("peer", "AuditHead")
    triggers = import_module("commonground.peer.migrations.0002_audit_append_only")
    triggers.backwards(None, schema_editor)  # SQLite made the table again for the new column: no triggers left
    if not Record.objects.exists():
        triggers.forwards(None, schema_editor)
        return
    ring = audit.keys()  # refuses, saying how to set one, when there is no key
    key = ring.keys[ring.current]
    broken = _legacy_break(Record.objects.order_by("seq").iterator(chunk_size=2000))
    prev, count, batch = GENESIS, 0, []
    for row in Record.objects.order_by("seq").iterator(chunk_size=2000):
        row.user_id_at, row.prev_hash, row.key_id = _who(row.user_id_at, ring), prev, ring.current
        row.hash = prev = audit.mac(key, {f: getattr(row, f) for f in audit.FIELDS})
        batch.append(row)
        count, last_seq = count + 1, row.seq
        if len(batch) >= 2000:
            Record.objects.bulk_update(batch, ["user_id_at", "prev_hash", "key_id", "hash"])
            batch = []
    if batch:
        Record.objects.bulk_update(batch, ["user_id_at", "prev_hash", "key_id", "hash"])
    outcome = "chain whole" if broken is None else f"broken at {broken}"
    values = {
        "seq": last_seq + 1,
        "at": timezone.now(),
        "user_id_at": "",
        "organisation_id_at": None,
        "action": "rechain",
        "view": "audit.migration_0006",
        "object_type": "legacy records",
        "object_id": f"{count}: {outcome}"[:40],
        "participant_id_at": None,
        "address": "",
        "prev_hash": prev,
        "key_id": ring.current,
    }
    head_hash = audit.mac(key, values)
    Record.objects.bulk_create([Record(**values, hash=head_hash)])
    Head.objects.update_or_create(pk=1, defaults={"seq": values["seq"], "hash": head_hash})
    triggers.forwards(None, schema_editor)
    transaction.on_commit(
        lambda: audit.write_checkpoint(values["seq"], head_hash, ring), using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [("peer", "0005_reporting_columns_required")]
    operations = [
        migrations.AddField(
            model_name="auditrecord",
            name="key_id",
            field=models.CharField(blank=True, default="", help_text="The audit key that signed it.", max_length=16),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="user_id_at",
            field=models.CharField(
                blank=True,
                max_length=40,
                help_text=("Who: an opaque id (an HMAC of the account's id), never a username."),
            ),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
    ]
