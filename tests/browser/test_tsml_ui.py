"""TSML UI 1.8, the finder most intergroups embed, reading our feed as a real client does.

The built client lives in ../shared/clients/tsml-ui (never copied into the project). A page on a
second local origin embeds it with our feed, narrowed to NA, as its data source: across origins,
so CORS is exercised too.
"""

from pathlib import Path

import pytest

from tests.client_origin import client_origin

pytestmark = pytest.mark.browser
CANDIDATES = [Path(__file__).resolve().parents[2].parent / "shared" / "clients" / "tsml-ui",
              Path("/work/shared/clients/tsml-ui")]
CLIENT = next((p for p in CANDIDATES if (p / "app.js").exists()), None)


@pytest.fixture
def tsml_page(server, tmp_path):
    assert CLIENT is not None, "TSML UI's built client is missing from ../shared/clients/tsml-ui"
    page_html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>TSML UI</title></head><body>'
                 f'<div id="tsml-ui" data-src="{server}/feeds/meeting-guide.json?program=na" '
                 f'data-timezone="America/New_York"></div><script src="app.js" async></script></body></html>')

    with client_origin(CLIENT, page_html) as url:
        yield url


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
