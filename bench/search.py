"""Search speed at scale: the engine against a plain indexed SQL query, and end-to-end HTTP.

    python bench/search.py --meetings 1000000 --output bench/results/search.json

1. Generates (or reuses) a demo dataset of N meetings in a SQLite file.
2. Builds the search index, timing it, and reads the process's resident memory.
3. Runs a fixed query mix, each with fixed "now" values, through the engine (many times) and
   through the baseline (fewer times: it is slow): Django's ORM with the bounding-box plus
   haversine query (``near`` below) and the filters in SQL, then each row's next start
   computed in Python, then sorting, as a plain implementation would.
4. Starts the production server (gunicorn, 2 workers) on loopback and drives
   /api/v1/meetings with 8 concurrent clients for --http-seconds, then reads the workers' memory.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _setup import ROOT, django_on, migrate, pss_mb, server_keys, write_result

NOWS = ["2026-06-09T23:00:00Z", "2026-12-05T14:00:00Z", "2026-03-11T01:00:00Z"]
MIX = [
    ("1 dense city, 25 km, next 3 h", {"near": "Manhattan, NY", "radius_km": "25", "starting_within": "180"}),
    ("2 dense city + women", {"near": "Manhattan, NY", "radius_km": "25", "starting_within": "180", "type": "women"}),
    (
        "3 medium city, 50 km, Tue 18-21",
        {"near": "Tulsa, OK", "radius_km": "50", "day": "2", "time_from": "18:00", "time_to": "21:00"},
    ),
    ("4 online, next 60 min, worldwide", {"mode": "online", "starting_within": "60"}),
    ("5 text in a dense city", {"near": "Manhattan, NY", "radius_km": "25", "q": "serenity"}),
    ("6 program + approach, no place", {"program": "aa,na", "approach": "twelve-step"}),
]


def rss_mb(pid: int | str = "self") -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def near(qs, latitude: float, longitude: float, km: float):
    """The plain SQL way: a bounding box on the indexed latitude/longitude, then the great-circle
    distance (spherical law of cosines, clamped for rounding) annotated as ``distance_km``."""
    from django.db.models import F, Q
    from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin

    earth_km = 6371.0088
    dlat = math.degrees(km / earth_km)
    coslat = max(math.cos(math.radians(latitude)), 1e-6)
    dlng = min(180.0, math.degrees(km / (earth_km * coslat)))
    qs = qs.filter(latitude__isnull=False, latitude__gte=latitude - dlat, latitude__lte=latitude + dlat)
    lng_lo, lng_hi = longitude - dlng, longitude + dlng
    if lng_lo < -180 or lng_hi > 180:  # the box wraps the antimeridian
        qs = qs.filter(Q(longitude__gte=((lng_lo + 540) % 360) - 180) | Q(longitude__lte=((lng_hi + 540) % 360) - 180))
    else:
        qs = qs.filter(longitude__gte=lng_lo, longitude__lte=lng_hi)
    lat_r, lng_r = math.radians(latitude), math.radians(longitude)
    cosine = math.sin(lat_r) * Sin(Radians(F("latitude"))) + math.cos(lat_r) * Cos(Radians(F("latitude"))) * Cos(
        Radians(F("longitude")) - lng_r
    )
    distance = ACos(Least(Greatest(cosine, -1.0), 1.0)) * earth_km
    return qs.annotate(distance_km=distance).filter(distance_km__lte=km)


def with_tags(qs, tags):
    """Rows carrying every tag, by their bit mask."""
    from django.db.models import F

    from commonground.meetings import types

    mask = types.tag_bits(tags)
    if not mask:
        return qs
    return qs.annotate(_tag_match=F("tag_bits").bitand(mask)).filter(_tag_match=mask)


def baseline_search(query):
    """What a plain implementation does: SQL for place and filters, Python for the weekly time."""
    from django.db.models import Q

    from commonground.meetings import schedule
    from commonground.meetings.models import Meeting

    qs = Meeting.objects.exclude(attendance_mode="inactive")
    if query.has_place:
        qs = near(qs, query.latitude, query.longitude, query.radius_km)
    modes = {"any": None, "in_person": ["in_person", "hybrid"], "online": ["online", "hybrid"], "hybrid": ["hybrid"]}
    if modes[query.mode]:
        qs = qs.filter(attendance_mode__in=modes[query.mode])
    if query.programs:
        qs = qs.filter(program_id__in=query.programs)
    if query.approach:
        qs = qs.filter(program__approach=query.approach)
    if query.tags:
        qs = with_tags(qs, query.tags)
    if query.q:
        qs = qs.filter(
            Q(name__icontains=query.q)
            | Q(group__icontains=query.q)
            | Q(location__icontains=query.q)
            | Q(notes__icontains=query.q)
        )
    if not query.has_time and not query.has_place:
        count = qs.count()
        page = list(qs.order_by("name", "id").values_list("id", flat=True)[query.offset : query.offset + query.limit])
        return count, page
    fields = ["id", "weekday", "start_time", "timezone", "name"] + (["distance_km"] if query.has_place else [])
    rows = []
    for row in qs.values_list(*fields):
        start = None
        if row[1] is not None:
            start = schedule.next_occurrence(
                row[1], row[2], schedule.zone(row[3]), query.window_start if query.has_time else query.now
            )
            if query.has_time and start > query.window_end:
                continue
        rows.append((row, start))
    if query.sort == "nearest":
        rows.sort(key=lambda r: (r[0][5], r[0][0]))
    elif query.sort == "soonest":
        rows.sort(key=lambda r: (r[1] is None, r[1] or query.now, r[0][0]))
    else:
        rows.sort(key=lambda r: (r[0][4].casefold(), r[0][0]))
    return len(rows), [r[0][0] for r in rows[query.offset : query.offset + query.limit]]


def run_mix(engine_runs: int, baseline_budget_s: float) -> list[dict]:
    from commonground.search import engine
    from commonground.search.query import parse_query

    index = engine.current_index()
    out = []
    for name, params in MIX:
        queries = [parse_query({**params, "now": now}) for now in NOWS]
        for q in queries:  # warm caches (zone tables, text matches) once, as a live server would have
            index.search(q)
        engine_ms = []
        for i in range(engine_runs):
            q = queries[i % len(queries)]
            started = time.perf_counter()
            index.search(q)
            engine_ms.append((time.perf_counter() - started) * 1000)
        base_ms, base_started = [], time.perf_counter()
        while len(base_ms) < 3 or (time.perf_counter() - base_started < baseline_budget_s and len(base_ms) < 50):
            q = queries[len(base_ms) % len(queries)]
            started = time.perf_counter()
            baseline_search(q)
            base_ms.append((time.perf_counter() - started) * 1000)
        check = index.search(queries[0])
        base_count, _ = baseline_search(queries[0])
        p50, base_p50 = statistics.median(engine_ms), statistics.median(base_ms)
        out.append(
            {
                "name": name,
                "params": params,
                "matches": check.count,
                "baseline_matches": base_count,
                "p50_ms": round(p50, 3),
                "p95_ms": round(percentile(engine_ms, 95), 3),
                "p99_ms": round(percentile(engine_ms, 99), 3),
                "runs": len(engine_ms),
                "baseline_p50_ms": round(base_p50, 2),
                "baseline_p95_ms": round(percentile(base_ms, 95), 2),
                "baseline_runs": len(base_ms),
                "ratio_p50": round(base_p50 / p50, 1),
            }
        )
        print(
            f"{name:36} engine p50 {p50:7.3f} ms  p99 {percentile(engine_ms, 99):7.3f} ms   "
            f"SQL p50 {base_p50:9.2f} ms  x{base_p50 / p50:,.0f}  ({check.count} matches)",
            flush=True,
        )
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_load(database_url: str, seconds: float, clients: int = 8, max_requests: int = 200_000) -> dict:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": "2",
        "MAP_TILE_URL": "",
        "SECRET_KEY": secrets.token_urlsafe(40),
        **server_keys(),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    exe = Path(sys.executable).parent / "commonground"
    log = tempfile.NamedTemporaryFile("w+", prefix="cg-search-serve-", suffix=".log", delete=False)
    server = subprocess.Popen(
        [str(exe), "serve", "--no-demo", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}/api/v1/meetings?"
    urls = [base + urllib.parse.urlencode({**params, "now": now}) for _, params in MIX for now in NOWS]
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # the workers build their indexes before serving
            try:
                urllib.request.urlopen(urls[0], timeout=60).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the server stopped:\n" + Path(log.name).read_text()[-3000:]) from None
                time.sleep(1)
        for url in urls * 4:  # both workers, every query, once warm
            urllib.request.urlopen(url, timeout=60).read()
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds

        def client(k: int) -> None:
            i = k
            while time.monotonic() < stop_at and len(latencies) < max_requests:
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(urls[i % len(urls)], timeout=30) as response:
                        response.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        latencies.append(elapsed)
                except OSError:
                    with lock:
                        errors[0] += 1
                i += clients

        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        workers = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == server.pid]
        return {
            "workers": 2,
            "clients": clients,
            "seconds": round(elapsed, 1),
            "requests": len(latencies),
            "errors": errors[0],
            "requests_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "worker_rss_mb": [round(rss_mb(pid), 1) for pid in workers],
            "worker_pss_mb": [round(pss_mb(pid), 1) for pid in workers],
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def _parent(pid: int) -> int:
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", help="SQLite file to (re)use (default var/bench/search-N-seed.sqlite3)")
    parser.add_argument(
        "--database",
        help="postgres://... to run on PostgreSQL instead (demo data is loaded there when the count differs)",
    )
    parser.add_argument("--engine-runs", type=int, default=600)
    parser.add_argument("--baseline-seconds", type=float, default=15)
    parser.add_argument("--http-seconds", type=float, default=30)
    parser.add_argument("--output", default="bench/results/search.json")
    args = parser.parse_args()

    data = Path(args.data or ROOT / "var" / "bench" / f"search-{args.meetings}-{args.seed}.sqlite3").resolve()
    data.parent.mkdir(parents=True, exist_ok=True)
    database_url = args.database or f"sqlite:///{data}"
    vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
    os.environ["COMMONGROUND_VAR_DIR"] = str(data.parent / ("var-pg" if vendor == "postgresql" else "var"))
    django_on(database_url)
    migrate()
    from commonground.feeds.demo import load_demo
    from commonground.meetings.models import Meeting

    if Meeting.objects.count() != args.meetings:
        print(f"Generating {args.meetings:,} demo meetings into {vendor} ...", flush=True)
        load_demo(args.meetings, args.seed)
    from commonground.meetings.models import DataVersion
    from commonground.places.gazetteer import gazetteer
    from commonground.search import engine, store

    gazetteer()
    started = time.perf_counter()
    store.build(DataVersion.current_with_time(), rebuild=True)  # a real build, never a stored one
    build_s = time.perf_counter() - started
    index = engine.current_index()
    memory = rss_mb()
    print(f"index of {index.size:,} meetings built in {build_s:.2f} s; process RSS {memory:.0f} MB", flush=True)
    queries = run_mix(args.engine_runs, args.baseline_seconds)
    http = http_load(database_url, args.http_seconds) if args.http_seconds > 0 else None
    if http:
        print(
            f"HTTP: {http['requests']} requests in {http['seconds']} s, p50 {http['p50_ms']} ms, "
            f"p99 {http['p99_ms']} ms, workers RSS {http['worker_rss_mb']} MB, PSS {http['worker_pss_mb']} MB",
            flush=True,
        )
    write_result(
        args.output,
        {
            "benchmark": "search",
            "database": vendor,
            "meetings": args.meetings,
            "indexed": index.size,
            "index_build_s": round(build_s, 2),
            "rss_mb": round(memory, 1),
            "queries": queries,
            "http": http,
            "targets": {"p50_ms": 5, "p99_ms": 25, "ratio_query_1": 10, "index_build_s": 10, "rss_mb": 400},
        },
    )


if __name__ == "__main__":
    main()
