import sys

from django.core.management.base import BaseCommand

from commonground.feeds.reporting import print_report, progress_bar
from commonground.feeds.sync import sync_source
from commonground.meetings.models import Source, SourceFormat


class Command(BaseCommand):
    help = "Re-sync every registered feed source (the demo source is left alone). Exits 1 if any failed."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        parser.add_argument("--full", action="store_true", help="Compare every row, even of unchanged feeds.")
        parser.add_argument(
            "--allow-removals",
            action="store_true",
            help="Apply syncs even if they remove most of a source's meetings, or all of them.",
        )

    def handle(self, *args, dry_run, full, allow_removals, **options):
        sources = list(Source.objects.exclude(format=SourceFormat.DEMO))
        if not sources:
            self.stdout.write("No feed sources yet. Add one with `commonground import FILE-OR-URL`.")
            return
        failed = []
        for source in sources:  # one source's failure never stops the others
            report = sync_source(
                source,
                dry_run=dry_run,
                full=full,
                progress=progress_bar(),
                allow_removals=allow_removals,
                notify=self.stderr.write,
            )
            print_report(self.stdout, report)
            if report.failed:
                failed.append(source.name)
        if failed:
            self.stderr.write(
                f"{len(failed)} of {len(sources)} source(s) failed ({', '.join(failed)}); "
                "their meetings were left as they were."
            )
            sys.exit(1)
