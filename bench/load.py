"""A mixed load on the real server while a large import and a sync run.

    python bench/load.py --meetings 50000 --import-rows 200000 --clients 8 --seconds 60

On a fresh SQLite file with ``--meetings`` demo meetings, `commonground serve` runs with two
workers. ``--clients`` threads then send, for ``--seconds``, a mix of what people and other apps
ask for: API searches, results pages, meeting pages, and the Meeting Guide feed (plain, gzipped
and conditional). The run has three phases, measured together:

1. ``quiet``: the load alone, the baseline;
2. ``import``: the same load while `commonground import` adds ``--import-rows`` meetings from a
   new source (then the feed and the search index for the new version are published);
3. ``sync``: the same load while `commonground sync` re-syncs that source with 5% of it changed.

Two attack scenarios (``--scenario``) measure instead what an attacker takes from the search API:
``--clients`` search-API clients run alone for half of ``--seconds`` (``baseline``), then beside
``--attackers`` (``attack``): ``bmlt-attack`` hammers the BMLT API with page_size=1 and a junk
parameter new on every request; ``sign-in-flood`` POSTs random usernames to ``/me/signin`` and
``/peer/signin`` with the CSRF cookie and token a browser would send. Reported: the search API's
requests per second and p50/p99 in each phase, their ratio (``search_api_throughput_kept``), and
the statuses the attack got.

    python bench/load.py --data var/bench/search-200000-7.sqlite3 --import-rows 0 --scenario bmlt-attack

Reported per phase and kind: count, errors, p50/p95/p99/max (ms); the worst search p99 in any
5-second window; and the ratio of each phase's search p99 to the quiet phase's. Every request
goes to 127.0.0.1. Targets (hardening issue): 0 errors; search p99 under 1 s throughout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from _setup import ROOT, companion_key, django_on, migrate, process_tree, pss_mb, write_result

EXE = str(Path(sys.executable).parent / "commonground")
PLACES = [
    "Denver, CO",
    "Tulsa, OK",
    "Manhattan, NY",
    "Chicago, IL",
    "Portland, OR",
    "Austin, TX",
    "Seattle, WA",
    "Boston, MA",
    "Phoenix, AZ",
    "Atlanta, GA",
    "Miami, FL",
    "San Jose, CA",
    "London, UK",
    "Toronto, ON",
]
SEARCH_KINDS = ("api_search", "page_results")


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client(threading.Thread):
    def __init__(self, n, port, meeting_ids, stop, records, lock):
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.port, self.ids, self.stop, self.records, self.lock = port, meeting_ids, stop, records, lock
        self.etags: dict[str, str] = {}  # each feed address fetched, with the ETag it came with
        self.buffer = bytearray(1 << 20)

    def read_body(self, response) -> bytes:
        """Read the whole body, as a client must, into one reused buffer, and return its start.

        ``response.read()`` would allocate a fresh bytes object as large as the body: a 37 MB
        gzipped feed at 1M meetings cost the load generator 27 ms of CPU per fetch, mostly the
        kernel zeroing new pages, on the same two cores as the server it measures."""
        view = memoryview(self.buffer)
        head, total = b"", 0
        while n := response.readinto(view):
            if total < 200:
                head += bytes(view[: min(n, 200 - total)])
            total += n
        return head

    def request(self, kind, path, headers=None):
        started = time.perf_counter()
        status, body = 0, b""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            body = self.read_body(response)
            status = response.status
            if kind.startswith("feed") and response.getheader("ETag"):
                self.etags[path] = response.getheader("ETag")
            conn.close()
        except OSError as exc:
            body = repr(exc).encode()
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.records.append(
                (time.time(), kind, status, elapsed, body[:200] if status >= 400 or not status else b"")
            )
        return status, body

    def run(self):
        while not self.stop.is_set():
            roll = self.rng.random()
            place = self.rng.choice(PLACES)
            if roll < 0.35:
                params = {"near": place, "starting_within": self.rng.choice(["60", "180", "720"])}
                if self.rng.random() < 0.3:
                    params = {"mode": "online", "starting_within": "60"}
                self.request("api_search", "/api/v1/meetings?" + urlencode(params))
            elif roll < 0.65:
                params = {"near": place, "day": str(self.rng.randrange(7)), "time_from": "18:00", "time_to": "21:00"}
                self.request("page_results", "/meetings?" + urlencode(params))
            elif roll < 0.9:
                self.request("page_meeting", self.rng.choice(self.ids))
            elif roll < 0.95 or not self.etags:
                self.request(
                    "feed_gzip",
                    "/feeds/meeting-guide.json?program=" + self.rng.choice(["aa", "na", "smart"]),
                    {"Accept-Encoding": "gzip"},
                )
            else:
                # A client revalidates an address it has fetched, with that address's own ETag (an
                # earlier version sent the last ETag seen for any program, so most of these
                # "conditional" requests were really full downloads of the largest feed).
                path = self.rng.choice(sorted(self.etags))
                self.request("feed_304", path, {"Accept-Encoding": "gzip", "If-None-Match": self.etags[path]})


class SearchClient(Client):
    """A person's app asking the search API, and nothing else: the throughput an attack must not take."""

    def run(self):
        while not self.stop.is_set():
            params = {"near": self.rng.choice(PLACES), "starting_within": self.rng.choice(["60", "180", "720"])}
            self.request("api_search", "/api/v1/meetings?" + urlencode(params))


class BmltAttacker(Client):
    """Hammers the BMLT API with page_size=1 and a junk parameter that differs every time, which
    made every request a new answer that read every meeting (issue 25, item 2)."""

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            junk = f"{self.rng.choice(['x', 'junk', 'utm_source', '_'])}{self.rng.randrange(10**9)}={n}"
            query = self.rng.choice(
                [
                    "switcher=GetSearchResults&page_size=1",
                    "switcher=GetSearchResults&page_size=1&weekdays[]=" + str(self.rng.randrange(1, 8)),
                    "switcher=GetSearchResults&page_size=1&sort_keys=meeting_name",
                    "switcher=GetSearchResults&weekdays[]=2",
                ]
            )  # unpaged and large: refused
            self.request("bmlt_attack", f"/bmlt/client_interface/json/?{query}&{junk}")


class SignInFlooder(Client):
    """POSTs random usernames to the companion's and the workspace's sign-in, as a browser would:
    the form's page first for the CSRF cookie and token, then the POSTs (issue 25, item 5)."""

    URLS = ("/me/signin", "/peer/signin")

    def form(self, path: str) -> tuple[str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        html = response.read().decode("utf-8", "replace")
        conn.close()
        cookie = ""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                cookie = value.split(";", 1)[0]
        marker = 'name="csrfmiddlewaretoken" value="'
        token = html.split(marker, 1)[1].split('"', 1)[0] if marker in html else ""
        return cookie, token

    def run(self):
        tokens: dict[str, tuple[str, str]] = {}
        n = 0
        while not self.stop.is_set():
            path = self.URLS[n % 2]
            n += 1
            try:
                if path not in tokens or n % 25 == 0:
                    tokens[path] = self.form(path)
            except (OSError, IndexError):
                time.sleep(0.05)
                continue
            cookie, token = tokens[path]
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "username": f"u{self.rng.randrange(10**12)}",
                    "passphrase": secrets.token_urlsafe(12),
                }
            )
            self.post("signin_" + path.split("/")[1], path, body, cookie)

    def post(self, kind, path, body, cookie):
        started = time.perf_counter()
        status, head = 0, b""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request(
                "POST",
                path,
                body=body,
                headers={
                    "Host": "127.0.0.1",
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{self.port}{path}",
                },
            )
            response = conn.getresponse()
            head = self.read_body(response)
            status = response.status
            conn.close()
        except OSError as exc:
            head = repr(exc).encode()
        with self.lock:
            self.records.append((time.time(), kind, status, (time.perf_counter() - started) * 1000, head[:200]))


ATTACKERS = {"bmlt-attack": BmltAttacker, "sign-in-flood": SignInFlooder}


def attack_summary(records, phases, attack: str) -> dict:
    """The search API's throughput and times without and with the attack, and what the attack got."""
    out = {}
    for phase, (start, end) in phases.items():
        rows = [r for r in records if start <= r[0] < end]
        searches = [r for r in rows if r[1] == "api_search"]
        ok = [r[3] for r in searches if r[2] == 200]
        attack_rows = [r for r in rows if r[1] != "api_search"]
        statuses: dict[str, int] = {}
        for r in attack_rows:
            statuses[f"{r[1]} {r[2]}"] = statuses.get(f"{r[1]} {r[2]}", 0) + 1
        out[phase] = {
            "seconds": round(end - start, 1),
            "search_api_per_s": round(len(ok) / max(end - start, 1e-9), 1),
            "search_api_errors": len(searches) - len(ok),
            "search_p50_ms": percentile(ok, 50),
            "search_p99_ms": percentile(ok, 99),
            "attack_requests_per_s": round(len(attack_rows) / max(end - start, 1e-9), 1),
            "attack_statuses": dict(sorted(statuses.items())),
            "attack_p50_ms": percentile([r[3] for r in attack_rows], 50),
        }
    base, hit = out["baseline"]["search_api_per_s"], out["attack"]["search_api_per_s"]
    out["search_api_throughput_kept"] = round(hit / base, 2) if base else None
    out["scenario"] = attack
    return out


ACCESS_FORMAT = "%(t)s %(U)s %(s)s %(D)s"  # [time] path status microseconds


def kind_of(path: str, status: str) -> str:
    if path.startswith("/api/v1/meetings"):
        return "api_search"
    if path == "/meetings":
        return "page_results"
    if path.startswith("/meetings/"):
        return "page_meeting"
    if path.startswith("/feeds/"):
        return "feed_304" if status == "304" else "feed_gzip"
    return "other"


def server_times(access_log: Path, window: tuple[float, float]) -> dict:
    """Per kind, the p50 and p99 of the time each request spent inside the server, in ms."""
    from datetime import datetime

    times: dict[str, list[float]] = {}
    for line in access_log.read_text().splitlines() if access_log.exists() else []:
        try:
            stamp, path, status, micros = line.rsplit(" ", 3)
            at = datetime.strptime(stamp.strip("[]"), "%d/%b/%Y:%H:%M:%S %z").timestamp()
        except ValueError:
            continue
        if window[0] - 1 <= at <= window[1]:
            times.setdefault(kind_of(path, status), []).append(int(micros) / 1000)
    return {
        kind: {"count": len(v), "p50_ms": percentile(v, 50), "p99_ms": percentile(v, 99)}
        for kind, v in sorted(times.items())
    }


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants still alive (gunicorn's workers)."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0.0
    for current in process_tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


def _count(env: dict) -> int:
    """Meetings already in the database (a PostgreSQL database kept between runs)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from commonground.meetings.models import Meeting; print(Meeting.objects.count())",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "commonground.settings"},
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip() or -1) if done.returncode == 0 else -1


def summarise(records, phases) -> dict:
    out = {}
    for phase, (start, end) in phases.items():
        rows = [r for r in records if start <= r[0] < end]
        kinds = {}
        for kind in sorted({r[1] for r in rows}):
            times = [r[3] for r in rows if r[1] == kind]
            errors = [r for r in rows if r[1] == kind and not (200 <= r[2] < 400)]
            kinds[kind] = {
                "count": len(times),
                "errors": len(errors),
                "p50_ms": percentile(times, 50),
                "p95_ms": percentile(times, 95),
                "p99_ms": percentile(times, 99),
                "max_ms": round(max(times), 1) if times else None,
                "error_samples": [f"{e[2]} {e[4][:120]!r}" for e in errors[:3]],
            }
        searches = [r[3] for r in rows if r[1] in SEARCH_KINDS]
        windows = []
        t = start
        while t < end:
            window = [r[3] for r in rows if r[1] in SEARCH_KINDS and t <= r[0] < t + 5]
            if window:
                windows.append(percentile(window, 99))
            t += 5
        out[phase] = {
            "seconds": round(end - start, 1),
            "requests": len(rows),
            "errors": sum(1 for r in rows if not (200 <= r[2] < 400)),
            "search_p99_ms": percentile(searches, 99),
            "worst_5s_search_p99_ms": max(windows or [0]),
            "kinds": kinds,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=50_000)
    parser.add_argument("--import-rows", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--quiet-seconds", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="", help="postgres://... (default: a fresh SQLite file)")
    parser.add_argument(
        "--data",
        help="Reuse this SQLite file of demo meetings (made by bench/web.py --browser, "
        "say) instead of loading --meetings afresh.",
    )
    parser.add_argument("--output", default="bench/results/load.json")
    parser.add_argument(
        "--scenario",
        choices=["mixed", *ATTACKERS],
        default="mixed",
        help="mixed: the phases above. bmlt-attack, sign-in-flood: --clients search-API clients "
        "alone for half of --seconds, then with --attackers attacking beside them; no import",
    )
    parser.add_argument("--attackers", type=int, default=2)
    args = parser.parse_args()
    if args.scenario != "mixed":
        args.import_rows = 0

    tmp = Path(tempfile.mkdtemp(prefix="cg-load-"))
    reuse = Path(args.data).resolve() if args.data else None
    database = args.database or f"sqlite:///{reuse or tmp / 'load.sqlite3'}"
    var_dir = reuse.with_suffix(".var") if reuse else tmp / "var"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "COMMONGROUND_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "MAP_TILE_URL": "",
        "COMPANION_KEYS": companion_key(),
        "AUDIT_KEYS": companion_key(),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    keep = reuse or (args.database and not args.import_rows and _count(env) == args.meetings)
    if reuse and args.import_rows:
        raise SystemExit("--data is for a load without an import (--import-rows 0): it would change the file.")
    if keep:
        print(f"Reusing the {args.meetings:,} meetings already in {database}", file=sys.stderr)
    else:
        print(f"Loading {args.meetings:,} demo meetings into {database} ...", file=sys.stderr)
        subprocess.run([EXE, "demo", "--meetings", str(args.meetings)], env=env, check=True, stdout=subprocess.DEVNULL)

    os.environ.update({k: env[k] for k in ("COMMONGROUND_VAR_DIR", "SECRET_KEY")})
    django_on(database)
    migrate()
    sys.path.insert(0, str(ROOT / "bench"))
    from importlib import import_module

    from commonground.meetings.models import Meeting

    args.meetings = Meeting.objects.count()
    make_feed = import_module("import").make_feed
    picked = random.Random(3).sample(
        range(1, Meeting.objects.order_by("-id").values_list("id", flat=True).first() + 1), 4000
    )
    ids = [m.get_absolute_url() for m in Meeting.objects.select_related("source").filter(id__in=picked)[:2000]]
    rows = make_feed(args.import_rows, seed=99)
    feed = tmp / "import.json"
    feed.write_text(json.dumps(rows))
    rng = random.Random(5)
    for row in rng.sample(rows, len(rows) // 20):
        row["name"] = row["name"] + " (changed)"
    changed = tmp / "changed.json"
    changed.write_text(json.dumps(rows))
    del rows
    from django.db import connections

    connections.close_all()

    port = free_port()
    access_log = tmp / "access.log"
    env = {**env, "ACCESS_LOG": str(access_log), "ACCESS_LOG_FORMAT": ACCESS_FORMAT}
    server_log = open(tmp / "server.log", "w")
    server = subprocess.Popen(
        [EXE, "serve", "--no-demo", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            if server.poll() is not None:
                raise SystemExit("the server stopped:\n" + (tmp / "server.log").read_text()[-3000:])
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/")
                break
            except OSError:
                time.sleep(0.5)
        # Warm both workers (each reads the index and the gazetteer once, and caches each narrowed
        # feed per data version), as a server that has run a while would be.
        warm = ["/meetings?near=Denver%2C+CO", "/api/v1/meetings?mode=online"] + [
            f"/feeds/meeting-guide.json?program={p}" for p in ("aa", "na", "smart")
        ]
        if args.scenario == "bmlt-attack":
            warm.append("/bmlt/client_interface/json/?switcher=GetSearchResults&page_size=1")
        for path in warm * 3:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Encoding": "gzip"})
            conn.getresponse().read()
            conn.close()
        if args.scenario != "mixed":
            result = run_attack(args, port, server, records_lock=threading.Lock())
            result["server_ms"] = server_times(access_log, (result.pop("_started"), time.time()))
            write_result(
                args.output,
                {
                    "benchmark": f"load-{args.scenario}",
                    "command": "python bench/load.py " + " ".join(sys.argv[1:]),
                    "database": "postgresql" if database.startswith("postgres") else "sqlite",
                    "meetings": args.meetings,
                    "clients": args.clients,
                    "attackers": args.attackers,
                    "workers": args.workers,
                    **result,
                },
            )
            return
        records, lock = [], threading.Lock()
        cpu = {"client": time.process_time(), "server": _tree_cpu_seconds(server.pid)}
        started = time.time()
        stop_at = started + args.seconds
        stop = threading.Event()  # the load runs for --seconds, and at least until the sync ends
        clients = [Client(n, port, ids, stop, records, lock) for n in range(args.clients)]
        for c in clients:
            c.start()
        if args.import_rows:
            time.sleep(args.quiet_seconds)
            import_started = time.time()
            imported = subprocess.run(
                [EXE, "import", str(feed), "--name", "Load test source"], env=env, capture_output=True, text=True
            )
            import_ended = time.time()
            Path(feed).write_bytes(changed.read_bytes())
            synced = subprocess.run([EXE, "sync"], env=env, capture_output=True, text=True)
            sync_ended = time.time()
        else:  # the load alone, for --seconds
            import_started = import_ended = sync_ended = stop_at
            imported = synced = subprocess.CompletedProcess([], 0, "", "")
        time.sleep(max(0.0, stop_at - time.time()))
        cpu = {"client": time.process_time() - cpu["client"], "server": _tree_cpu_seconds(server.pid) - cpu["server"]}
        tree = process_tree(server.pid)
        workers_pss = [round(pss_mb(pid)) for pid in tree[1:]]  # after the load: caches full
        # The parent's share too: pages the workers share with it are split among all of them,
        # so more sharing also moves memory onto the parent, which the workers' figure leaves out.
        master_pss = round(pss_mb(tree[0]))
        stop.set()
        for c in clients:
            c.join(timeout=60)
        ended = time.time()
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()

    phases = {
        "quiet": (started, import_started),
        "import": (import_started, import_ended),
        "sync": (import_ended, sync_ended),
        "after": (sync_ended, ended),
        "all": (started, ended),
    }
    phases = {k: v for k, v in phases.items() if v[1] > v[0]}
    summary = summarise(records, phases)
    quiet = summary.get("quiet", {}).get("search_p99_ms") or 1
    ratios = {phase: round((s["search_p99_ms"] or 0) / quiet, 2) for phase, s in summary.items()}
    result = {
        "benchmark": "load",
        "command": "python bench/load.py " + " ".join(sys.argv[1:]),
        "database": "postgresql" if database.startswith("postgres") else "sqlite",
        "meetings": args.meetings,
        "import_rows": args.import_rows,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "import": {
            "seconds": round(import_ended - import_started, 1),
            "exit": imported.returncode,
            "report": imported.stdout.strip()[-300:],
        },
        "sync": {
            "seconds": round(sync_ended - import_ended, 1),
            "exit": synced.returncode,
            "report": synced.stdout.strip()[-300:],
        },
        "phases": summary,
        # Where the time goes: each kind's time inside the server (gunicorn's %(D)s, from reading
        # the request to the last byte sent), against what clients saw; the rest is waiting for a
        # free worker. And the CPU the load generator and the server each used (same cores).
        "server_ms": server_times(access_log, phases["quiet"] if "quiet" in phases else phases["all"]),
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.items()},
        "workers_pss_mb": {"each": workers_pss, "total": sum(workers_pss)},
        "server_pss_mb": {"parent": master_pss, "workers": sum(workers_pss), "total": master_pss + sum(workers_pss)},
        "cpu_share_of_machine": {k: round(v / ((os.cpu_count() or 1) * args.seconds), 2) for k, v in cpu.items()},
        "search_p99_ratio_to_quiet": ratios,
        "targets": {"errors": 0, "search_p99_ms": 1000},
        "met": {
            "zero_errors": summary["all"]["errors"] == 0,
            "search_p99_under_1s_throughout": max(s["worst_5s_search_p99_ms"] for s in summary.values()) < 1000,
        },
    }
    write_result(args.output, result)


def run_attack(args, port, server, records_lock) -> dict:
    """Search-API clients alone, then with attackers beside them, in one run on one server."""
    records, stop = [], threading.Event()
    half = args.seconds / 2
    started = time.time()
    cpu = _tree_cpu_seconds(server.pid)
    clients = [SearchClient(n, port, [], stop, records, records_lock) for n in range(args.clients)]
    for c in clients:
        c.start()
    time.sleep(half)
    attack_started = time.time()
    attackers = [
        ATTACKERS[args.scenario](100 + n, port, [], stop, records, records_lock) for n in range(args.attackers)
    ]
    for a in attackers:
        a.start()
    time.sleep(half)
    ended = time.time()
    stop.set()
    for c in clients + attackers:
        c.join(timeout=60)
    phases = {"baseline": (started, attack_started), "attack": (attack_started, ended)}
    samples = [f"{r[1]} {r[2]} {r[4][:100]!r}" for r in records if r[2] >= 500 or not r[2]][:5]
    return {
        "_started": started,
        "seconds": args.seconds,
        **attack_summary(records, phases, args.scenario),
        "server_cpu_seconds": round(_tree_cpu_seconds(server.pid) - cpu, 1),
        "failure_samples": samples,
    }


if __name__ == "__main__":
    main()
