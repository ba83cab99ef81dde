"""Take the README's screenshots: home, results, map, meeting page and programs, in English and Spanish.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts `commonground serve` on a fresh SQLite file with the default demo data (map tiles off,
so nothing is fetched from the network) and drives Debian's Chromium with Playwright.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-06-09T22:30:00Z"  # a Tuesday evening in New York: plenty starting soon
PAGES = [
    ("home", "/", None),
    ("results", f"/meetings?near=10001&starting_within=180&now={NOW}", None),
    ("map", f"/meetings?near=10001&starting_within=180&now={NOW}&view=map", "#map[data-ready]"),
    ("meeting", None, None),
    ("programs", "/programs", None),
    ("fit", "/fit", None),
    ("fit-results", f"/fit/results?spirituality=none&medication=moud&attend=online&now={NOW}", None),
    ("fit-methadone", f"/fit/results?help_with=opioids&medication=moud&now={NOW}", None),
    ("fit-daily-drinker", f"/fit/results?help_with=alcohol&dependence=yes&goal=moderation&now={NOW}", None),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--width", type=int, default=1100)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="cg-shots-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "COMMONGROUND_VAR_DIR": str(tmp / "var"),
           "MAP_TILE_URL": "", "SECRET_KEY": "screenshots-only-" + os.urandom(16).hex()}
    server = subprocess.Popen([str(Path(sys.executable).parent / "commonground"), "serve", "--port", str(port),
                               "--workers", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
            for language, locale in (("en", "en-US"), ("es", "es-MX")):
                context = browser.new_context(base_url=base, locale=locale,
                                              viewport={"width": args.width, "height": 900})
                page = context.new_page()
                for name, path, wait_for in PAGES:
                    if name == "meeting":
                        page.goto(f"/meetings?mode=hybrid&near=10001&starting_within=720&now={NOW}")
                        page.locator("li.meeting h3 a").first.click()
                        page.wait_for_load_state()
                    else:
                        response = page.goto(path)
                        if response is None or response.status == 404:
                            continue
                    if wait_for:
                        page.wait_for_selector(wait_for)
                    target = out / f"{name}-{language}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(target)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
