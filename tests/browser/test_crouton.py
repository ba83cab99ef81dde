"""crouton 4.x, NA's own meeting-list client, reading our BMLT-compatible answers in Chromium.

crouton comes from the npm registry at a pinned version (``scripts/bootstrap --with-browser``
puts it in .cache/, never committed). A page on a second local origin embeds it with our
``/bmlt/na`` root server, as an NA area's site would; crouton calls our JSONP interface across
origins. Every row it shows is checked against our own JSON API: the same meetings, days and times.
"""

import json
import os
import urllib.request
from pathlib import Path

import pytest

from tests.client_origin import client_origin

pytestmark = pytest.mark.browser
CROUTON = Path(__file__).resolve().parents[2] / ".cache" / "clients" / "croutonjs-4.1.12"
DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def crouton_page(server):
    assert (CROUTON / "crouton.js").exists(), "crouton is missing: run scripts/bootstrap --with-browser"
    bodies = fetch(f"{server}/bmlt/na/client_interface/json/?switcher=GetServiceBodies")
    config = {
        "root_server": f"{server}/bmlt/na",
        "service_body": [int(b["id"]) for b in bodies],
        "theme": "",
        "template_path": "templates",
        "time_format": "HH:mm",
        "has_tabs": False,
        "show_map": 0,
        "noMap": True,
    }
    page_html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Area meetings</title>'
        '<link rel="stylesheet" href="crouton.css"></head><body><div id="bmlt-tabs"></div>'
        '<script src="crouton.js"></script>'
        # crouton's own code refers to the page's global "crouton"
        f"<script>var crouton = new Crouton({json.dumps(config)}); crouton.render();</script>"
        "</body></html>"
    )

    with client_origin(CROUTON, page_html) as url:
        yield url


def our_na_meetings(server) -> list[tuple[str, str, str]]:
    """(day, "HH:MM - HH:MM", name) for every active NA meeting, from our own JSON API."""
    out, offset = [], 0
    while True:
        page = fetch(f"{server}/api/v1/meetings?program=na&sort=name&limit=200&offset={offset}")
        for r in page["results"]:
            if r["mode"] == "inactive":
                continue
            if r["ongoing"]:  # a 24/7 group: every day from 00:00 for 24 hours, as BMLT lists them (issue 27)
                out += [(day, "00:00", r["name"]) for day in DAYS]
                continue
            out.append((DAYS[r["weekday"]], f"{r['start_time']} - {r['end_time'] or ''}".strip(), r["name"]))
        if not page["next"]:
            return sorted(out)
        offset += 200


def test_crouton_shows_our_na_meetings_at_their_days_and_times(new_page, crouton_page, server):
    page = new_page()
    outside = []

    def only_loopback(route):
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:  # map tiles, fonts, geocoders: nothing may leave the machine
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(crouton_page)
    page.wait_for_selector(".bmlt-data-row .meeting-name", timeout=60000)
    rows = page.evaluate("""() => [...document.querySelectorAll('.bmlt-data-row')].map(row => [
        row.querySelector('.bmlt-day').innerText.trim(),
        row.querySelector('.bmlt-time-2').innerText.trim(),
        row.querySelector('.meeting-name').innerText.trim()])""")
    assert not errors, errors
    expected = our_na_meetings(server)
    assert len(expected) > 100
    assert sorted(tuple(r) for r in rows) == expected
    assert "No meetings found" not in page.inner_text("body")
    # The format filter lists our formats under their BMLT names (world ids kept).
    names = page.evaluate("""() => [...document.querySelectorAll('select')].filter(
        s => [...s.options].some(o => o.text.includes('All Formats'))).flatMap(s => [...s.options].map(o => o.text))""")
    assert any("Closed" in n for n in names) and any("Virtual Meeting" in n for n in names), names
    assert not [u for u in outside if "127.0.0.1" not in u and not u.startswith("data:")], outside


def test_crouton_on_all_zones_shows_each_fellowships_own_rules_at_the_visitors_time(new_page, server):
    """Issue 27: crouton on our all-programs /bmlt with auto_tz_adjust (docs/feeds.md): every closed
    NA and Nar-Anon meeting with its own program's rule, and a Sydney meeting at the visitor's
    (New York) clock time."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    found = fetch(f"{server}/bmlt/client_interface/json/?switcher=GetSearchResults&get_used_formats=1")
    meetings, formats = found["meetings"], {f["key_string"]: f for f in found["formats"]}
    sydney = next(
        (m for m in meetings if m["time_zone"] == "Australia/Sydney" and m["venue_type"] == "2"), None
    ) or next(m for m in meetings if m["time_zone"] == "Australia/Sydney")
    bodies = fetch(f"{server}/bmlt/client_interface/json/?switcher=GetServiceBodies")
    config = {
        "root_server": f"{server}/bmlt",
        "service_body": [int(b["id"]) for b in bodies],
        "theme": "",
        "template_path": "templates",
        "time_format": "HH:mm",
        "has_tabs": False,
        "show_map": 0,
        "noMap": True,
        "auto_tz_adjust": True,
    }
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Meetings</title>'
        '<link rel="stylesheet" href="crouton.css"></head><body><div id="bmlt-tabs"></div>'
        '<script src="crouton.js"></script>'
        f"<script>var crouton = new Crouton({json.dumps(config)}); crouton.render();</script></body></html>"
    )
    with client_origin(CROUTON, html) as url:
        page = new_page(timezone_id="America/New_York")
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort(),
        )
        page.goto(url)
        page.wait_for_selector(".bmlt-data-row .meeting-name", timeout=120000)
        if os.environ.get("SAVE_SCREENSHOTS"):  # docs/screenshots/crouton-all-programs.png, for docs/feeds.md
            page.set_viewport_size({"width": 1100, "height": 1400})
            page.screenshot(
                path=str(Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "crouton-all-programs.png")
            )
        rows = page.evaluate("""() => [...document.querySelectorAll('.bmlt-data-row')].map(row => {
            const f = row.querySelector('.bmlt-formats');
            return {day: row.querySelector('.bmlt-day').innerText.trim(),
                    time: row.querySelector('.bmlt-time-2').innerText.trim(),
                    name: row.querySelector('.meeting-name').innerText.trim(),
                    keys: f ? f.innerText.trim().split(',').map(k => k.trim()) : [],
                    info: f ? (f.getAttribute('data-content') || '') : ''}; })""")
    assert len(rows) == len(meetings)
    na_closed = [r for r in rows if "NA" in r["keys"] and "C" in r["keys"]]
    naranon = [r for r in rows if "NAR-ANON" in r["keys"]]
    assert na_closed and naranon
    for r in na_closed:
        assert formats["C"]["description_string"] in r["info"] and "Narcotics Anonymous" in r["info"], r
    for r in naranon:
        assert "non-addicts" not in r["info"] and "Nar-Anon" in r["info"], r
        if "C-nar-anon" in r["keys"]:
            assert formats["C-nar-anon"]["description_string"] in r["info"], r
    # Sydney's wall-clock time, as a New York visitor's: crouton converts with each meeting's time_zone.
    hour, minute = (int(v) for v in sydney["start_time"].split(":")[:2])
    here = datetime.now(ZoneInfo("Australia/Sydney"))
    start = here.replace(hour=hour, minute=minute, second=0, microsecond=0)
    start += timedelta(days=(int(sydney["weekday_tinyint"]) - 1 - (start.isoweekday() % 7)) % 7)
    seen = start.astimezone(ZoneInfo("America/New_York"))
    shown = [(r["day"], r["time"][:5]) for r in rows if r["name"] == sydney["meeting_name"]]
    assert (DAYS[seen.isoweekday() % 7], seen.strftime("%H:%M")) in shown, (shown, seen, sydney)
