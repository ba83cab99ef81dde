"""Server render time of the results page at scale, and page weights; with --browser, the first
result painted on a phone in Chromium against TSML UI (see bench/web_browser.py).

    python bench/web.py --meetings 1000000 --output bench/results/web.json
    python bench/web.py --browser --sizes 5000,50000,1000000 --output bench/results/web-browser.json

Uses the same dataset as bench/search.py (generated or reused). For each page in a fixed set,
in one run, it times: the engine alone (the baseline: what the page cannot go below), the JSON
API for the same query, and the server-rendered HTML page, and reports p50/p95 and the page's
overhead over the engine. It also reports the HTML size of each page and the total transfer of
a first results view without the map (HTML + CSS + JS, uncompressed and gzipped).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import time
from pathlib import Path

from _setup import ROOT, django_on, migrate, write_result

NOW = "2026-06-09T23:00:00Z"
PAGES = [
    ("results: dense city, next 3 h", {"near": "Manhattan, NY", "radius_km": "25", "starting_within": "180"}),
    ("results: online, next hour", {"mode": "online", "starting_within": "60"}),
    (
        "results: medium city, Tuesday evening",
        {"near": "Tulsa, OK", "radius_km": "50", "day": "2", "time_from": "18:00", "time_to": "21:00"},
    ),
    ("results: program browse", {"program": "smart"}),
]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--output", default=None)
    parser.add_argument("--browser", action="store_true", help="Chromium first-result timing against TSML UI.")
    parser.add_argument("--sizes", default="5000,50000,1000000", help="With --browser: meeting counts.")
    parser.add_argument("--tsml-sizes", default="5000,50000", help="With --browser: sizes TSML UI also runs at.")
    parser.add_argument("--loads", type=int, default=5, help="With --browser: cold loads per case (median).")
    args = parser.parse_args()
    if args.browser:
        from web_browser import run

        sizes = [int(n) for n in args.sizes.split(",")]
        result = run(sizes, [int(n) for n in args.tsml_sizes.split(",")], args.seed, args.loads)
        write_result(args.output or "bench/results/web-browser.json", {"benchmark": "web-browser", **result})
        return
    args.output = args.output or "bench/results/web.json"
    data = Path(args.data or ROOT / "var" / "bench" / f"search-{args.meetings}-{args.seed}.sqlite3").resolve()
    data.parent.mkdir(parents=True, exist_ok=True)
    os.environ["COMMONGROUND_VAR_DIR"] = str(data.parent / "var")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    django_on(f"sqlite:///{data}")
    migrate()
    from django.conf import settings
    from django.test import Client

    from commonground.feeds.demo import load_demo
    from commonground.meetings.models import Meeting
    from commonground.search import engine
    from commonground.search.query import parse_query

    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if Meeting.objects.count() != args.meetings:
        load_demo(args.meetings, args.seed)
    engine.current_index()
    client = Client()
    rows = []
    for name, params in PAGES:
        params = {**params, "now": NOW}
        query = parse_query(params)
        index = engine.current_index()
        timings = {"engine": [], "api": [], "page": []}
        client.get("/meetings", params)  # warm
        for _ in range(args.runs):
            started = time.perf_counter()
            index.search(query)
            timings["engine"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            api = client.get("/api/v1/meetings", params)
            timings["api"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            page = client.get("/meetings", params)
            timings["page"].append((time.perf_counter() - started) * 1000)
        assert page.status_code == 200 and api.status_code == 200
        p50 = {k: statistics.median(v) for k, v in timings.items()}
        rows.append(
            {
                "name": name,
                "params": params,
                "html_bytes": len(page.content),
                "html_gzip_bytes": len(gzip.compress(page.content)),
                "page_p50_ms": round(p50["page"], 2),
                "page_p95_ms": round(percentile(timings["page"], 95), 2),
                "api_p50_ms": round(p50["api"], 2),
                "baseline_engine_p50_ms": round(p50["engine"], 3),
                "ratio_page_to_engine": round(p50["page"] / p50["engine"], 1),
            }
        )
        print(
            f"{name:40} page p50 {p50['page']:6.2f} ms  api {p50['api']:6.2f} ms  engine {p50['engine']:6.3f} ms  "
            f"html {len(page.content):,} B",
            flush=True,
        )
    static = ROOT / "src/commonground/web/static/web"
    first_view = client.get("/meetings", {**PAGES[0][1], "now": NOW}).content
    assets = [(static / "site.css").read_bytes(), (static / "finder.js").read_bytes()]
    transfer = len(first_view) + sum(len(a) for a in assets)
    transfer_gzip = len(gzip.compress(first_view)) + sum(len(gzip.compress(a)) for a in assets)
    write_result(
        args.output,
        {
            "benchmark": "web",
            "meetings": args.meetings,
            "pages": rows,
            "first_results_view": {
                "bytes": transfer,
                "gzip_bytes": transfer_gzip,
                "requests": 3,
                "third_party_requests": 0,
            },
            "targets": {"html_bytes": 60 * 1024, "first_view_bytes": 150 * 1024, "page_p50_ms": 50},
        },
    )


if __name__ == "__main__":
    main()
