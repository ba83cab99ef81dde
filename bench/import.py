"""Import speed: first import, unchanged re-sync, and a re-sync with 1% of meetings changed.

    python bench/import.py --meetings 100000 --output bench/results/import.json

Generates a realistic Meeting Guide feed (the demo generator's meetings, written out as a feed),
then, on a fresh SQLite file (or PostgreSQL database), times in one run:
1. the first import into an empty database with rows normalised in the sync's process only
   (IMPORT_WORKERS=1), the baseline; that source is then deleted;
2. the same first import with workers (the default: one per core), as `commonground import`
   runs it; each first import is timed to its commit, and the publishing that follows (the
   Meeting Guide feed files and the search index for the new version) is timed apart;
3. a re-sync of the unchanged feed;
4. the same unchanged re-sync with the raw-row fast path disabled (every row parsed and
   compared again), to show what the fast path is worth;
5. a re-sync with 1% of the meetings changed.
Targets (2 cores, SQLite): first import >= 50,000 meetings/s, 100k meetings in <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from _setup import django_on, migrate, write_result


def make_feed(n: int, seed: int) -> list[dict]:
    from commonground.catalog.models import Program
    from commonground.feeds.demo import DemoGenerator
    from commonground.meetings import types

    programs = dict(Program.objects.values_list("code", "type_table"))
    generator = DemoGenerator(seed, programs)
    rows = []
    for i in range(n):
        m = generator.meeting(i)
        table = programs[m["program_id"]]
        codes = list(m["types"])
        for lang in m["languages"]:
            code = types.language_code(table, lang)
            if code and code not in codes:
                codes.append(code)
        row = {
            "name": m["name"],
            "slug": f"bench-{i}",
            "program": m["program_id"],
            "timezone": m["timezone"],
            "formatted_address": m["formatted_address"],
            "city": m["city"],
            "country": m["country"],
            "latitude": m["latitude"],
            "longitude": m["longitude"],
            "approximate": "yes" if m["approximate"] else "no",
            "types": codes,
            "regions": m["regions"],
            "notes": m["notes"],
            "updated": "2026-11-01 12:00:00",
        }
        if m["weekday"] is not None:
            row["day"], row["time"] = m["weekday"], m["start_time"].strftime("%H:%M")
            end = (m["start_time"].hour * 60 + m["start_time"].minute + m["duration_minutes"]) % 1440
            row["end_time"] = f"{end // 60:02d}:{end % 60:02d}"
        if m.get("location"):
            row["location"] = m["location"]
            row["address"] = m["address"]
        if m.get("conference_url"):
            row["conference_url"] = m["conference_url"]
            row["conference_url_notes"] = m["conference_url_notes"]
        rows.append(row)
    return rows


def stage_times(feed: Path, rows: list[dict]) -> dict:
    """The first import's stages, timed apart on the same feed: the streamed JSON parse alone, then
    the normalising (``to_meetings``) and derivation (``derive``) of every row without writing.
    The one-process import's time less these two is the rest: digests, matching and writing."""
    from commonground.catalog.models import Program
    from commonground.feeds.fields import Context
    from commonground.feeds.meeting_guide.reader import read
    from commonground.feeds.normalize import to_meetings
    from commonground.meetings.derive import derive

    started = time.perf_counter()
    parsed = read(str(feed))
    count = sum(1 for _ in parsed.rows)
    for close in parsed.closers:
        close()
    parse_s = time.perf_counter() - started
    assert count == len(rows)
    programs = dict(Program.objects.values_list("code", "type_table"))
    ctx = Context("aa", programs["aa"], programs=programs)
    started = time.perf_counter()
    for row in rows:
        for meeting in to_meetings(row, ctx):
            derive(meeting, programs[meeting["program_id"]])
    normalize_s = time.perf_counter() - started
    return {"parse_s": round(parse_s, 2), "normalize_and_derive_s": round(normalize_s, 2)}


def children_cpu() -> float:
    """CPU seconds used by this process's children that have ended (the import's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database",
        help="postgres://host:port/name: run on PostgreSQL; the named database is "
        "dropped and made afresh (default: a fresh SQLite file)",
    )
    parser.add_argument("--output", default="bench/results/import.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cg-bench-import-"))
    os.environ["FEED_MAX_BYTES"] = str(4 * 1024**3)  # a 1M-meeting feed is ~600 MB
    os.environ["COMMONGROUND_VAR_DIR"] = str(workdir / "var")
    if args.database:
        import psycopg

        server, name = args.database.rsplit("/", 1)
        with psycopg.connect(server + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    django_on(args.database or f"sqlite:///{workdir / 'bench.sqlite3'}")
    migrate()
    from django.conf import settings

    from commonground.feeds import sync as sync_module
    from commonground.feeds.importing import import_location
    from commonground.meetings.models import Meeting, Source
    from commonground.meetings.signals import data_changed
    from commonground.web import publishing

    data_changed.disconnect(dispatch_uid="commonground-publish")  # publishing is timed apart, below

    rows = make_feed(args.meetings, args.seed)
    feed = workdir / "feed.json"
    feed.write_text(json.dumps(rows))

    cpu = {}

    def timed_import(label, name="bench"):
        started, own, workers_before = time.perf_counter(), time.process_time(), children_cpu()
        report = import_location(str(feed), name=name)
        seconds = time.perf_counter() - started
        cpu[label] = {
            "sync_process_s": round(time.process_time() - own, 2),
            "workers_s": round(children_cpu() - workers_before, 2),
        }
        assert not report.errors, report.errors
        print(f"{label}: {seconds:.2f} s  {report.counts()}  CPU {cpu[label]}", flush=True)
        started = time.perf_counter()
        publishing.publish_current()
        published_s = time.perf_counter() - started
        if report.changed:
            print(f"  then published (feed files and index) in {published_s:.2f} s", flush=True)
        return seconds, report, published_s

    stages = stage_times(feed, rows)
    settings.IMPORT_WORKERS = 1
    serial_s, _serial, serial_publish_s = timed_import("first import, rows normalised in one process", "serial")
    Source.objects.get(name="serial").delete()
    settings.IMPORT_WORKERS = 0
    first_s, first, publish_s = timed_import("first import")
    stages["rest_in_one_process_s"] = round(serial_s - stages["parse_s"] - stages["normalize_and_derive_s"], 2)
    stages["per_row_us"] = {
        k.removesuffix("_s"): round(v / args.meetings * 1e6, 1) for k, v in list(stages.items()) if k.endswith("_s")
    }
    print("stages:", stages)
    unchanged_s, unchanged, _ = timed_import("unchanged re-sync")

    real_version = sync_module.NORMALIZE_VERSION
    sync_module.NORMALIZE_VERSION = real_version + "-bench"  # no raw digest matches: full path
    full_s, full, _ = timed_import("unchanged re-sync, fast path off")
    sync_module.NORMALIZE_VERSION = real_version
    timed_import("(restore digests)")

    rng = random.Random(args.seed)
    for i in rng.sample(range(len(rows)), len(rows) // 100):
        rows[i]["notes"] = f"Changed in the benchmark ({i})."
    feed.write_text(json.dumps(rows))
    changed_s, changed, _ = timed_import("1% changed re-sync")
    n = args.meetings
    stored = Meeting.objects.count()

    def rate(seconds):
        return round(n / seconds)

    write_result(
        args.output,
        {
            "benchmark": "import",
            "database": "postgresql (fresh database)" if args.database else "sqlite (fresh file, WAL)",
            "first_import_stages": stages,
            "feed_rows": n,
            "meetings_stored": stored,
            "first_import_one_process": {
                "seconds": round(serial_s, 2),
                "meetings_per_s": rate(serial_s),
                "then_published_s": round(serial_publish_s, 2),
            },
            "first_import": {
                "seconds": round(first_s, 2),
                "meetings_per_s": rate(first_s),
                "counts": first.counts(),
                "then_published_s": round(publish_s, 2),
                "with_publishing_meetings_per_s": rate(first_s + publish_s),
            },
            "ratio_workers_vs_one_process": round(serial_s / first_s, 2),
            # CPU of the sync's own process (feed parsing, matching, writing) and of its workers (reading
            # rows into meetings), per row: on two cores their sum bounds the first import.
            "first_import_cpu_us_per_row": {k: round(v / n * 1e6, 1) for k, v in cpu["first import"].items()},
            "cpu_s": cpu,
            "unchanged_resync": {
                "seconds": round(unchanged_s, 2),
                "meetings_per_s": rate(unchanged_s),
                "counts": unchanged.counts(),
            },
            "unchanged_resync_without_fast_path": {
                "seconds": round(full_s, 2),
                "meetings_per_s": rate(full_s),
                "counts": full.counts(),
            },
            "one_percent_changed_resync": {
                "seconds": round(changed_s, 2),
                "meetings_per_s": rate(changed_s),
                "counts": changed.counts(),
            },
            "ratio_unchanged_vs_first": round(first_s / unchanged_s, 2),
            "ratio_fast_path_vs_full": round(full_s / unchanged_s, 2),
            "targets": {"first_import_meetings_per_s": 50000, "first_import_100k_s": 2, "ratio_unchanged_vs_first": 5},
        },
    )


if __name__ == "__main__":
    main()
