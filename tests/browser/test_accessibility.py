"""axe-core on every page: no serious or critical violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser
PAGES = [
    "/",
    "/meetings",
    "/meetings?near=10001&starting_within=720",
    "/meetings?near=Springfield",
    "/meetings?near=10001&view=map",
    "/programs",
    "/programs/na",
    "/programs/mm",
    "/fit",
    "/fit/results?spirituality=none&medication=moud&goal=moderation&attend=online",
    "/fit/results?help_with=someone_else&their_use=drugs",
    "/fit/results?help_with=opioids&medication=moud",
    "/fit/results?help_with=alcohol&dependence=yes&goal=moderation",
    "/programs/ga",
    "/programs/smart-ff",
    "/treatment",
    "/treatment?near=Dublin%2C+Ireland",
]


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# Every page in English; in Spanish, one page of each kind (the same templates with other words: a
# longer label or a missing translation shows on these as on the rest).
SPANISH = [
    "/",
    "/meetings?near=10001&starting_within=720",
    "/programs/na",
    "/fit",
    "/fit/results?help_with=opioids&medication=moud",
    "/fit/results?help_with=alcohol&dependence=yes&goal=moderation",
]


@pytest.mark.parametrize(("locale", "path"), [("en-US", p) for p in PAGES] + [("es-ES", p) for p in SPANISH])
def test_page_has_no_serious_violations(new_page, path, locale):
    page = new_page(locale=locale, bypass_csp=True)  # axe is injected as a script
    page.goto(path)
    for details in page.locator("details").all():  # filters open
        details.evaluate("d => d.open = true")
    assert serious(Axe().run(page)) == []


def test_meeting_page(new_page):
    page = new_page(bypass_csp=True)
    page.goto("/meetings?mode=online&starting_within=720")
    page.locator("li.meeting h3 a").first.click()
    page.wait_for_url(lambda url: "/meetings/" in url)
    assert serious(Axe().run(page)) == []


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_coverage_page_on_a_phone(new_page, locale):
    """/coverage at 360 px, its map drawn: no serious violations, and nothing wider than the screen."""
    page = new_page(locale=locale, bypass_csp=True, viewport={"width": 360, "height": 800})
    page.goto("/coverage")
    page.wait_for_selector("#coverage-map[data-ready]")
    for details in page.locator("details").all():
        details.evaluate("d => d.open = true")
    assert serious(Axe().run(page)) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
