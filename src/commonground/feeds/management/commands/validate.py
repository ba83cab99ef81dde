import json
import sys

from django.core.management.base import BaseCommand, CommandError

from commonground.catalog.loader import program_type_tables
from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import read_bytes
from commonground.feeds.meeting_guide.validator import validate_bytes


class Command(BaseCommand):
    help = "Check a Meeting Guide JSON feed (file or URL) against the spec's rules. Exits 1 on errors."

    def add_arguments(self, parser):
        parser.add_argument("feed", help="File or http(s) URL.")
        parser.add_argument(
            "--program",
            help="Check type codes against this program's table (default: the Meeting Guide spec "
            "table, which is how TSML UI and the Meeting Guide app read every feed).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, feed, program, json: bool, **options):
        tables = program_type_tables()
        if program and program not in tables:
            raise CommandError(f"Unknown program {program!r}; choose one of {', '.join(tables)}.")
        try:
            result = validate_bytes(read_bytes(feed), feed, tables[program] if program else "spec")
        except FeedError as exc:
            if json:
                self.stdout.write(_dumps({"valid": False, "errors": 1, "problems": [], "feed_error": exc.as_dict()}))
                sys.exit(2)
            raise CommandError(exc.message) from None
        if json:
            self.stdout.write(_dumps(result))
        else:
            verdict = "valid" if result["valid"] else "NOT valid"
            self.stdout.write(
                f"{feed}: {verdict}: {result['meetings']} meetings, "
                f"{result['errors']} errors, {result['warnings']} warnings."
            )
            for p in result["problems"]:
                slug = f" ({p['slug']})" if p["slug"] else ""
                self.stdout.write(f"  row {p['row']}{slug} {p['severity']}: {p['message']}")
        if not result["valid"]:
            sys.exit(1)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
