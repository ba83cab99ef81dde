"""The companion's safety moments in Chromium (issue 26): at 360 px, JavaScript off, in English and
Spanish. A person resets an opioid clock and sees the overdose note (naloxone, lower tolerance)
first, then their people to call and the country's lines; a check-in with crisis words leads with
the crisis note and the crisis line.

The server runs in this process (pytest-django's live server). With ``SAVE_SCREENSHOTS=1`` the
two moments are saved as docs/screenshots/me-slip-<lang>.png and me-crisis-checkin-<lang>.png.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSPHRASE = "lantern harbour pebble"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CRISIS_WORDS = {"en": "I want to die, I can't do this anymore", "es": "ya no puedo más, quiero morirme"}
NALOXONE = {"en": "naloxone", "es": "naloxona"}


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    # The Spanish catalog as committed (its .mo is compiled at release): compiled fresh for this server.
    po = Path(__file__).resolve().parents[2] / "src/commonground/locale/es/LC_MESSAGES/django.po"
    if shutil.which("msgfmt"):
        target = tmp_path / "locale" / "es" / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(po)], check=True, timeout=60)
        settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    return live_server.url


@pytest.fixture
def phone(browser, site):
    contexts = []

    def make(locale):
        context = browser.new_context(
            base_url=site,
            locale=locale,
            java_script_enabled=False,
            viewport={"width": 360, "height": 740},
            device_scale_factor=1,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site) else r.abort())
        return page

    yield make
    for context in contexts:
        context.close()


def submit(page, form="form.me-form"):
    page.locator(f"{form} button[type=submit]").first.click()
    page.wait_for_load_state()


def blocks(page) -> list[str]:
    return page.locator("main [data-block]").evaluate_all("els => els.map(e => e.dataset.block)")


def save(page, name):
    if os.environ.get("SAVE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_a_slip_on_an_opioid_clock_and_a_crisis_check_in_lead_with_safety(phone, locale):
    lang = locale[:2]
    page = phone(locale)
    page.goto("/me/signup")
    page.fill("#id_username", f"safety-{lang}")
    page.fill("#id_passphrase", PASSPHRASE)
    page.fill("#id_passphrase2", PASSPHRASE)
    page.fill("#id_timezone", "America/Chicago")
    submit(page)
    assert page.locator("ol.codes li code").count() == 10

    page.goto("/me/plan")
    page.fill("#id_person_1_name", "Ana")
    page.fill("#id_person_1_phone", "555 010 2030")
    submit(page)

    # A clock for opioids, then a slip.
    page.goto("/me/clocks/new")
    page.fill("#id_name", "Since June" if lang == "en" else "Desde junio")
    page.select_option("#id_substance", "opioids")
    page.fill("#id_start_date", "2026-06-01")
    submit(page)
    page.locator("details.reset summary").click()
    page.locator("form[action$='/reset'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "reset=1" in page.url
    order = blocks(page)
    assert order[0] == "note-overdose", order
    assert order.index("people") < order.index("lines") < order.index("kind"), order
    note = page.locator("main [data-block='note-overdose']")
    assert NALOXONE[lang] in note.inner_text().lower()
    box = note.bounding_box()
    assert box is not None and box["y"] < 740, "the overdose note starts on the first screen"
    assert page.locator("main [data-block='people'] a[href='tel:5550102030']").count() == 1
    assert page.locator("main [data-block='lines'] a[href='tel:988']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    save(page, f"me-slip-{lang}")

    # A check-in with crisis words: the crisis note and line come first, no streak.
    page.goto("/me/checkin")
    page.locator("input[name=mood][value='3']").check()
    page.locator("input[name=craving][value='3']").check()
    page.fill("#id_note", CRISIS_WORDS[lang])
    submit(page)
    assert page.url.endswith("/me/help?from=checkin"), page.url
    order = blocks(page)
    assert order[0] == "note-crisis" and "streak" not in order, order
    crisis = page.locator("main [data-block='note-crisis']")
    call = crisis.locator("a").first
    assert call.get_attribute("href") == "tel:988"
    box = call.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740, "the crisis line's button is on the first screen"
    assert CRISIS_WORDS[lang] not in page.url
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    save(page, f"me-crisis-checkin-{lang}")


def test_the_safety_moments_have_no_serious_accessibility_violations(browser, site):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(base_url=site, bypass_csp=True, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto("/me/signup")
        page.fill("#id_username", "safety-axe")
        page.fill("#id_passphrase", PASSPHRASE)
        page.fill("#id_passphrase2", PASSPHRASE)
        page.fill("#id_timezone", "Europe/London")
        submit(page)
        page.goto("/me/clocks/new")
        page.fill("#id_name", "pills")
        page.select_option("#id_substance", "sedatives")
        page.fill("#id_start_date", "2026-06-01")
        submit(page)
        page.locator("details.reset summary").click()
        page.locator("form[action$='/reset'] button[type=submit]").click()
        page.wait_for_load_state()
        problems = {}
        problems["slip"] = [
            v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
        ]
        page.goto("/me/checkin")
        page.locator("input[name=mood][value='1']").check()
        page.locator("input[name=craving][value='9']").check()
        page.fill("#id_note", "I want to end my life")
        submit(page)
        assert "/me/help" in page.url
        problems["crisis"] = [
            v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
        ]
        page.goto("/me/settings")
        problems["settings"] = [
            v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
        ]
        assert problems == {"slip": [], "crisis": [], "settings": []}, problems
    finally:
        context.close()
