"""TSML UI 1.8, the finder most intergroups embed, reading our feed as a real client does.

The built client lives in ../shared/clients/tsml-ui (never copied into the project). A page on a
second local origin embeds it with our feed, narrowed to NA, as its data source: across origins,
so CORS is exercised too.
"""

import os
from pathlib import Path

import pytest

from tests.client_origin import client_origin

pytestmark = pytest.mark.browser
CANDIDATES = [
    Path(__file__).resolve().parents[2].parent / "shared" / "clients" / "tsml-ui",
    Path("/work/shared/clients/tsml-ui"),
]
CLIENT = next((p for p in CANDIDATES if (p / "app.js").exists()), None)


@pytest.fixture
def tsml_page(server, tmp_path):
    assert CLIENT is not None, "TSML UI's built client is missing from ../shared/clients/tsml-ui"
    page_html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>TSML UI</title></head><body>'
        f'<div id="tsml-ui" data-src="{server}/feeds/meeting-guide.json?program=na" '
        f'data-timezone="America/New_York"></div><script src="app.js" async></script></body></html>'
    )

    with client_origin(CLIENT, page_html) as url:
        yield url


SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_tsml_ui_reads_our_na_meetings_with_their_own_words(new_page, tsml_page):
    page = new_page()
    page.goto(tsml_page)
    page.wait_for_selector("td.tsml-name", timeout=60000)
    assert page.locator("td.tsml-name").count() > 10
    page.get_by_role("button", name="Any Type").click()
    options = page.locator(".tsml-dropdown__button").all_inner_texts()
    words = " | ".join(options)
    for word in ("Discussion", "Speaker", "Step Study"):
        assert word in words, f"{word} missing from TSML UI's types: {words}"
    assert "Inactive" not in words, "no meeting reads as inactive"
    assert "Closed: for A.A. members only" not in page.content()


def _feed(server, program: str) -> list[dict]:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{server}/feeds/meeting-guide.json?program={program}", timeout=60) as answer:
        return json.loads(answer.read())


@pytest.mark.parametrize(
    ("program", "wanted", "fellowship", "rule"),
    [
        ("nar-anon", "C", "Nar-Anon Family Groups meeting.", "only for family members and friends"),
        ("al-anon", "Y", "Al-Anon Family Groups (including Alateen) meeting.", "Also: Alateen"),
        (
            "na",
            "C",
            "Narcotics Anonymous (NA) meeting.",
            "Closed: for people who want help with their own recovery in NA",
        ),
        ("smart", None, "SMART Recovery meeting.", ""),
    ],
)
def test_a_meeting_shows_its_fellowship_and_its_own_rules(new_page, server, program, wanted, fellowship, rule):
    """Issue 27: TSML UI shows no program field and AA's text for "Closed"; our notes name the
    fellowship and its own rule, and C/O (AA's words in TSML UI) go out only on AA meetings."""
    rows = _feed(server, program)
    meeting = next(r for r in rows if wanted is None or wanted in r["program_types"])
    assert not {"C", "O"} & set(meeting["types"])
    page_html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>TSML UI</title></head><body>'
        f'<div id="tsml-ui" data-src="{server}/feeds/meeting-guide.json?program={program}" '
        f'data-timezone="America/New_York"></div><script src="app.js" async></script></body></html>'
    )
    with client_origin(CLIENT, page_html) as url:
        page = new_page()
        page.goto(f"{url}?meeting={meeting['slug']}")
        page.wait_for_selector(f"text={fellowship}", timeout=60000)
        text = page.locator("#tsml-ui").inner_text()
        if os.environ.get("SAVE_SCREENSHOTS"):  # docs/screenshots/tsml-ui-<program>.png, for docs/feeds.md
            page.screenshot(path=str(SHOTS / f"tsml-ui-{program}.png"), full_page=True)
    assert fellowship in text and rule in text, text[:2000]
    for line in meeting["program_notes"].split("\n"):  # every line we wrote, as TSML UI shows notes
        assert line in text, (line, text[:2000])
    assert "A.A. members" not in text and "Alcoholics Anonymous" not in text


def test_a_place_with_a_comma_loads_when_encoded(new_page, server):
    """TSML UI splits data-src on commas (several feeds): `near=Denver, CO` breaks into two
    addresses and shows "Loading error"; `tsml_ui_src` encodes the comma and the list loads."""
    from commonground.feeds.meeting_guide.embed import tsml_ui_src

    def text_of(src: str, ready: str) -> str:
        page_html = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>TSML UI</title></head>'
            f'<body><div id="tsml-ui" data-src="{src}" data-timezone="America/Denver"></div>'
            f'<script src="app.js" async></script></body></html>'
        )
        with client_origin(CLIENT, page_html) as url:
            page = new_page()
            page.goto(url)
            page.wait_for_selector(ready, timeout=60000)
            return page.locator("#tsml-ui").inner_text()

    raw = f"{server}/feeds/meeting-guide.json?near=Denver, CO&radius_km=500"
    assert "Loading error" in text_of(raw, "text=Loading error")
    encoded = tsml_ui_src(f"{server}/feeds/meeting-guide.json", near="Denver, CO", radius_km=500)
    assert "," not in encoded
    assert "Loading error" not in text_of(encoded, "td.tsml-name")
