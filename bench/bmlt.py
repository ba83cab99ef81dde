"""The BMLT API at scale, with the meeting API as its baseline in the same run.

    python bench/bmlt.py --meetings 200000 --output bench/results/bmlt.json

1. Generates (or reuses) a demo dataset of N meetings in a SQLite file (or ``--database``).
2. Publishes the version: the search index, then the BMLT material (timed: what ``publish``
   adds for the BMLT API), and reads once what every BMLT request used to read (every public
   meeting made into BMLT's shape), for the figure before the change.
3. In-process through Django's test client (the whole middleware stack, no network): a mix of
   paged BMLT searches, each answered with the answer cache emptied first, so each is computed,
   against a mix of meeting API searches; medians of ``--runs`` requests. Acceptance: every
   paged BMLT answer within 3x the API's median.
4. The whole list as crouton asks for it: the first request (writes the file) and later ones
   (served from it), and an unpaged answer over the limit (refused).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from _setup import ROOT, django_on, migrate, write_result

API_MIX = [
    ("near, next 3 h", "near=Manhattan%2C+NY&starting_within=180"),
    ("near, Tue 18-21", "near=Tulsa%2C+OK&day=2&time_from=18:00&time_to=21:00"),
    ("online, next hour", "mode=online&starting_within=60"),
    ("program, by name", "program=na&sort=name"),
    ("text, by name", "q=hope&sort=name"),
]
BMLT_MIX = [
    ("page_size=1 with junk (the attack)", "switcher=GetSearchResults&page_size=1&junk={n}"),
    ("weekday, page of 20", "switcher=GetSearchResults&weekdays[]=3&page_size=20&page_num=5"),
    ("formats AND + venue, page of 50", "switcher=GetSearchResults&formats[]=8&venue_types[]=1&page_size=50"),
    (
        "around a point, 25 mi, by distance",
        "switcher=GetSearchResults&lat_val=40.7128&long_val=-74.006"
        "&geo_width=25&sort_results_by_distance=1&page_size=20",
    ),
    ("nearest 10", "switcher=GetSearchResults&lat_val=39.74&long_val=-104.99&geo_width=-10"),
    (
        "text, sorted by name, page 3",
        "switcher=GetSearchResults&SearchString=hope&sort_keys=meeting_name&page_size=20&page_num=3",
    ),
    (
        "one program, by town, page of 100",
        "/na|switcher=GetSearchResults&sort_keys=location_municipality,start_time&page_size=100&get_used_formats",
    ),
    (
        "start after 18:00, Mon-Fri, page of 20",
        "switcher=GetSearchResults&weekdays=2,3,4,5,6&StartsAfterH=18&page_size=20&page_num=2",
    ),
]


def timed(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", help="SQLite file to (re)use (default var/bench/search-N-seed.sqlite3)")
    parser.add_argument("--database", help="postgres://... instead (demo data loaded when the count differs)")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--skip-old", action="store_true", help="do not time the old read of every meeting")
    parser.add_argument("--output", default="bench/results/bmlt.json")
    args = parser.parse_args()

    data = Path(args.data or ROOT / "var" / "bench" / f"search-{args.meetings}-{args.seed}.sqlite3").resolve()
    data.parent.mkdir(parents=True, exist_ok=True)
    database_url = args.database or f"sqlite:///{data}"
    django_on(database_url)
    migrate()
    from django.conf import settings
    from django.test import Client

    from commonground.api.bmlt import store as bmlt_store
    from commonground.api.bmlt import views as bmlt_views
    from commonground.api.bmlt.search import to_bmlt
    from commonground.feeds.demo import load_demo
    from commonground.feeds.meeting_guide.selection import FeedSelection
    from commonground.meetings.models import DataVersion, Meeting, Source
    from commonground.search import store as search_store

    if Meeting.objects.count() != args.meetings:
        print(f"Generating {args.meetings:,} demo meetings ...", flush=True)
        load_demo(args.meetings, args.seed)
    settings.ALLOWED_HOSTS = ["*"]
    version = DataVersion.current_with_time()
    search_store.build(version)
    folder = bmlt_store.folder_for(version)
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    started = time.perf_counter()
    bmlt_store.build(version)
    build_s = time.perf_counter() - started
    size = bmlt_store.load(version).meta["size"]
    old_s = None
    if not args.skip_old:
        slugs = dict(Source.objects.values_list("id", "slug"))
        started = time.perf_counter()
        for m in FeedSelection(scheduled_only=True):
            to_bmlt(m, slugs.get(m.source_id, ""), "http://localhost")
        old_s = time.perf_counter() - started
    client = Client()

    def get(path: str, **headers):
        response = client.get(path, HTTP_HOST="localhost", **headers)
        assert response.status_code in (200, 400), (path, response.status_code, response.content[:300])
        if response.streaming:
            for _ in response.streaming_content:
                pass
        return response

    api = {}
    for label, query in API_MIX:
        get(f"/api/v1/meetings?{query}")
        api[label] = round(timed(lambda q=query: get(f"/api/v1/meetings?{q}"), args.runs)[0], 2)
    api_median = statistics.median(api.values())

    counter = iter(range(10**9))
    bmlt = {}
    for label, query in BMLT_MIX:
        root, _, query = query.rpartition("|")
        path = f"/bmlt{root}/client_interface/json/?{query}"

        def cold(path=path):
            bmlt_views._CACHE.clear()
            get(path.format(n=next(counter)))

        cold()
        median, _ = timed(cold, args.runs)
        bmlt[label] = {"cold_median_ms": round(median, 2), "ratio_to_api_median": round(median / api_median, 2)}
        bmlt[label]["cached_median_ms"] = (
            round(timed(lambda p=path: get(p.format(n=1)), args.runs)[0], 3) if "{n}" not in path else None
        )

    crouton = (
        "/bmlt/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&lang_enum=en"
        "&sort_keys=start_time&callback=jsonp_1"
    )
    bmlt_views._CACHE.clear()
    started = time.perf_counter()
    first = get(crouton)
    whole_first_s = time.perf_counter() - started
    whole_again_ms = timed(lambda: get(crouton, HTTP_ACCEPT_ENCODING="gzip"), 5)[0]
    files = sorted((bmlt_store.folder_for(version) / "answers").glob("*.json*"))
    refused = get("/bmlt/client_interface/json/?switcher=GetSearchResults&weekdays[]=2&weekdays[]=3")
    refused_ms = timed(
        lambda: get(f"/bmlt/client_interface/json/?switcher=GetSearchResults&weekdays=2,3&junk={time.time()}"), 10
    )[0]
    worst = max(v["ratio_to_api_median"] for v in bmlt.values())
    result = {
        "benchmark": "bmlt",
        "command": "python bench/bmlt.py " + " ".join(__import__("sys").argv[1:]),
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "meetings": args.meetings,
        "bmlt_public_meetings": size,
        "runs": args.runs,
        "publish_bmlt_material_s": round(build_s, 2),
        "old_every_request_read_s": round(old_s, 2) if old_s is not None else None,
        "api_median_ms": {**api, "median_of_mix": round(api_median, 2)},
        "bmlt_paged_cold": bmlt,
        "whole_list_crouton": {
            "first_request_writes_file_s": round(whole_first_s, 2),
            "later_requests_median_ms": round(whole_again_ms, 2),
            "status": first.status_code,
            "files_mb": {f.name[-7:]: round(f.stat().st_size / 1e6, 1) for f in files},
        },
        "unpaged_over_limit": {
            "status": refused.status_code,
            "median_ms": round(refused_ms, 2),
            "limit": settings.BMLT_UNPAGED_LIMIT,
        },
        "acceptance": {
            "target": "every paged BMLT answer within 3x the API's median",
            "worst_ratio": worst,
            "met": worst <= 3,
        },
    }
    write_result(args.output, result)


if __name__ == "__main__":
    main()
