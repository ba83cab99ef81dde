"""Treatment near you (issue 30), as a person on a phone reaches it: Chromium at 360 px, JavaScript off,
in English and Spanish.

From the header's "Help now" to "Find treatment near you", a ZIP and a medication for opioid use,
to a provider's call button (its ``tel:`` address checked); from the fit finder's results for
someone who uses opioids near a ZIP, when those results show treatment (``fit/_treatment.html``), to
a provider's call button there too. /treatment goes through axe-core, with results and for a
place outside the US. With TREATMENT_SCREENSHOTS_DIR set, the results pages are saved there
(docs/screenshots/treatment-en.png and treatment-es.png are taken this way).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

import commonground.web
from conftest import TEST_COMPANION_KEY
from tests.treatment.export_fixture import write

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 640}
LOCALES = ("en-US", "es-ES")
HELP_NOW = {"en-US": "Help now", "es-ES": "Ayuda ahora"}
FIND = {"en-US": "Find treatment near you", "es-ES": "Encuentre tratamiento cerca de usted"}
CALL_AHEAD = {"en-US": "Call ahead: listings can be out of date.", "es-ES": "Llame antes: los listados pueden"}
EXE = shutil.which("commonground") or str(Path(sys.executable).parent / "commonground")
FIT_BLOCK = Path(commonground.web.__file__).parent / "templates" / "fit" / "_treatment.html"


@pytest.fixture(scope="module")
def facilities(server, tmp_path_factory):
    """The test export's New York facilities, imported into the running server's database (its
    treatment index follows the data version, so the next request finds them)."""
    export = write(tmp_path_factory.mktemp("treatment") / "ny.json")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{server.db_path}",
        "COMMONGROUND_VAR_DIR": str(server.db_path.parent / "var"),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "COMPANION_KEYS": TEST_COMPANION_KEY,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [EXE, "import", export, "--format", "findtreatment", "--name", "FindTreatment NY"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return server


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _phone(new_page, locale, **options):
    return new_page(java_script_enabled=False, locale=locale, viewport=PHONE, **options)


@pytest.mark.parametrize("locale", LOCALES)
def test_from_help_now_to_a_providers_call_button(new_page, facilities, locale):
    page = _phone(new_page, locale)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == locale[:2]
    help_now = page.locator("header.site nav a").first
    assert help_now.inner_text().strip() == HELP_NOW[locale]
    help_now.click()
    page.wait_for_url(lambda url: "/help" in url)
    find = page.locator("main a[href='/treatment']")
    assert find.inner_text().strip() == FIND[locale]
    find.click()
    page.wait_for_url(lambda url: url.endswith("/treatment"))
    page.locator("#id_near").fill("10001")
    page.locator("input[name='offers'][value='buprenorphine']").check()
    page.locator("form#filters button[type=submit]").click()
    page.wait_for_url(lambda url: "near=10001" in url and "offers=buprenorphine" in url)
    providers = page.locator("ol.treatment li.facility")
    assert providers.count() == 2
    first = providers.first
    assert first.locator("h3").inner_text().startswith("Harbor Bupe Clinic")
    call = first.locator("a.call")
    assert call.get_attribute("href") == "tel:2125550100"
    assert call.is_visible()
    assert CALL_AHEAD[locale] in first.inner_text()
    assert _no_sideways_scroll(page)
    shots = os.environ.get("TREATMENT_SCREENSHOTS_DIR")
    if shots:
        page.goto("/treatment?near=10001&radius_mi=30")
        page.screenshot(path=str(Path(shots) / f"treatment-{locale[:2]}.png"), full_page=True)


@pytest.mark.parametrize("locale", LOCALES)
def test_from_the_fit_results_to_a_providers_call_button(new_page, facilities, locale):
    if not FIT_BLOCK.exists():
        pytest.skip("the fit results show no treatment yet (fit/_treatment.html)")
    page = _phone(new_page, locale)
    page.goto("/fit")
    page.locator("input[name='help_with'][value='opioids']").check()
    page.locator("#q-near").fill("10001")
    page.locator("form.fit button[type=submit]").click()
    page.wait_for_url(lambda url: "/fit/results?" in url)
    block = page.locator("[data-block='treatment-medication']")
    assert block.count() == 1
    call = block.locator("a[href^='tel:']").first
    assert call.get_attribute("href") == "tel:2125550100"
    assert _no_sideways_scroll(page)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "path",
    [
        "/treatment",
        "/treatment?near=10001",
        "/treatment?near=10001&offers=methadone&radius_mi=3",
        "/treatment?near=10001&offers=heroin",
        "/treatment?near=Dublin%2C+Ireland",
    ],
)
def test_treatment_has_no_serious_violations_at_360(new_page, facilities, path, locale):
    page = new_page(locale=locale, viewport=PHONE, bypass_csp=True)  # axe is injected as a script
    page.goto(path)
    assert serious(Axe().run(page)) == []
    assert _no_sideways_scroll(page)
