"""The parts of bench/world.py that run in processes of their own (ru_maxrss is per process).

    python bench/_world_phases.py setup  --db FILE --roots serverList.json --feeds feeds.toml --out R.json
    python bench/_world_phases.py sync   --db FILE --jobs 4 --out R.json
    python bench/_world_phases.py search --db FILE --mix MIX.json --stop FILE --ready FILE --out R.json

``world.py`` starts them with the settings in the environment. ``sync`` stubs the resolver
(``feeds.fetch.resolve``) so that every ``*.world.test`` name is 127.0.0.1 and any other name fails:
nothing leaves the machine. It times, besides the whole ``sync_all``, where a sync's time goes:
the publishing (``web.publishing.publish_current`` and its three parts; ``sync_all`` publishes
once at the end of a run of several sources, and brings the search index forward after each
source's commit: "search index" counts both), the duplicate pairs' refresh (once, at the end of
such a run), and SQLite's writer slot (waited for, and held). ``search`` runs searches as a web worker does (``PUBLISH_MODE=background``: a new version's
index is mapped in once stored, never built in the request) until the stop file appears.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_on, migrate  # noqa: E402

DOMAIN = "world.test"


def setup(args) -> dict:
    migrate()
    from commonground.feeds import registry

    out = {}
    for path in (args.roots, args.feeds):
        added = registry.add(registry.load(path))
        out[Path(path).name] = {"added": len(added.added), "skipped": [list(s) for s in added.skipped]}
    return out


class Timings:
    """Seconds spent in a few named steps, from every sync thread."""

    def __init__(self):
        self.guard = threading.Lock()
        self.steps: dict[str, list[float]] = {}

    def add(self, name: str, seconds: float) -> None:
        with self.guard:
            self.steps.setdefault(name, []).append(seconds)

    def timed(self, name: str, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - started)

        return wrapper

    def summary(self) -> dict:
        return {
            name: {"count": len(v), "total_s": round(sum(v), 2), "max_s": round(max(v), 2)}
            for name, v in sorted(self.steps.items())
        }


def instrument(timings: Timings) -> None:
    from commonground import locks
    from commonground.feeds import fetch
    from commonground.meetings import duplicates
    from commonground.web import publishing

    def resolve(host: str, port: int) -> list[str]:
        if host.lower().endswith("." + DOMAIN):
            return ["127.0.0.1"]
        raise OSError(f"{host} is not a stand-in; the bench resolves nothing else")

    fetch.resolve = resolve
    from commonground.api.bmlt import store as bmlt_store
    from commonground.feeds import published
    from commonground.search import store

    publishing.publish_current = timings.timed("publish", publishing.publish_current)
    store.build = timings.timed("search index (after each commit, and in publish)", store.build)
    published.build = timings.timed("publish: Meeting Guide feed files", published.build)
    bmlt_store.build = timings.timed("publish: BMLT answers' material", bmlt_store.build)
    duplicates.refresh = timings.timed("duplicates.refresh", duplicates.refresh)
    writer_lock = locks.writer_lock

    @contextmanager
    def timed_writer_lock(**kwargs):
        asked = time.perf_counter()
        with writer_lock(**kwargs):
            got = time.perf_counter()
            timings.add("writer slot: waited", got - asked)
            try:
                yield
            finally:
                timings.add("writer slot: held", time.perf_counter() - got)

    locks.writer_lock = timed_writer_lock


def sync(args) -> dict:
    from commonground.feeds.schedule import sync_all, syncable
    from commonground.meetings.models import Meeting

    timings = Timings()
    instrument(timings)
    sources = list(syncable())
    finished: dict[str, float] = {}
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
    started_wall, started = time.time(), time.perf_counter()
    if profile:
        profile.enable()
    reports = sync_all(
        sources, jobs=args.jobs, on_report=lambda r: finished.__setitem__(r.source, time.perf_counter() - started)
    )
    if profile:
        profile.disable()
    wall = time.perf_counter() - started
    self_usage, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "started_at": started_wall,
        "wall_s": round(wall, 2),
        "cpu_s": {
            "sync_process": round(self_usage.ru_utime + self_usage.ru_stime, 1),
            "forked_children": round(children.ru_utime + children.ru_stime, 1),
        },
        "peak_rss_mb": {
            "sync_process": round(self_usage.ru_maxrss / 1024, 1),
            "largest_forked_child": round(children.ru_maxrss / 1024, 1),
        },
        "meetings_stored": Meeting.objects.count(),
        "steps": timings.summary(),
        "sources": [
            {
                "name": r.source,
                "finished_s": round(finished.get(r.source, wall), 2),
                "error": r.errors[-1]["message"] if r.failed else "",
                **r.counts(),
                "warnings": len(r.warnings),
            }
            for r in reports
        ],
    }
    if profile:
        import io
        import pstats

        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(40)
        Path(args.profile).write_text(text.getvalue())
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))] if ordered else 0.0


def search(args) -> dict:
    from commonground.search import engine
    from commonground.search.query import parse_query

    engine.request_build = None  # the sync's own process publishes (PUBLISH_MODE=inline there)
    mix = json.loads(Path(args.mix).read_text())
    watch = mix.get("watch", [])
    found: dict[str, float] = {}
    samples = []  # (started at, seconds, label)
    stop, ready = Path(args.stop), Path(args.ready)

    def one(label: str, params: dict):
        began = time.time()
        page = engine.search(parse_query(params))
        samples.append((began, time.time() - began, label))
        return page

    from django.urls import get_resolver

    one("first (maps or builds the index)", mix["queries"][0][1])
    for label, params in mix["queries"]:  # a worker that has served a few requests (lazy loads done)
        one(label, params)
    get_resolver().reverse_dict  # noqa: B018 - the URLconf, which a worker's first request loads (1.2 s)
    warm = len(samples)
    ready.write_text("ready")
    while not stop.exists():
        for label, params in mix["queries"]:
            one(label, params)
            time.sleep(args.pause)
        for name in watch:
            if name not in found and one("watch", {"q": name}).count:
                found[name] = time.time()
    return {"samples": samples[warm:], "first_s": round(samples[0][1], 3), "found": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=["setup", "sync", "search"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--roots")
    parser.add_argument("--feeds")
    parser.add_argument("--mix")
    parser.add_argument("--stop")
    parser.add_argument("--ready")
    parser.add_argument("--pause", type=float, default=0.05)
    parser.add_argument("--profile", help="write a cProfile of the sync (its main thread) to this file")
    args = parser.parse_args()
    django_on(f"sqlite:///{args.db}")
    result = {"setup": setup, "sync": sync, "search": search}[args.phase](args)
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
