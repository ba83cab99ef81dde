"""Peak memory of one large `commonground import`, with its baseline in the same run.

    python bench/import_memory.py --meetings 1000000          # writes bench/results/import-memory.json
    python bench/import_memory.py --feed /tmp/feed.json       # reuse a feed made earlier

The feed is a Meeting Guide JSON file of ``--meetings`` synthetic rows (as `bench/import.py`
makes them). It is imported twice, each time into a fresh SQLite file, by the real CLI:

1. the baseline: ``IMPORT_IN_A_CHILD=0``, the sync and then the publishing (index and feed
   files) in the importing process, as before;
2. ``IMPORT_IN_A_CHILD=1``: the sync in a forked child, and the publishing after it has exited.

The memory is the PSS of the whole process tree (the CLI, its sync child, the normalising
workers and the publishing's forked writers), read from ``/proc/<pid>/smaps_rollup`` every
``--every`` seconds. PSS counts a page shared by several processes once in total, so the sum is
what the tree really holds. Target (speed issue): at most 500 MB at 1M rows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, django_on, migrate, process_tree, pss_mb, server_keys, write_result

EXE = str(Path(sys.executable).parent / "commonground")


def measure(feed: Path, in_a_child: bool, every: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="cg-import-memory-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(work / "var"),
        **server_keys(),
        "FEED_MAX_BYTES": str(8 << 30),
        "IMPORT_IN_A_CHILD": "1" if in_a_child else "0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([EXE, "migrate", "-v", "0"], env=env, check=True)
    started = time.perf_counter()
    report_file = (work / "report.json").open("w+")  # a file, not a pipe: the report can be large
    process = subprocess.Popen(
        [EXE, "import", str(feed), "--name", "bench", "--json"], env=env, stdout=report_file, stderr=subprocess.DEVNULL
    )
    peak, peak_at, peak_processes, timeline = 0.0, 0.0, 0, []
    while process.poll() is None:
        pids = process_tree(process.pid)
        pss = sum(pss_mb(pid) for pid in pids)
        now = time.perf_counter() - started
        if pss > peak:
            peak, peak_at, peak_processes = pss, now, len(pids)
        if not timeline or now - timeline[-1][0] >= 5:
            timeline.append((round(now, 1), round(pss), len(pids)))
        time.sleep(every)
    report_file.seek(0)
    output = report_file.read()
    report_file.close()
    seconds = time.perf_counter() - started
    report = json.loads(output) if output.strip() else {}
    shutil.rmtree(work, ignore_errors=True)  # a 1M-row database is over a gigabyte
    return {
        "import_in_a_child": in_a_child,
        "exit": process.returncode,
        "seconds": round(seconds, 1),
        "rows_per_second": round(report.get("added", 0) / seconds) if seconds else None,
        "added": report.get("added"),
        "skipped": report.get("skipped"),
        "peak_pss_mb": round(peak),
        "peak_at_seconds": round(peak_at, 1),
        "processes_at_peak": peak_processes,
        "timeline_s_mb_processes": timeline,
    }


def make_feed_file(n: int, seed: int) -> Path:
    """A feed file of ``n`` rows, written from a throwaway database (make_feed needs the catalog)."""
    work = Path(tempfile.mkdtemp(prefix="cg-import-memory-feed-"))
    os.environ["COMMONGROUND_VAR_DIR"] = str(work / "var")
    django_on(f"sqlite:///{work / 'catalog.sqlite3'}")
    migrate()
    sys.path.insert(0, str(ROOT / "bench"))
    from importlib import import_module

    rows = import_module("import").make_feed(n, seed=seed)
    feed = work / "feed.json"
    with feed.open("w") as out:
        json.dump(rows, out)
    return feed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--feed", help="A Meeting Guide JSON file made earlier (then --meetings is not used).")
    parser.add_argument("--every", type=float, default=0.2, help="Seconds between memory samples.")
    parser.add_argument("--output", default="bench/results/import-memory.json")
    args = parser.parse_args()

    feed = Path(args.feed) if args.feed else make_feed_file(args.meetings, args.seed)
    baseline = measure(feed, in_a_child=False, every=args.every)
    print("baseline", {k: v for k, v in baseline.items() if k != "timeline_s_mb_processes"}, file=sys.stderr)
    child = measure(feed, in_a_child=True, every=args.every)
    print("in a child", {k: v for k, v in child.items() if k != "timeline_s_mb_processes"}, file=sys.stderr)
    write_result(
        args.output,
        {
            "benchmark": "import-memory",
            "command": " ".join(["python", *sys.argv]),
            "database": "sqlite",
            "feed_bytes": feed.stat().st_size,
            "rows": baseline.get("added"),
            "baseline_in_one_process": baseline,
            "sync_in_a_child": child,
            "peak_ratio": round(child["peak_pss_mb"] / baseline["peak_pss_mb"], 2) if baseline["peak_pss_mb"] else None,
            "target_mb": 500,
            "met": child["peak_pss_mb"] <= 500 and child["exit"] == 0,
        },
    )


if __name__ == "__main__":
    main()
