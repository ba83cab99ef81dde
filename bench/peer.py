"""The peer workspace at an organisation's full size: the dashboard and a monthly report.

    python bench/peer.py                                  # SQLite (a fresh file)
    python bench/peer.py --database postgres://…/db       # PostgreSQL

One organisation with ``--staff`` staff (200), ``--participants`` participants (20,000),
``--encounters`` encounters (200,000), ``--referrals`` referrals (50,000) and two BARC-10s for a
third of the participants, written in bulk. Then, in this process, with a signed-in supervisor
and a signed-in specialist (about 100 participants each): the dashboard, ``--runs`` times each
(p50/p95), and the monthly report for the last 12 months (p50 of 5). Targets: dashboard p95 ≤ 50 ms;
a monthly report ≤ 1 s.

Baseline, timed in the same run on the same database: the caseload page (a plain list of the
specialist's participants), the cheapest page a specialist opens; the dashboard is reported as a
ratio to it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _setup import django_on, migrate, server_keys, write_result


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def build(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from commonground.peer.models import Assessment, Encounter, Organisation, Participant, Referral, Role, Staff

    rng = random.Random(3)
    today = date.today()
    org = Organisation.objects.create(name="Bench Recovery Community")
    password = make_password("bench staff passphrase")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"staff{n:04d}", password=password) for n in range(args.staff)
    )
    staff = Staff.objects.bulk_create(
        Staff(
            user=u,
            organisation=org,
            role=Role.SUPERVISOR if n < 5 else Role.SPECIALIST,
            is_admin=n == 0,
            display_name=f"Staff {n}",
        )
        for n, u in enumerate(users)
    )
    TOTPDevice.objects.bulk_create(TOTPDevice(user=u, name="bench", confirmed=True) for u in users[:10])
    specialists = [s for s in staff if s.role == Role.SPECIALIST]
    people = []
    for start in range(0, args.participants, 5000):
        people += Participant.objects.bulk_create(
            Participant(
                organisation=org,
                code=f"P-{n:07d}",
                specialist=specialists[n % len(specialists)],
                enrolled_on=today - timedelta(days=rng.randrange(400)),
                last_contact_on=today - timedelta(days=rng.randrange(60)),
                identity={"name": f"Person {n}"},
            )
            for n in range(start, min(args.participants, start + 5000))
        )
    for start in range(0, args.encounters, 20000):
        Encounter.objects.bulk_create(
            Encounter(
                participant=people[rng.randrange(len(people))],
                organisation=org,
                staff=specialists[rng.randrange(len(specialists))],
                on=today - timedelta(days=rng.randrange(365)),
                kind=rng.choice(["one_to_one", "phone", "group"]),
                minutes=rng.choice([15, 30, 45]),
                details={"topics": ["meetings"], "note": "bench"},
            )
            for _ in range(start, min(args.encounters, start + 20000))
        )
    programs = ["aa", "na", "smart", "lifering", "rd", "cr"]
    outcomes = ["", "", "attended", "fit_well", "didnt_fit", "not_yet", "declined"]
    for start in range(0, args.referrals, 20000):
        batch = []
        for _ in range(start, min(args.referrals, start + 20000)):
            made = today - timedelta(days=rng.randrange(365))
            batch.append(
                Referral(
                    participant=people[rng.randrange(len(people))],
                    organisation=org,
                    staff=specialists[0],
                    made_on=made,
                    kind="program",
                    program=rng.choice(programs),
                    follow_up_on=made + timedelta(days=7),
                    outcome=rng.choice(outcomes),
                )
            )
        Referral.objects.bulk_create(batch)
    assessments = []
    for p in people[: len(people) // 3]:
        first = today - timedelta(days=rng.randrange(100, 300))
        assessments.append(Assessment(participant=p, taken_on=first, total=rng.randrange(20, 50), answers=[3] * 10))
        assessments.append(
            Assessment(
                participant=p, taken_on=first + timedelta(days=90), total=rng.randrange(25, 60), answers=[4] * 10
            )
        )
    Assessment.objects.bulk_create(assessments, batch_size=10000)
    latest = {a.participant_id: a.taken_on for a in assessments}  # bulk_create skips save(): set it here
    for p in people[: len(people) // 3]:
        p.last_barc_on = latest[p.pk]
    Participant.objects.bulk_update(people[: len(people) // 3], ["last_barc_on"], batch_size=5000)
    return {"supervisor": staff[1], "specialist": specialists[0]}


def client_for(staff):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=staff.user).first() or TOTPDevice.objects.create(
        user=staff.user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(staff.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed(client, url, runs) -> list[float]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--encounters", type=int, default=200_000)
    parser.add_argument("--referrals", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--database", default="", help="postgres://... (default: a fresh SQLite file)")
    parser.add_argument("--output", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cg-peer-"))
    os.environ.update(COMMONGROUND_VAR_DIR=str(tmp / "var"), ALLOWED_HOSTS="testserver")
    for name, value in server_keys().items():
        os.environ.setdefault(name, value)
    database = args.database or f"sqlite:///{tmp / 'peer.sqlite3'}"
    django_on(database)
    migrate()
    from django.conf import settings
    from django.db import connection

    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    started = time.perf_counter()
    who = build(args)
    build_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    supervisor, specialist = client_for(who["supervisor"]), client_for(who["specialist"])
    result = {
        "database": connection.vendor,
        "staff": args.staff,
        "participants": args.participants,
        "encounters": args.encounters,
        "referrals": args.referrals,
        "build_seconds": round(build_seconds, 1),
        "pages": {},
    }
    for label, client, url, runs in (
        ("baseline: specialist's caseload list", specialist, "/peer/participants", args.runs),
        ("dashboard: specialist", specialist, "/peer/", args.runs),
        ("dashboard: supervisor (whole organisation)", supervisor, "/peer/", args.runs),
        ("monthly report, last 12 months", supervisor, "/peer/reports", 5),
        ("monthly report as CSV", supervisor, "/peer/reports?format=csv", 5),
    ):
        times = timed(client, url, runs)
        result["pages"][label] = {
            "url": url,
            "runs": runs,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
        }
    base = result["pages"]["baseline: specialist's caseload list"]["p50_ms"]
    for row in result["pages"].values():
        row["ratio_to_baseline"] = round(row["p50_ms"] / base, 2)
    pages = result["pages"]
    result["targets"] = {
        "dashboard_p95_under_50ms": max(
            pages["dashboard: specialist"]["p95_ms"], pages["dashboard: supervisor (whole organisation)"]["p95_ms"]
        )
        <= 50,
        "monthly_report_under_1s": pages["monthly report, last 12 months"]["p50_ms"] <= 1000,
    }
    write_result(args.output or f"bench/results/peer-{connection.vendor}.json", result)


if __name__ == "__main__":
    main()
