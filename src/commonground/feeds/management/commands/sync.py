import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commonground.feeds.health import due, waiting_reason
from commonground.feeds.reporting import print_report, progress_bar
from commonground.feeds.schedule import sync_all, syncable


class Command(BaseCommand):
    help = (
        "Re-sync every registered feed source, several at a time (the demo source is left alone). "
        "Exits 1 if any failed, naming each one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        parser.add_argument("--full", action="store_true", help="Compare every row, even of unchanged feeds.")
        parser.add_argument(
            "--allow-removals",
            action="store_true",
            help="Apply syncs even if they remove most of a source's meetings, or all of them.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=settings.SYNC_JOBS,
            metavar="N",
            help="Sources synced at once (default SYNC_JOBS, 4); one request at a time per host whatever N is.",
        )
        parser.add_argument(
            "--scheduled",
            action="store_true",
            help="For cron or a timer: only sources that are due (at most every SYNC_MIN_INTERVAL_MINUTES, "
            "later after failures); needs FEED_CONTACT.",
        )

    def handle(self, *args, dry_run, full, allow_removals, jobs, scheduled, **options):
        if jobs < 1:
            raise CommandError("--jobs must be 1 or more.")
        if scheduled and not settings.FEED_CONTACT:
            raise CommandError(
                "A scheduled sync needs FEED_CONTACT (an email address or a web page), so the operators "
                "of the servers we read can reach us instead of blocking us. Set it and run again."
            )
        sources = list(syncable())
        if not sources:
            self.stdout.write("No feed sources yet. Add one with `commonground import FILE-OR-URL`.")
            return
        if scheduled:
            now = timezone.now()
            for source in sources:
                if not due(source, now):
                    self.stdout.write(f"{source.name}: not due ({waiting_reason(source, now)}).")
            sources = [s for s in sources if due(s, now)]
        reports = sync_all(
            sources,
            jobs=jobs,
            on_report=lambda report: print_report(self.stdout, report),
            dry_run=dry_run,
            full=full,
            progress=progress_bar(),
            allow_removals=allow_removals,
            notify=self.stderr.write,
        )
        every = [part for report in reports for part in [*report.parts, report]]  # an export's roots too
        failed = [r for r in every if r.failed]
        if failed:
            self.stderr.write(f"{len(failed)} of {len(every)} source(s) failed; their meetings were left as they were:")
            for report in failed:
                self.stderr.write(f"  {report.source}: {report.errors[-1]['message']}")
            sys.exit(1)
