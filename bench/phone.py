"""Time to answer a ZIP text at N meetings, in-process, with the JSON API's search as the baseline.

    python bench/phone.py --meetings 50000 --output bench/results/phone.json

1. Generates (or reuses) a demo dataset of N meetings in a SQLite file and builds the search index.
2. Sends signed text webhooks (``POST /phone/sms``, Twilio's HMAC-SHA1 signature, a new number for
   each so no rate limit answers) through Django's test client: the whole answer, from the
   signature check and the number's hash to the contact's row and the TwiML.
3. The same ZIPs through ``texts.answer`` alone (no HTTP, no database row), and through
   ``/api/v1/meetings`` with the same search (in person near the ZIP within two days, soonest, 12).
Target: p95 under 50 ms in-process for the webhook.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import statistics
import time

from _setup import ROOT, django_on, migrate, write_result

TOKEN = "bench-token"
PUBLIC = "https://phone.example.org"
ZIPS = ["10001", "60601", "94103", "77002", "80202", "30303", "98101", "02108", "33101", "74103"]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "runs": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def signed(params: dict[str, str]) -> str:
    data = PUBLIC + "/phone/sms" + "".join(f"{k}{params[k]}" for k in sorted(params))
    return base64.b64encode(hmac.new(TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--output", default="bench/results/phone.json")
    args = parser.parse_args()

    data = (ROOT / "var" / "bench" / f"search-{args.meetings}-{args.seed}.sqlite3").resolve()
    data.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        COMMONGROUND_VAR_DIR=str(data.parent / "var"),
        TWILIO_AUTH_TOKEN=TOKEN,
        PHONE_PUBLIC_URL=PUBLIC,
        PHONE_HASH_KEY=base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode(),
        PHONE_RATE_PER_NUMBER="100000/h",
        PHONE_RATE_PER_SOURCE="100000/m",
        ALLOWED_HOSTS="testserver",
    )
    django_on(f"sqlite:///{data}")
    migrate()
    from django.test import Client

    from commonground.feeds.demo import load_demo
    from commonground.meetings.models import Meeting
    from commonground.phone import texts
    from commonground.places.gazetteer import gazetteer
    from commonground.search import engine

    if Meeting.objects.count() != args.meetings:
        print(f"Generating {args.meetings:,} demo meetings ...", flush=True)
        load_demo(args.meetings, args.seed)
    gazetteer()
    engine.current_index()
    client = Client()
    sender = texts.Sender("US", "America/New_York")

    def webhook(i: int) -> float:
        params = {"From": f"+1212555{i % 10_000:04d}", "To": "+15005550006", "Body": ZIPS[i % len(ZIPS)]}
        started = time.perf_counter()
        response = client.post("/phone/sms", params, HTTP_X_TWILIO_SIGNATURE=signed(params))
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and b"<Message>" in response.content, response.content
        return elapsed

    def answer(i: int) -> float:
        started = time.perf_counter()
        reply = texts.answer(ZIPS[i % len(ZIPS)], texts.Contact(), sender)
        elapsed = time.perf_counter() - started
        assert reply
        return elapsed

    def api(i: int) -> float:
        query = {"near": ZIPS[i % len(ZIPS)], "starting_within": "2880", "mode": "in_person", "sort": "soonest"}
        started = time.perf_counter()
        response = client.get("/api/v1/meetings", {**query, "limit": "12"})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        return elapsed

    for run in (webhook, answer, api):  # warm every path once per ZIP
        for i in range(len(ZIPS)):
            run(i)
    results = {
        name: percentiles([run(i) for i in range(args.runs)])
        for name, run in (("webhook", webhook), ("answer_only", answer), ("api_baseline", api))
    }
    for name, figures in results.items():
        print(f"{name:>13}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms", flush=True)
    write_result(
        args.output,
        {"benchmark": "phone", "database": "sqlite", "meetings": args.meetings, "target_p95_ms": 50, **results},
    )


if __name__ == "__main__":
    main()
