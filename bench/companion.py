"""Server time of the companion's pages, above all "I'm struggling" (target: under 100 ms).

    python bench/companion.py --meetings 50000

On a fresh SQLite file with ``--meetings`` demo meetings, one person signs up and fills their
space as someone a few months in would: a plan with five people, two clocks, ten saved meetings,
90 days of check-ins and 20 groups-tried notes. Each page is then rendered ``--runs`` times in
this process (warm: the search index is loaded first), and p50/p95 are reported. The baseline,
timed in the same run, is the finder's own results page for the same search "I'm struggling"
runs (online meetings starting within the hour): the ratio says what the companion adds to it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _setup import django_on, migrate, server_keys, write_result


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--output", default="bench/results/companion.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cg-companion-"))
    os.environ.update(COMMONGROUND_VAR_DIR=str(tmp / "var"), ALLOWED_HOSTS="testserver", **server_keys())
    django_on(f"sqlite:///{tmp / 'bench.sqlite3'}")
    migrate()
    from django.conf import settings
    from django.test import Client

    from commonground.feeds.demo import load_demo
    from commonground.journal.models import CheckIn, Clock, Favourite, Tried
    from commonground.meetings.models import Meeting
    from commonground.search import engine

    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    load_demo(args.meetings, seed=7)
    engine.current_index()

    client = Client()
    client.post(
        "/me/signup",
        {
            "username": "bench-person",
            "passphrase": "lantern harbour pebble",
            "passphrase2": "lantern harbour pebble",
            "timezone": "America/Chicago",
        },
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench-person")
    client.post(
        "/me/plan",
        {
            "reasons": "My kids. My health. " * 20,
            "triggers": "Payday evenings. " * 20,
            "what_helps": "Walk, call, eat, sleep. " * 20,
            **{f"person_{n}_name": f"Friend{n}" for n in range(1, 6)},
            **{f"person_{n}_phone": f"555 010 20{n}0" for n in range(1, 6)},
        },
    )
    for name in ("alcohol", "cannabis"):
        Clock.objects.create(
            user=user,
            data={
                "name": name,
                "start_date": "2026-08-01",
                "start_time": "21:00",
                "timezone": "America/Chicago",
                "convention": "na-keytags",
                "slips": [],
                "stretches": [],
            },
        )
    for m in Meeting.objects.filter(weekday__isnull=False).select_related("source").order_by("?")[:10]:
        Favourite.objects.create(user=user, data={"meeting": f"{m.source.slug}/{m.key}", "name": m.name})
    today = date.today()
    CheckIn.objects.bulk_create(
        CheckIn(
            user=user,
            data={
                "date": (today - timedelta(days=n)).isoformat(),
                "mood": 3,
                "craving": n % 10,
                "meeting": n % 3 == 0,
                "note": "ok",
            },
        )
        for n in range(90)
    )
    Tried.objects.bulk_create(
        Tried(
            user=user,
            data={
                "program": "aa",
                "name": f"Group {n}",
                "rating": 1 + n % 5,
                "would_return": "unsure",
                "note": "",
                "date": today.isoformat(),
            },
        )
        for n in range(20)
    )

    pages = {
        "baseline: finder results, online within the hour": "/meetings?mode=online&starting_within=60",
        "I'm struggling (/me/help)": "/me/help",
        "overview (/me/)": "/me/",
        "trends (/me/trends)": "/me/trends",
        "craving chart (SVG)": "/me/charts/cravings.svg",
        "calendar feed (10 meetings)": None,
    }
    client.post("/me/calendar/new-link")
    from commonground.journal.models import Account

    pages["calendar feed (10 meetings)"] = f"/me/calendar/{Account.objects.get(user=user).data['calendar_token']}.ics"
    result = {"meetings": args.meetings, "runs": args.runs, "pages": {}}
    for label, url in pages.items():
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        result["pages"][label] = {
            "url": url.split("/me/calendar/")[0] + ("/me/calendar/<token>.ics" if "calendar/" in url else ""),
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 95), 2),
        }
    base = result["pages"]["baseline: finder results, online within the hour"]["p50_ms"]
    for row in result["pages"].values():
        row["ratio_to_baseline"] = round(row["p50_ms"] / base, 2)
    help_page = result["pages"]["I'm struggling (/me/help)"]
    result["struggling_under_100ms_p95"] = help_page["p95_ms"] < 100
    write_result(args.output, result)


if __name__ == "__main__":
    main()
