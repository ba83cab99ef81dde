import sys

from django.core.management.base import BaseCommand

from commonground.feeds.reporting import print_report, progress_bar
from commonground.feeds.sync import sync_source
from commonground.meetings.models import Source, SourceFormat


class Command(BaseCommand):
    help = "Re-sync every registered feed source (the demo source is left alone)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        parser.add_argument("--full", action="store_true", help="Compare every row, even of unchanged feeds.")

    def handle(self, *args, dry_run, full, **options):
        sources = Source.objects.exclude(format=SourceFormat.DEMO)
        if not sources.exists():
            self.stdout.write("No feed sources yet. Add one with `commonground import FILE-OR-URL`.")
            return
        failed = 0
        for source in sources:
            report = sync_source(source, dry_run=dry_run, full=full, progress=progress_bar())
            print_report(self.stdout, report)
            failed += report.failed
        if failed:
            self.stderr.write(f"{failed} source(s) failed; their meetings were left as they were.")
            sys.exit(1)
