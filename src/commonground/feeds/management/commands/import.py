import json
import sys

from django.core.management.base import BaseCommand, CommandError

from commonground.feeds.errors import FeedError
from commonground.feeds.formats import FORMAT_NAMES
from commonground.feeds.importing import import_in_a_child
from commonground.feeds.reporting import print_report, progress_bar


class Command(BaseCommand):
    help = (
        "Import or re-sync a source: a Meeting Guide JSON file/URL, a TSML CSV, a BMLT server, BMLT's daily "
        "export, or FindTreatment.gov's export of treatment facilities."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="File, directory (BMLT answers) or http(s) URL.")
        parser.add_argument("--format", choices=sorted(FORMAT_NAMES), help="Feed format (guessed when left out).")
        parser.add_argument("--program", help="Program code for these meetings (aa, na, smart ...).")
        parser.add_argument("--name", help="A name for this source (defaults to the file or URL).")
        parser.add_argument("--timezone", help="Zone for rows that give none and have no place (IANA name).")
        parser.add_argument("--state", help="FindTreatment.gov's export: only this state's facilities (NY, PR ...).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of a summary.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Compare every row even if the feed is byte-for-byte unchanged since the last sync.",
        )
        parser.add_argument(
            "--allow-removals",
            action="store_true",
            help="Apply the sync even if it removes most of the source's meetings, or all of them.",
        )

    def handle(
        self,
        *args,
        source,
        format,
        program,
        name,
        timezone,
        state,
        dry_run,
        full,
        json: bool,
        allow_removals,
        **options,
    ):
        try:
            report = import_in_a_child(
                source,
                format=format,
                program=program,
                name=name,
                timezone=timezone,
                state=state,
                dry_run=dry_run,
                full=full,
                progress=None if json else progress_bar(),
                allow_removals=allow_removals,
                notify=self.stderr.write,
            )
        except FeedError as exc:
            if json:
                self.stdout.write(_json({"source": name or source, "errors": [exc.as_dict()]}))
                sys.exit(2)
            raise CommandError(exc.message) from None
        if json:
            self.stdout.write(_json(report.as_dict()))
        else:
            print_report(self.stdout, report)
        if report.failed:
            sys.exit(1)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
