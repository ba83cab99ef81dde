"""The search index after one source's sync: brought forward against a full build, same run.

    python bench/index.py --meetings 1000000 --resync 5000 --output bench/results/index.json
    python bench/index.py --database postgres://postgres@127.0.0.1:55432/bench1m --output bench/results/index-postgresql.json

1. A demo dataset of N meetings (SQLite: a copy of var/bench/web-N-seed.sqlite3 when bench/web.py
   made one, else generated; PostgreSQL: loaded when the count differs), plus one more source
   of --resync meetings imported from a Meeting Guide feed.
2. The baseline: a full build of the index (every meeting read from the database), --runs times.
3. --runs syncs of that source, each changing 5% of its rows (new names, times, notes) and adding
   and removing a few; after each, the index for the new version is brought forward from the
   stored one (search.update), timed. The last is checked against a full build of that version.

The published feed is not built here (its own benchmark is bench/feed.py): only the index.
Target: an index update after one source's sync <= 1 s at 1M meetings.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, django_on, migrate, write_result


def dataset(meetings: int, seed: int) -> Path:
    data = ROOT / "var" / "bench" / f"index-{meetings}-{seed}.sqlite3"
    made = ROOT / "var" / "bench" / f"web-{meetings}-{seed}.sqlite3"
    if not data.exists() and made.exists():
        print(f"copying {made.name} ...", flush=True)
        shutil.copyfile(made, data)
    return data


def timed_build(store, version, *, rebuild: bool) -> tuple[float, str, int]:
    started = time.perf_counter()
    folder = store.build(version, rebuild=rebuild)
    seconds = time.perf_counter() - started
    meta = json.loads((folder / "meta.json").read_text())
    return seconds, meta["how"], meta["size"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=1_000_000)
    parser.add_argument("--resync", type=int, default=5_000, help="meetings in the source that is re-synced")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database", help="postgres://... to run on PostgreSQL (demo data is loaded there when the count differs)"
    )
    parser.add_argument("--output", default="bench/results/index.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cg-bench-index-"))
    os.environ["COMMONGROUND_VAR_DIR"] = str(workdir / "var")
    database_url = args.database or f"sqlite:///{dataset(args.meetings, args.seed)}"
    django_on(database_url)
    migrate()
    from commonground.feeds.demo import load_demo
    from commonground.feeds.importing import import_location
    from commonground.meetings.models import DataVersion, Meeting, Source
    from commonground.meetings.signals import data_changed
    from commonground.search import store

    data_changed.disconnect(dispatch_uid="commonground-publish")  # the builds below are the ones timed
    demo = Meeting.objects.exclude(source__name="bench-resync").count()
    if demo != args.meetings:
        print(f"Generating {args.meetings:,} demo meetings ...", flush=True)
        Source.objects.filter(name="bench-resync").delete()
        load_demo(args.meetings, args.seed)
    sys.path.insert(0, str(ROOT / "bench"))
    make_feed = importlib.import_module("import").make_feed  # bench/import.py's feed of demo meetings
    rows = make_feed(args.resync, args.seed + 1)
    feed = workdir / "feed.json"

    def sync(rows) -> None:
        feed.write_text(json.dumps(rows))
        report = import_location(str(feed), name="bench-resync", allow_removals=True)
        assert not report.errors, report.errors

    sync(rows)
    version = DataVersion.current_with_time()
    full = [timed_build(store, version, rebuild=True) for _ in range(args.runs)]
    print(f"full builds: {', '.join(f'{s:.2f}' for s, _, _ in full)} s ({full[0][2]:,} meetings)", flush=True)

    rng = random.Random(args.seed)
    forward, extra = [], make_feed(args.resync + 50 * args.runs, args.seed + 2)[args.resync :]
    for run in range(args.runs):
        for row in rng.sample(rows, max(1, len(rows) // 20)):
            row["name"] = f"{row['name']} ({run})"
            row["notes"] = f"Changed in run {run}."
            if "time" in row:
                row["time"] = f"{rng.randint(6, 21):02d}:{rng.choice(['00', '30'])}"
        for _ in range(25):
            rows.pop(rng.randrange(len(rows)))
        rows.extend({**r, "slug": f"extra-{run}-{i}"} for i, r in enumerate(extra[run * 50 : run * 50 + 25]))
        sync(rows)
        forward.append(timed_build(store, DataVersion.current_with_time(), rebuild=False))
        print(f"sync {run + 1}: index {forward[-1][1]} in {forward[-1][0]:.3f} s", flush=True)
    assert all(how == "brought forward" for _, how, _ in forward), [how for _, how, _ in forward]
    check = timed_build(store, DataVersion.current_with_time(), rebuild=True)
    assert check[2] == forward[-1][2], (check, forward[-1])

    full_s = statistics.median(s for s, _, _ in full)
    forward_s = statistics.median(s for s, _, _ in forward)
    write_result(
        args.output,
        {
            "benchmark": "index update after one source's sync",
            "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
            "meetings": forward[-1][2],
            "resynced_source_meetings": len(rows),
            "changed_per_sync": len(rows) // 20 + 50,
            "full_build_s": {"median": round(full_s, 3), "runs": [round(s, 3) for s, _, _ in full]},
            "brought_forward_s": {
                "median": round(forward_s, 3),
                "max": round(max(s for s, _, _ in forward), 3),
                "runs": [round(s, 3) for s, _, _ in forward],
            },
            "ratio_full_to_forward": round(full_s / forward_s, 1),
            "targets": {"brought_forward_s": 1.0},
        },
    )
    Source.objects.filter(name="bench-resync").delete()  # the dataset is left as it was found
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
