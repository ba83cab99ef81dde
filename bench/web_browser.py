"""The first result on a phone, in Chromium, against TSML UI in the same run (`bench/web.py --browser`).

For each size N it makes (or reuses) a SQLite file of N demo meetings, starts the production
server (`commonground serve`, 2 workers) on loopback, and times cold loads (a fresh browser
context each: no cache) at 360×740:

- ours: `/meetings?near=…&starting_within=180`, until the first `li.meeting` is painted;
- TSML UI 1.8 (the baseline, from ../shared/clients/tsml-ui/), served from a second loopback
  origin and reading our full Meeting Guide feed, until its first `td.tsml-name` is painted.

"Painted" is the first animation frame after the element exists (a MutationObserver installed
before the page's own scripts), measured from navigation start. Bytes are what crossed the
network (CDP's encodedDataLength) up to the load event. Each case also runs with the CPU slowed
4× (CDP Emulation.setCPUThrottlingRate).
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _setup import ROOT, server_keys

sys.path.insert(0, str(ROOT))
from tests.client_origin import client_origin  # noqa: E402

CLIENTS = [ROOT.parent / "shared" / "clients" / "tsml-ui", Path("/work/shared/clients/tsml-ui")]
OURS_PATH = "/meetings?near=Chicago,%20IL&radius_km=25&starting_within=180"
WATCH = """
(() => {
  const selector = %r;
  window.__first = null;
  const seen = () => {
    const el = document.querySelector(selector);
    if (!el) return false;
    requestAnimationFrame(() => setTimeout(() => {
      if (window.__first === null) {
        const box = el.getBoundingClientRect();
        window.__first = {ms: performance.now(), top: box.top, bottom: box.bottom};
      }
    }, 0));
    return true;
  };
  new MutationObserver((_, observer) => { if (seen()) observer.disconnect(); })
    .observe(document, {childList: true, subtree: true});
})();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dataset(meetings: int, seed: int) -> Path:
    path = ROOT / "var" / "bench" / f"web-{meetings}-{seed}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _env(db: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "COMMONGROUND_VAR_DIR": str(db.with_suffix(".var")),
        "MAP_TILE_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": secrets.token_urlsafe(40),
        **server_keys(),
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
    }


def _exe() -> str:
    return str(Path(sys.executable).parent / "commonground")


def start_server(meetings: int, seed: int):
    db = _dataset(meetings, seed)
    env = _env(db)
    if not db.exists():
        started = time.perf_counter()
        subprocess.run([_exe(), "migrate", "-v", "0"], env=env, check=True)
        subprocess.run(
            [_exe(), "demo", "--meetings", str(meetings), "--seed", str(seed)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  made {meetings:,} demo meetings in {time.perf_counter() - started:.0f} s", flush=True)
    port = _free_port()
    log = open(db.with_suffix(".log"), "w")
    proc = subprocess.Popen(
        [_exe(), "serve", "--no-demo", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            urllib.request.urlopen(url + "/", timeout=30).read()
            break
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(db.with_suffix(".log").read_text()) from None
            time.sleep(0.5)
    # Both workers answer once (each warms on its own first request, as in production).
    for _ in range(4):
        urllib.request.urlopen(url + OURS_PATH, timeout=60).read()
    return proc, url


def tsml_page(feed_url: str) -> tuple[Path, str] | None:
    """TSML UI's folder and a page embedding it with our feed, or None when it is missing."""
    client = next((p for p in CLIENTS if (p / "app.js").exists()), None)
    if client is None:
        return None
    return client, (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>TSML UI</title></head>'
        f'<body style="margin:0"><div id="tsml-ui" data-src="{feed_url}" '
        f'data-timezone="America/Chicago"></div><script src="app.js" async></script></body></html>'
    )


def cold_load(browser, url: str, selector: str, cpu: int, timeout_s: float) -> dict:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=1, locale="en-US"
    )
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if cpu > 1:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
        received = []
        cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
        page.add_init_script(WATCH % selector)
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        # Polled from here: an in-page wait would evaluate a string, which our CSP rightly forbids.
        deadline = time.monotonic() + timeout_s
        while (first := page.evaluate("window.__first")) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {selector} within {timeout_s} s at {url}")
            time.sleep(0.02)
        page.wait_for_load_state("load", timeout=timeout_s * 1000)
        return {
            "first_ms": round(first["ms"], 1),
            "top_px": round(first["top"]),
            "bottom_px": round(first["bottom"]),
            "bytes": sum(received),
        }
    finally:
        context.close()


def measure(browser, url: str, selector: str, loads: int, cpu: int, timeout_s: float) -> dict:
    runs = [cold_load(browser, url, selector, cpu, timeout_s) for _ in range(loads)]
    return {
        "median_first_ms": round(statistics.median(r["first_ms"] for r in runs), 1),
        "first_ms": [r["first_ms"] for r in runs],
        "bytes": int(statistics.median(r["bytes"] for r in runs)),
        "first_bottom_px": runs[0]["bottom_px"],
        "cpu_slowdown": cpu,
    }


def run(sizes: list[int], tsml_sizes: list[int], seed: int, loads: int) -> dict:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        for meetings in sizes:
            proc, base = start_server(meetings, seed)
            try:
                row = {"meetings": meetings}
                for cpu in (1, 4):
                    row[f"ours_cpu{cpu}"] = measure(browser, base + OURS_PATH, "li.meeting", loads, cpu, 60)
                    print(
                        f"  {meetings:>9,} ours  cpu×{cpu}: {row[f'ours_cpu{cpu}']['median_first_ms']:8.0f} ms  "
                        f"{row[f'ours_cpu{cpu}']['bytes']:>10,} B",
                        flush=True,
                    )
                if meetings in tsml_sizes:
                    found = tsml_page(base + "/feeds/meeting-guide.json")
                    if found is None:
                        row["tsml_ui"] = "missing: ../shared/clients/tsml-ui/app.js"
                    else:
                        with client_origin(*found) as tsml_url:
                            for cpu in (1, 4) if meetings == min(tsml_sizes) else (1,):
                                row[f"tsml_ui_cpu{cpu}"] = measure(browser, tsml_url, "td.tsml-name", loads, cpu, 240)
                                print(
                                    f"  {meetings:>9,} TSML  cpu×{cpu}: "
                                    f"{row[f'tsml_ui_cpu{cpu}']['median_first_ms']:8.0f} ms  "
                                    f"{row[f'tsml_ui_cpu{cpu}']['bytes']:>10,} B",
                                    flush=True,
                                )
                        row["ratio_tsml_to_ours"] = round(
                            row["tsml_ui_cpu1"]["median_first_ms"] / row["ours_cpu1"]["median_first_ms"], 1
                        )
                rows.append(row)
            finally:
                proc.terminate()
                proc.wait(timeout=60)
        browser.close()
    return {
        "viewport": "360x740",
        "loads_per_case": loads,
        "ours_path": OURS_PATH,
        "sizes": rows,
        "targets": {"first_ms": 300, "first_ms_cpu4": 1000, "bytes": 60 * 1024, "first_bottom_px": 740},
    }
