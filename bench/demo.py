"""How fast the demo generator fills a fresh SQLite file, against Django's bulk_create.

    python bench/demo.py --meetings 1000000 --output bench/results/demo.json

Runs, in one process and on fresh database files:
1. the generator and 2. a baseline of ``Meeting.objects.bulk_create`` on the same rows, both at
   --baseline-meetings into an empty table, so the ratio compares like with like;
3. the generator at --meetings (the acceptance target: 1M in under 120 s).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _setup import django_on, migrate, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=1_000_000)
    parser.add_argument("--baseline-meetings", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", default="bench/results/demo.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cg-bench-demo-"))
    django_on(f"sqlite:///{workdir / 'bench.sqlite3'}")
    migrate()
    from django.db import transaction

    from commonground.catalog.models import Program
    from commonground.feeds.demo import DemoGenerator, load_demo
    from commonground.meetings.models import Meeting, Source

    def timed(fn):
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    # Both small runs start from an empty table, so neither pays for deleting the other's rows.
    small_s = timed(lambda: load_demo(args.baseline_meetings, args.seed))
    programs = dict(Program.objects.values_list("code", "type_table"))
    source = Source.objects.get(name__startswith="Demo")
    Meeting.objects.all().delete()

    def orm_baseline():
        generator = DemoGenerator(args.seed, programs)
        with transaction.atomic():
            batch = []
            for i in range(args.baseline_meetings):
                values = generator.meeting(i)
                meeting = Meeting(source=source, **values)
                meeting.normalize_with_table(programs[values["program_id"]])
                batch.append(meeting)
                if len(batch) == 5000:
                    Meeting.objects.bulk_create(batch)
                    batch = []
            Meeting.objects.bulk_create(batch)

    baseline_s = timed(orm_baseline)
    Meeting.objects.all().delete()
    full_s = timed(lambda: load_demo(args.meetings, args.seed))
    write_result(
        args.output,
        {
            "benchmark": "demo-generator",
            "database": "sqlite (fresh file, WAL)",
            "meetings": args.meetings,
            "seconds": round(full_s, 2),
            "meetings_per_s": round(args.meetings / full_s),
            "target_seconds": 120,
            "baseline": {
                "what": "Django ORM bulk_create of the same generated rows",
                "meetings": args.baseline_meetings,
                "generator_seconds": round(small_s, 2),
                "bulk_create_seconds": round(baseline_s, 2),
                "ratio": round(baseline_s / small_s, 2),
            },
        },
    )


if __name__ == "__main__":
    main()
