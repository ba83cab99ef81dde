"""Database triggers that refuse any UPDATE or DELETE of the audit trail, on SQLite and PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER peer_audit_no_update BEFORE UPDATE ON peer_auditrecord "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    "CREATE TRIGGER peer_audit_no_delete BEFORE DELETE ON peer_auditrecord "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS peer_audit_no_update;", "DROP TRIGGER IF EXISTS peer_audit_no_delete;"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION peer_audit_refuse() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER peer_audit_no_change BEFORE UPDATE OR DELETE ON peer_auditrecord "
    "FOR EACH ROW EXECUTE FUNCTION peer_audit_refuse();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS peer_audit_no_change ON peer_auditrecord;",
    "DROP FUNCTION IF EXISTS peer_audit_refuse();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("peer", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
