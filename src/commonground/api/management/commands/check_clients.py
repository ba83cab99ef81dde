"""commonground check-clients: what TSML UI and crouton would show of every meeting we publish."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from commonground.api.clients import CLIENTS, REASONS, check
from commonground.catalog.models import Program
from commonground.feeds.meeting_guide.selection import FeedSelection
from commonground.meetings.models import Source


class Command(BaseCommand):
    help = (
        "Judge, for every meeting we publish (or one source's, or one program's), what each client would "
        "show: TSML UI from our Meeting Guide feed, crouton from our BMLT API. Counts the misleading rows by "
        "reason, with examples; exits 1 when any row misleads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="Only the meetings imported from this source (its name).")
        parser.add_argument("--program", help="Only this program's meetings (its code).")
        parser.add_argument(
            "--client", choices=CLIENTS, action="append", help="Judge only this client (repeatable; default: all)."
        )
        parser.add_argument("--examples", type=int, default=3, help="Examples per reason (default 3).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, source, program, client, examples, json: bool, **options):
        if source and not Source.objects.filter(name=source).exists():
            raise CommandError(f"There is no source called {source!r}.")
        if program and not Program.objects.filter(pk=program).exists():
            raise CommandError(f"Unknown program {program!r}.")
        report = check(FeedSelection(program=program, source=source), tuple(client or CLIENTS), examples)
        if json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            self.stdout.write(f"{report.meetings} meetings judged; {report.misleading_rows} would mislead.")
            for key, count in sorted(report.counts.items()):
                reason = key.split(": ", 1)[1]
                self.stdout.write(f"  {key} ({REASONS[reason]}): {count}")
                for ex in report.examples.get(key, []):
                    self.stdout.write(f"      {ex['program']} {ex['slug']} {ex['name']!r}: {ex['detail']}")
        if report.misleading_rows:
            sys.exit(1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
