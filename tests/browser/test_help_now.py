"""A signed-out visitor in London finds "Help now" in the header and sees the UK's lines, not 988.

Issue 26's acceptance journey: Chromium at 360 px, JavaScript off, in English and Spanish. The
visitor arrives with their time zone (?tz=Europe/London, as a link from a London page would carry
it) or with ?country=GB; the header's first link is "Help now" / "Ayuda ahora", on the first screen;
the /help page shows Samaritans (116 123) and 999 as call links, and no 988 and no SAMHSA line.
Every /help page goes through axe-core. With HELP_SCREENSHOTS_DIR set, the pages are saved there
(docs/screenshots/help-gb-en.png and help-gb-es.png are taken this way).
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 640}
LABEL = {"en-US": "Help now", "es-ES": "Ayuda ahora"}
MATRIX = [(start, locale) for start in ("/?tz=Europe/London", "/?country=GB") for locale in ("en-US", "es-ES")]


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("start, locale", MATRIX, ids=[f"{s.split('?')[1]}-{loc}" for s, loc in MATRIX])
def test_a_visitor_in_london_finds_help_now(new_page, start, locale):
    page = new_page(java_script_enabled=False, locale=locale, viewport=PHONE)
    page.goto(start)
    assert page.locator("html").get_attribute("lang") == locale[:2]
    link = page.locator("header.site nav a").first
    assert link.inner_text().strip() == LABEL[locale]
    box = link.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], "on the first phone screen"
    link.click()
    page.wait_for_url(lambda url: "/help" in url)
    main = page.locator("main")
    text = main.inner_text()
    assert "116 123" in text and "999" in text
    assert not re.search(r"(?<![\d-])988(?![\d-])", page.content())
    assert "662-4357" not in page.content()
    assert main.locator("a[href='tel:116123']").count() >= 1
    assert main.locator("a[href='tel:999']").count() >= 1
    samaritans = main.locator("#line-gb-samaritans")
    sbox = samaritans.bounding_box()
    assert sbox is not None and sbox["y"] < PHONE["height"], "the crisis line starts on the first screen"
    assert main.locator("#safety-overdose").is_visible() and main.locator("#safety-withdrawal").is_visible()
    assert _no_sideways_scroll(page)
    # The footer serves the same country.
    footer = page.locator("footer.crisis").inner_text()
    assert "116 123" in footer and "988" not in footer


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_help_gb_is_accessible_and_pictured(new_page, locale):
    page = new_page(locale=locale, viewport=PHONE, bypass_csp=True)  # axe is injected as a script
    page.goto("/help?country=GB")
    for details in page.locator("details").all():
        details.evaluate("d => d.open = true")
    assert serious(Axe().run(page)) == []
    assert _no_sideways_scroll(page)
    out = os.environ.get("HELP_SCREENSHOTS_DIR")
    if out:
        for details in page.locator("details").all():
            details.evaluate("d => d.open = false")
        name = "help-gb-en.png" if locale == "en-US" else "help-gb-es.png"
        page.screenshot(path=str(Path(out) / name), full_page=True)


@pytest.mark.parametrize("path", ["/help", "/help?country=XX", "/help?country=JP"])
def test_other_help_pages_are_accessible(new_page, path):
    page = new_page(viewport=PHONE, bypass_csp=True)
    page.goto(path)
    assert serious(Axe().run(page)) == []
    assert _no_sideways_scroll(page)


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_a_crisis_answer_leads_the_fit_results_on_a_phone(new_page, locale):
    page = new_page(java_script_enabled=False, locale=locale, viewport=PHONE)
    page.goto("/fit/results?crisis=yes&help_with=opioids&tz=Europe/London")
    crisis = page.locator("#safety-crisis")
    box = crisis.bounding_box()
    heading = page.locator("main h1").bounding_box()
    assert box is not None and heading is not None and box["y"] < heading["y"] and box["y"] < PHONE["height"]
    call = crisis.locator("a[href='tel:116123']")
    assert call.count() == 1 and call.bounding_box()["y"] + call.bounding_box()["height"] <= PHONE["height"]
    assert "988" not in crisis.inner_text()
    assert _no_sideways_scroll(page)
    out = os.environ.get("HELP_SCREENSHOTS_DIR")
    if out:
        page.screenshot(path=str(Path(out) / ("fit-crisis-gb.png" if locale == "en-US" else "fit-crisis-gb-es.png")))
