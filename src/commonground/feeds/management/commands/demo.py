import sys
import time

from django.core.management.base import BaseCommand, CommandError

from commonground.feeds.demo import load_demo


class Command(BaseCommand):
    help = "Load a deterministic synthetic demo dataset (replaces earlier demo meetings)."

    def add_arguments(self, parser):
        parser.add_argument("--meetings", type=int, default=3000, help="How many meetings (default 3000).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed; the same seed gives the same data.")

    def handle(self, *args, meetings, seed, **options):
        if meetings < 1:
            raise CommandError("--meetings must be at least 1.")
        started = time.perf_counter()
        tty = sys.stderr.isatty()

        def progress(done, total):
            if tty:
                sys.stderr.write(f"\r  {done:,}/{total:,} meetings")
                sys.stderr.flush()

        count = load_demo(meetings, seed, progress=progress)
        if tty:
            sys.stderr.write("\n")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Loaded {count:,} synthetic demo meetings (seed {seed}) in {elapsed:.1f} s "
            f"({count / elapsed:,.0f} meetings/s)."
        )
