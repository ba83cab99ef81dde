"""The companion in Chromium, as a person would use it: with JavaScript on and off, in English
and Spanish, at 360 px. The server runs in this process (pytest-django's live server), so
time-machine can move its clock for the three days of check-ins.

Also: a passkey sign-in through Chromium's virtual authenticator (CDP), the companion's pages
through axe-core, and the SQLite file of a real server holding no plain text of a known secret.
"""

import io
import json
import urllib.request
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar

from commonground.meetings import schedule
from commonground.meetings.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSPHRASE = "lantern harbour pebble"


@pytest.fixture
def site(live_server, demo_meetings, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    demo_meetings(600, seed=21)
    return live_server.url.replace("127.0.0.1", "localhost")  # WebAuthn needs a domain name


@pytest.fixture
def open_page(browser, site):
    contexts = []

    def make(*, javascript=True, locale="en-US"):
        context = browser.new_context(
            base_url=site,
            locale=locale,
            java_script_enabled=javascript,
            viewport={"width": 360, "height": 740},
            is_mobile=javascript,
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site) else r.abort())
        return page

    yield make
    for context in contexts:
        context.close()


def submit(page, form_selector="form.me-form"):
    page.locator(f"{form_selector} button[type=submit]").first.click()
    page.wait_for_load_state()


def sign_up(page, username):
    page.goto("/me/signup")
    page.fill("#id_username", username)
    page.fill("#id_passphrase", PASSPHRASE)
    page.fill("#id_passphrase2", PASSPHRASE)
    page.fill("#id_timezone", "America/Chicago")
    submit(page)
    codes = page.locator("ol.codes li code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    return codes


def sign_in(page, username):
    page.goto("/me/signin")
    page.fill("#id_username", username)
    page.fill("#id_passphrase", PASSPHRASE)
    submit(page)
    page.wait_for_url(lambda url: url.endswith("/me/"))


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def no_sideways_scroll(page):
    page.wait_for_load_state()
    assert page.locator("html").evaluate("html => html.scrollWidth - html.clientWidth") <= 0, page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_the_companion_journey(open_page, site, javascript, locale):
    page = open_page(javascript=javascript, locale=locale)
    username = f"journey-{'js' if javascript else 'nojs'}-{locale[:2]}"

    # 1. Sign up with no e-mail; the recovery codes are shown once.
    page.goto("/me/signup")
    assert page.locator("input[type=email]").count() == 0
    sign_up(page, username)
    page.locator("a.button[href='/me/']").click()
    page.wait_for_url(lambda url: url.endswith("/me/"))  # the click only starts the navigation
    no_sideways_scroll(page)

    # 2. A clock, and its next milestone.
    page.goto("/me/clocks/new")
    page.fill("#id_name", "alcohol")
    page.fill("#id_start_date", "2026-10-01")
    page.select_option("#id_convention", "plain")
    submit(page)
    assert int(page.locator(".count.big").get_attribute("data-days")) >= 1
    assert page.locator("#next-milestone strong").count() == 1
    no_sideways_scroll(page)

    # 3. Two favourite meetings, and the private calendar: its times are the search engine's.
    chosen = list(
        Meeting.objects.filter(weekday__isnull=False, attendance_mode="in_person")
        .select_related("source")
        .order_by("id")[:2]
    )
    for m in chosen:
        page.goto(m.get_absolute_url())
        page.locator("#favourite").click()
        page.wait_for_load_state()
        assert page.locator("#favourite").get_attribute("aria-pressed") == "true"
    page.goto("/me/calendar")
    page.locator("form[action='/me/calendar/new-link'] button[type=submit]").first.click()
    page.wait_for_load_state()
    link = page.locator("#cal-url").input_value()
    with urllib.request.urlopen(link) as response:  # as a calendar app would: no cookies
        events = {str(e["uid"]): e for e in Calendar.from_ical(response.read()).walk("VEVENT")}
    for m in chosen:
        event = events[f"{m.source.slug}/{m.key}@commonground"]
        start = event.decoded("dtstart")
        first = schedule.occurrence(start.date(), start.time(), start.tzinfo)
        with urllib.request.urlopen(f"{site}/api/v1/meetings/{m.source.slug}/{m.key}") as response:
            api = json.loads(response.read())
        engine = datetime.fromisoformat(api["starts_at"].replace("Z", "+00:00"))
        assert first == engine or engine - first == timedelta(days=7), (first, engine)

    # 4. Save the fit results, go to a meeting of the top program, say "I went", rate it low,
    #    and see the next program suggested.
    page.goto("/fit/results?help_with=alcohol&goal=abstinence&spirituality=none")
    page.locator("#save-fit").click()
    page.wait_for_load_state()
    first_pick = page.locator("#suggestion").get_attribute("data-program")
    meeting = Meeting.objects.filter(program_id=first_pick, weekday__isnull=False).select_related("source").first()
    page.goto(meeting.get_absolute_url())
    page.locator("#went").click()
    page.wait_for_load_state()
    page.locator("input[name=rating][value='2']").check()
    page.locator("input[name=would_return][value='no']").check()
    page.fill("#id_note", "not my place")
    submit(page)
    page.wait_for_url(lambda url: url.endswith("/me/tried"))
    assert page.locator("#suggestion").get_attribute("data-program") != first_pick
    no_sideways_scroll(page)

    # 5. Three days of check-ins (a fresh sign-in each day, as the session ends when idle).
    for day in range(3):
        with time_machine.travel(datetime(2030, 3, 4 + day, 20, 0, tzinfo=UTC), tick=True):
            sign_in(page, username)
            page.goto("/me/checkin")
            page.locator("input[name=mood][value='3']").check()
            page.locator(f"input[name=craving][value='{6 - 2 * day}']").check()
            submit(page)
            page.wait_for_url(lambda url: url.endswith("/me/trends"))
    with time_machine.travel(datetime(2030, 3, 6, 20, 30, tzinfo=UTC), tick=True):
        page.goto("/me/trends")
        assert page.locator("#streak").get_attribute("data-days") == "3"
        images = page.locator("img.chart")
        assert images.count() == 3 and all(images.nth(i).get_attribute("alt") for i in range(3))
        if javascript:
            assert page.evaluate("[...document.querySelectorAll('img.chart')].every(i => i.naturalWidth > 0)")
        cells = page.locator("table.compare").first.locator("tbody td").all_inner_texts()
        assert ["6", "3", "4", "3", "2", "3"] == cells

        # 6. "I'm struggling": one tap away, with the lines to call.
        page.locator("a.button.struggling").click()
        page.wait_for_url(lambda url: url.endswith("/me/help"))
        assert (
            page.locator("main a[href='tel:988']").count() >= 1
            and page.locator("main a[href='tel:+18006624357']").count() >= 1
        )
        no_sideways_scroll(page)

        # 7. Export everything, then delete, and nothing is left.
        page.goto("/me/export")
        with page.expect_download() as download:
            page.locator("form button[type=submit]").last.click()
        archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
        data = json.loads(archive.read("common-ground.json"))
        assert len(data["check_ins"]) == 3 and len(data["favourites"]) == 2 and data["groups_tried"][0]["rating"] == 2
        page.goto("/me/delete")
        page.fill("#id_confirm", username)
        submit(page)
    from django.apps import apps
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username=username).exists()
    for model in apps.get_app_config("journal").get_models():
        assert not model.objects.exists(), model.__name__
    page.goto("/me/")
    assert "/me/signin" in page.url


def test_a_passkey_signs_in_with_chromiums_virtual_authenticator(open_page):
    page = open_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_up(page, "passkey-person")
    page.goto("/me/passkeys")
    page.locator("#passkey-add").click()
    page.locator("main li form").wait_for()
    from commonground.journal.models import Passkey

    assert Passkey.objects.filter(user__username="passkey-person").count() == 1
    page.goto("/me/settings")
    page.locator("form[action='/me/signout'] button").click()
    page.wait_for_load_state()
    page.goto("/me/signin")
    page.locator("#passkey-signin").click()
    page.wait_for_url(lambda url: url.endswith("/me/"))
    assert page.locator("h1").count() == 1 and "/me/signin" not in page.url


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_companion_pages_have_no_serious_accessibility_violations(browser, site, locale):
    context = browser.new_context(base_url=site, locale=locale, bypass_csp=True, viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_up(page, f"axe-{locale[:2]}")
    page.goto("/me/clocks/new")
    page.fill("#id_name", "alcohol")
    page.fill("#id_start_date", "2026-10-01")
    submit(page)
    problems = {}
    for path in (
        "/me/",
        "/me/checkin",
        "/me/trends",
        "/me/tried",
        "/me/plan",
        "/me/plan/print",
        "/me/help",
        "/me/calendar",
        "/me/settings",
        "/me/passkeys",
        "/me/export",
        "/me/delete",
        "/me/clocks/new",
        page.url.replace(site, "") if "/clocks/" in page.url else "/me/",
    ):
        page.goto(path)
        for details in page.locator("details").all():
            details.evaluate("d => d.open = true")
        found = serious(Axe().run(page))
        if found:
            problems[path] = found
    context.close()
    signed_out = browser.new_context(base_url=site, locale=locale, bypass_csp=True)
    page = signed_out.new_page()
    for path in ("/me/signup", "/me/signin", "/me/recover"):
        page.goto(path)
        found = serious(Axe().run(page))
        if found:
            problems[path] = found
    signed_out.close()
    assert problems == {}


def test_the_database_file_holds_no_plaintext_of_a_known_secret(new_page, server):
    secret = "Marisol-knows-the-blue-door-8842"
    page = new_page()
    sign_up(page, "file-check")
    page.goto("/me/plan")
    page.fill("#id_reasons", secret)
    page.fill("#id_person_1_name", "Marisol")
    page.fill("#id_person_1_phone", "555 010 8842")
    submit(page)
    page.goto("/me/checkin")
    page.locator("input[name=mood][value='2']").check()
    page.locator("input[name=craving][value='7']").check()
    page.fill("#id_note", secret)
    submit(page)
    page.goto("/me/plan/print")
    assert secret in page.content()
    stored = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = server.db_path.with_name(server.db_path.name + suffix)
        if path.exists():
            stored += path.read_bytes()
    assert stored, "the server's database file was not found"
    for needle in (secret, "Marisol", "555 010 8842"):
        assert needle.encode() not in stored and needle.encode("utf-16-le") not in stored, needle
