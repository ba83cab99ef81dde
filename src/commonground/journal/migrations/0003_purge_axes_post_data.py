"""Purge the form data django-axes stored with failed sign-ins (issue 25, item 1).

Before ``journal.backends.AxesHandler``, axes copied each failed sign-in's POST body into
``axes_accessattempt.post_data``, masking only a field named ``password``: the companion's and the
peer workspace's ``passphrase``, ``code`` and new passphrases were kept in clear. This empties
``post_data`` and ``get_data`` (the failure counts stay, so no lock-out ends early), then makes the
old bytes unreadable where the database keeps them: on SQLite the update runs with
``secure_delete`` (freed space zeroed) and the whole file is rebuilt with ``VACUUM`` (a one-time
cost, about the time of copying the file), which also clears the free pages earlier deleted
attempts left; on PostgreSQL ``VACUUM FULL`` rewrites the small attempts table, leaving no dead
row versions. Write-ahead log files a server already archived are outside the database's reach.
"""

from django.db import migrations, transaction


def purge_post_data(apps, schema_editor):
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    connection = schema_editor.connection if schema_editor else transaction.get_connection()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA secure_delete = ON")
        AccessAttempt.objects.using(connection.alias).exclude(post_data="", get_data="").update(
            post_data="", get_data=""
        )


def forget_old_pages(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            cursor.execute("VACUUM FULL axes_accessattempt")


class Migration(migrations.Migration):
    atomic = False  # VACUUM runs outside a transaction

    dependencies = [
        ("journal", "0002_sharegrant"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(purge_post_data, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(forget_old_pages, migrations.RunPython.noop, elidable=True),
    ]
