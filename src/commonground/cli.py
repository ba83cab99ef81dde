"""The ``commonground`` console script: Django management commands with a curated help page."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "migrate, load the catalog and demo data if empty, then serve the app (gunicorn)",
    "demo": "load the synthetic demo data set (--meetings N --seed S)",
    "import": "import or re-sync a meeting feed (Meeting Guide JSON, CSV, BMLT)",
    "sync": "re-sync every registered source",
    "export": "write a Meeting Guide JSON feed",
    "validate": "check a Meeting Guide JSON feed against the spec rules",
    "search": "search meetings from the command line",
    "load_catalog": "load the program catalog from its files",
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
    from django.core.management import execute_from_command_line

    execute_from_command_line(["commonground", *argv])


if __name__ == "__main__":
    main()
