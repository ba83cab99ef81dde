"""The ``commonground`` console script: Django management commands with a curated help page."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "migrate, load the catalog and demo data if empty, then serve the app (gunicorn)",
    "demo": "load the synthetic demo data set (--meetings N --seed S)",
    "import": "import or re-sync a meeting feed (Meeting Guide JSON, CSV, BMLT)",
    "sync": "re-sync every registered source",
    "sources": "list every source with its meetings, last good sync and health",
    "duplicates-report": "list meetings listed by two sources, with a score (shown once in search)",
    "export": "write a Meeting Guide JSON feed",
    "validate": "check a Meeting Guide JSON feed against the spec rules",
    "publish": "build the published feed and search index for the current data (imports do this)",
    "search": "search meetings from the command line",
    "load_catalog": "load the program catalog from its files",
    "new-key": "print a new random key (for COMPANION_KEYS or AUDIT_KEYS)",
    "rotate-keys": "re-encrypt the companion's private data under the first key in COMPANION_KEYS",
    "peer-invite": "print a one-time code to set up a peer-support organisation at /peer/setup",
    "audit": "the peer workspace's audit trail: `audit verify` checks the keyed chain and its checkpoints, "
    "`audit checkpoint` anchors its head outside the database (from cron)",
    "purge-sign-ins": "delete expired sign-in attempts and sessions (from cron, every 15 minutes)",
    "migrate": "create or update the database tables",
    "createsuperuser": "create an administrator for /admin/",
}

HELP = """usage: commonground COMMAND [options]

Common Ground: find the recovery support group that fits you, and a meeting you can attend today.

commands:
{commands}

Run `commonground COMMAND --help` for a command's options. Settings come from environment
variables (DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS ...); see the README.
Every other Django management command is available too.
"""


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    if not argv or argv[0] in ("-h", "--help", "help"):
        width = max(len(name) for name in COMMANDS)
        lines = "\n".join(f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items())
        sys.stdout.write(HELP.format(commands=lines))
        return
    argv[0] = ALIASES.get(argv[0], argv[0])
    if argv[0] in ("check", "serve") and not any(a in ("-h", "--help") for a in argv[1:]):
        from commonground import tzdb  # which tz release every clock uses, and whether the system's is older

        sys.stdout.write(tzdb.describe() + "\n")
    if argv[0] in SELF_MIGRATING and not any(a in ("-h", "--help") for a in argv[1:]):
        _ensure_schema()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["commonground", *argv])


# Commands that need the tables: they bring a new or older database up to date first, so the
# embedded SQLite set-up needs no separate `migrate` step.
SELF_MIGRATING = {
    "demo",
    "import",
    "sync",
    "sources",
    "export",
    "search",
    "load_catalog",
    "publish",
    "duplicates_report",
    "rotate_keys",
    "peer_invite",
    "audit",
    "purge_sign_ins",
}
ALIASES = {
    "duplicates-report": "duplicates_report",
    "new-key": "new_key",
    "rotate-keys": "rotate_keys",
    "peer-invite": "peer_invite",
    "purge-sign-ins": "purge_sign_ins",
    "check-clients": "check_clients",
}


def _ensure_schema() -> None:
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    django.setup()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


if __name__ == "__main__":
    main()
