"""Treatment search speed: the in-memory index against a plain ORM query, at N facilities.

    python bench/treatment.py --facilities 20000 --output bench/results/treatment.json

1. Writes an export of N facilities in FindTreatment.gov's shape (spread over US cities, each with
   a realistic mix of services) and imports it with `import --format findtreatment`, timed.
2. Runs a fixed query mix in-process through ``treatment.search.nearest`` (the index is built
   once per data version, timed apart) and through the baseline: Django's ORM with a bounding
   box in SQL, then the JSON lists filtered and the haversine distance computed in Python, then
   sorted, as a plain implementation would.
3. Drives the same mix through the API (``/api/v1/treatment``) with Django's test client.
Target: p50 under 5 ms in-process at 20,000 facilities (the meeting search's bar).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import tempfile
import time
from pathlib import Path

from _setup import django_on, migrate, write_result

CITIES = [
    ("New York", "NY", 40.7128, -74.0060, 8),
    ("Los Angeles", "CA", 34.0522, -118.2437, 6),
    ("Chicago", "IL", 41.8781, -87.6298, 4),
    ("Houston", "TX", 29.7604, -95.3698, 3),
    ("Phoenix", "AZ", 33.4484, -112.0740, 2),
    ("Philadelphia", "PA", 39.9526, -75.1652, 3),
    ("Denver", "CO", 39.7392, -104.9903, 2),
    ("Tulsa", "OK", 36.1540, -95.9928, 1),
    ("Albany", "NY", 42.6526, -73.7562, 1),
    ("San Juan", "PR", 18.4655, -66.1057, 1),
    ("Anchorage", "AK", 61.2181, -149.9003, 1),
    ("Boise", "ID", 43.6150, -116.2023, 1),
]
SERVICES = [
    (
        "Opioid Medications used in Treatment",
        "OM",
        ["Methadone used in Treatment", "Buprenorphine used in Treatment", "Naltrexone used in Treatment"],
    ),
    (
        "Service Settings (e.g., Outpatient, Residential, Inpatient etc.)",
        "SET",
        ["Outpatient", "Residential", "Hospital inpatient detoxification", "Telemedicine/telehealth"],
    ),
    (
        "Payment/Insurance/Funding Accepted",
        "PAY",
        ["Medicaid", "Medicare", "Private health insurance", "No payment accepted", "Cash or self-payment"],
    ),
    ("Payment Assistance Available", "PYAS", ["Sliding fee scale (fee is based on income and other factors)"]),
    (
        "Special Programs/Groups Offered",
        "SG",
        [
            "Pregnant/postpartum women",
            "Veterans",
            "Adolescents",
            "Criminal justice (other than DUI/DWI)/Forensic clients",
        ],
    ),
    ("Other Languages", "OL", ["Spanish", "Russian", "Vietnamese"]),
]
MIX = [
    ("1 any treatment, 50 km, dense city", {"near": "Manhattan, NY"}),
    ("2 buprenorphine + Medicaid", {"near": "Manhattan, NY", "offers": "buprenorphine", "pays": "medicaid"}),
    ("3 methadone, 100 km, medium city", {"near": "Tulsa, OK", "offers": "methadone", "radius_km": "100"}),
    ("4 pregnant + Spanish", {"near": "Houston, TX", "serves": "pregnant", "language": "es"}),
    ("5 detox, free, 250 km, sparse", {"near": "Boise, ID", "offers": "detox", "pays": "free", "radius_km": "250"}),
]


def make_rows(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    weights = [c[4] for c in CITIES]
    rows = []
    for i in range(n):
        city, state, lat, lng, _ = rng.choices(CITIES, weights)[0]
        services = []
        for f1, f2, values in SERVICES:
            chosen = [v for v in values if rng.random() < 0.35]
            if chosen:
                services.append({"f1": f1, "f2": f2, "f3": "; ".join(chosen)})
        rows.append(
            {
                "_irow": i + 1,
                "name1": f"Facility {i}",
                "name2": "",
                "street1": f"{i} Main Street",
                "street2": "",
                "city": city,
                "state": state,
                "zip": "00000",
                "phone": "555-0100",
                "website": f"https://facility-{i}.example.org",
                "latitude": str(lat + rng.gauss(0, 0.3)),
                "longitude": str(lng + rng.gauss(0, 0.3)),
                "typeFacility": "SA",
                "services": services,
            }
        )
    return rows


def baseline(query) -> list[tuple[float, int]]:
    """The plain way: a bounding box in SQL, the lists and the distance in Python, then a sort."""
    from commonground.treatment.models import Facility

    lat, lng, radius = query.latitude, query.longitude, query.radius_km
    dlat = radius / 111.0
    dlng = radius / (111.0 * max(0.01, math.cos(math.radians(lat))))
    found = []
    rows = Facility.objects.filter(
        latitude__range=(lat - dlat, lat + dlat), longitude__range=(lng - dlng, lng + dlng)
    ).values_list("id", "latitude", "longitude", "offers", "pays", "serves", "languages")
    for pk, flat, flng, offers, pays, serves, languages in rows:
        if not (set(query.offers) <= set(offers) and set(query.pays) <= set(pays)):
            continue
        if not (set(query.serves) <= set(serves) and set(query.languages) <= set(languages)):
            continue
        p1, p2 = math.radians(lat), math.radians(flat)
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(flng - lng) / 2) ** 2
        distance = 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
        if distance <= radius:
            found.append((distance, pk))
    found.sort()
    return found[: query.limit]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, runs: int) -> dict:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(percentile(times, 95), 3), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facilities", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", help="DATABASE_URL (default: a SQLite file in a temporary folder)")
    parser.add_argument("--output")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cg-bench-treatment-"))
    django_on(args.database or f"sqlite:///{workdir / 'bench.sqlite3'}")
    migrate()
    from django.test import Client

    from commonground.feeds.importing import import_location
    from commonground.treatment import query as tq
    from commonground.treatment import search

    export = workdir / "export.json"
    rows = make_rows(args.facilities, args.seed)
    export.write_text(json.dumps({"page": 1, "totalPages": 1, "recordCount": len(rows), "rows": rows}))
    start = time.perf_counter()
    report = import_location(str(export), format="findtreatment", name="bench")
    import_s = time.perf_counter() - start
    assert not report.failed, report.errors
    search.reset()
    start = time.perf_counter()
    search.index()
    build_ms = (time.perf_counter() - start) * 1000
    client = Client()
    queries, engine_all, baseline_all = [], [], []
    for label, params in MIX:
        query = tq.parse(params)

        def run(q=query):
            return search.nearest(
                q.latitude,
                q.longitude,
                offers=q.offers,
                pays=q.pays,
                serves=q.serves,
                languages=q.languages,
                radius_km=q.radius_km,
                limit=q.limit,
            )

        ours = [r["id"] for r in run()]
        theirs = [pk for _, pk in baseline(query)]
        assert ours == theirs, f"{label}: the index and the baseline disagree"
        engine = timed(run, args.runs)
        plain = timed(lambda q=query: baseline(q), max(10, args.runs // 10))
        api = timed(lambda p=params: client.get("/api/v1/treatment", p), max(20, args.runs // 4))
        engine_all.append(engine["p50_ms"])
        baseline_all.append(plain["p50_ms"])
        queries.append(
            {
                "query": label,
                "results": len(ours),
                "engine": engine,
                "baseline_orm": plain,
                "api_in_process": api,
                "speedup_p50": round(plain["p50_ms"] / max(engine["p50_ms"], 1e-6), 1),
            }
        )
    p50 = statistics.median(engine_all)
    write_result(
        args.output,
        {
            "benchmark": "treatment",
            "facilities": args.facilities,
            "import_seconds": round(import_s, 2),
            "index_build_ms": round(build_ms, 1),
            "queries": queries,
            "engine_p50_ms_median_over_mix": round(p50, 3),
            "baseline_p50_ms_median_over_mix": round(statistics.median(baseline_all), 3),
            "target": {"p50_ms_under": 5.0, "met": p50 < 5.0},
        },
    )


if __name__ == "__main__":
    main()
