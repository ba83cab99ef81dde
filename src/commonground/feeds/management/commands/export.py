import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commonground.catalog.models import Program
from commonground.feeds.meeting_guide.writer import feed_queryset, write_feed
from commonground.meetings.models import Source


class Command(BaseCommand):
    help = "Write a Meeting Guide JSON feed of our meetings (all, or one program or source)."

    def add_arguments(self, parser):
        parser.add_argument("--program", help="Only this program's meetings (aa, na ...).")
        parser.add_argument("--source", help="Only meetings from the source with this name.")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, program, source, output, **options):
        if program and not Program.objects.filter(pk=program).exists():
            raise CommandError(f"Unknown program {program!r}.")
        if source and not Source.objects.filter(name=source).exists():
            names = ", ".join(Source.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No source called {source!r} (sources: {names}).")
        queryset = feed_queryset(program, source)
        if output:
            target = Path(output)
            partial = target.with_name(target.name + ".partial")
            with open(partial, "w", encoding="utf-8") as fh:
                count = write_feed(queryset, fh)
            partial.replace(target)  # readers never see a half-written file
            self.stderr.write(f"Wrote {count:,} meetings to {target}.")
        else:
            count = write_feed(queryset, sys.stdout)
            sys.stdout.flush()
