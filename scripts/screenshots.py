"""Take the README's screenshots: home, results, map, meeting page and programs, in English and Spanish.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts `commonground serve` on a fresh SQLite file with the default demo data (map tiles off,
so nothing is fetched from the network) and drives Debian's Chromium with Playwright.
"""

from __future__ import annotations

import argparse
import base64
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
    ("help", "/help", None),
    ("help-gb", "/help?country=GB", None),
    ("fit-crisis-london", f"/fit/results?crisis=yes&help_with=opioids&near=London%2C+United+Kingdom&now={NOW}", None),
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
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(tmp / "var"),
        "MAP_TILE_URL": "",
        "SECRET_KEY": "screenshots-only-" + os.urandom(16).hex(),
        **{
            name: base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
            for name in ("COMPANION_KEYS", "AUDIT_KEYS")
        },
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "commonground"), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            for language, locale in (("en", "en-US"), ("es", "es-MX")):
                context = browser.new_context(
                    base_url=base, locale=locale, viewport={"width": args.width, "height": 900}
                )
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
                phone(browser, base, out, language, locale)
                companion(browser, base, out, language, locale)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def phone(browser, base: str, out: Path, language: str, locale: str) -> None:
    """The results page on a phone's first screen (360×740): the first meeting above the filters."""
    context = browser.new_context(
        base_url=base, locale=locale, viewport={"width": 360, "height": 740}, is_mobile=True, device_scale_factor=1
    )
    page = context.new_page()
    page.goto(f"/meetings?near=10001&starting_within=180&now={NOW}")
    target = out / f"results-phone-{language}.png"
    page.screenshot(path=str(target))
    print(target)
    context.close()


def companion(browser, base: str, out: Path, language: str, locale: str) -> None:
    """The companion at 360 px: a person a few weeks in, with a clock, check-ins and a plan."""
    context = browser.new_context(
        base_url=base, locale=locale, viewport={"width": 360, "height": 740}, is_mobile=True, device_scale_factor=1
    )
    page = context.new_page()
    page.goto("/me/signup")
    page.fill("#id_username", f"screenshot-{language}")
    for field in ("#id_passphrase", "#id_passphrase2"):
        page.fill(field, "lantern harbour pebble")
    page.fill("#id_timezone", "America/Chicago")
    page.locator("form.me-form button[type=submit]").click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / f"me-codes-{language}.png"))
    page.goto("/me/clocks/new")
    page.fill("#id_name", "alcohol" if language == "en" else "alcohol")
    page.fill("#id_start_date", "2026-09-20")
    page.select_option("#id_convention", "na-keytags")
    page.locator("form.me-form button[type=submit]").click()
    page.wait_for_load_state()
    page.screenshot(path=str(out / f"me-clock-{language}.png"))
    page.goto("/me/plan")
    page.fill(
        "#id_reasons", "My daughter. Waking up clear." if language == "en" else "Mi hija. Despertar con claridad."
    )
    page.fill(
        "#id_what_helps", "A walk, a call, a meeting." if language == "en" else "Caminar, llamar, ir a una reunión."
    )
    page.fill("#id_person_1_name", "Ana")
    page.fill("#id_person_1_phone", "555 010 2030")
    page.locator("form.me-form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/me/checkin")
    page.locator("input[name=mood][value='3']").check()
    page.locator("input[name=craving][value='4']").check()
    page.locator("form.me-form button[type=submit]").click()
    page.wait_for_load_state()
    for name, path in (("me-home", "/me/"), ("me-help", "/me/help")):
        page.goto(path)
        page.screenshot(path=str(out / f"{name}-{language}.png"))
    context.close()
    for name in ("me-codes", "me-clock", "me-home", "me-help"):
        print(out / f"{name}-{language}.png")


if __name__ == "__main__":
    main()
