"""The feeds other finders read, on a cold server: first byte, size, and each worker's first answer.

    python bench/feed.py --meetings 50000

On a fresh SQLite file with ``--meetings`` demo meetings (published as `demo` leaves them),
`commonground serve` starts with two workers. The moment it answers, two requests for the whole
Meeting Guide feed go out *at once* (gunicorn's sync workers take one each, so both workers
answer their first feed request), then more in turn. Measured, all on 127.0.0.1:

- ``first_byte_ms`` of each of those first two answers (the slower is the second worker's), and
  the time from starting `serve` (which migrates and checks the published files first) to both;
- plain and gzipped sizes of the whole feed, and the ratio;
- a narrowed feed (``?program=na&near=…``): its first answer (written on demand) and the next;
- the BMLT answer crouton asks for (all NA meetings, JSONP): first and cached;
- the baseline, in the same run: rendering the whole feed in a process, which is what every
  worker did on its first feed request before feeds were published per data version.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _setup import server_keys, write_result

EXE = str(Path(sys.executable).parent / "commonground")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    first = response.read(1)
    first_byte = time.perf_counter() - started
    body = first + response.read()
    total = time.perf_counter() - started
    conn.close()
    return {
        "status": response.status,
        "first_byte_ms": round(first_byte * 1000, 1),
        "total_ms": round(total * 1000, 1),
        "bytes": len(body),
        "encoding": response.getheader("Content-Encoding"),
        "body": body,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=50_000)
    parser.add_argument("--output", default="bench/results/feed.json")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cg-feed-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'feed.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(tmp / "var"),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "MAP_TILE_URL": "",
        **server_keys(),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"Loading {args.meetings:,} demo meetings ...", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run([EXE, "demo", "--meetings", str(args.meetings)], env=env, check=True, stdout=subprocess.DEVNULL)
    demo_seconds = time.perf_counter() - started

    # Baseline: render the whole feed in one process, as each worker once did on its first request.
    started = time.perf_counter()
    subprocess.run(
        [EXE, "export", "--output", str(tmp / "baseline.json")],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    baseline_seconds = time.perf_counter() - started

    port = free_port()
    log = open(tmp / "server.log", "w")
    process_started = time.perf_counter()
    server = subprocess.Popen(
        [EXE, "serve", "--no-demo", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        started = process_started
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.perf_counter() - started > 300:
                    raise SystemExit("the server did not start: " + (tmp / "server.log").read_text()[-2000:]) from None
                time.sleep(0.05)
        listening = time.perf_counter() - started
        gz = {"Accept-Encoding": "gzip"}
        first_two: list[dict] = []
        threads = [
            threading.Thread(target=lambda: first_two.append(get(port, "/feeds/meeting-guide.json", gz)))
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        start_to_first_byte = time.perf_counter() - process_started
        warm = [get(port, "/feeds/meeting-guide.json", gz) for _ in range(5)]
        plain = get(port, "/feeds/meeting-guide.json")
        narrowed_path = "/feeds/meeting-guide.json?program=na&near=New+York%2C+NY&radius_km=200"
        narrowed = [get(port, narrowed_path, gz) for _ in range(3)]
        bmlt_path = (
            "/bmlt/na/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&lang_enum=en"
            "&services[]=1&sort_keys=start_time&callback=cb"
        )
        bmlt = [get(port, bmlt_path, gz) for _ in range(3)]
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()

    unzipped = gzip.decompress(first_two[0]["body"])
    assert all(r["status"] == 200 for r in [*first_two, *warm, plain, *narrowed, *bmlt])
    assert len(unzipped) == plain["bytes"] and first_two[0]["encoding"] == "gzip"
    strip = lambda r: {k: v for k, v in r.items() if k != "body"}  # noqa: E731
    slower = max(r["first_byte_ms"] for r in first_two)
    result = {
        "meetings": args.meetings,
        "demo_seconds": round(demo_seconds, 1),
        "serve_start_to_listening_s": round(listening, 2),
        "serve_start_to_both_first_feed_answers_s": round(start_to_first_byte, 2),
        "feed_bytes_plain": plain["bytes"],
        "feed_bytes_gzip": first_two[0]["bytes"],
        "gzip_ratio": round(plain["bytes"] / first_two[0]["bytes"], 2),
        "first_two_concurrent": [strip(r) for r in first_two],
        "second_worker_first_byte_ms": slower,
        "warm_first_byte_ms_median": sorted(r["first_byte_ms"] for r in warm)[2],
        "narrowed": [strip(r) for r in narrowed],
        "bmlt_crouton_query": [strip(r) for r in bmlt],
        "baseline_render_in_process_s": round(baseline_seconds, 2),
        "ratio_baseline_to_second_worker_first_byte": round(baseline_seconds * 1000 / max(slower, 0.1), 1),
    }
    write_result(args.output, result)


if __name__ == "__main__":
    main()
