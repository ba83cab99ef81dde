"""The peer-support workspace in Chromium, with JavaScript off, in English and Spanish, at 360 px:
a supervisor sets up the organisation and a peer specialist; the specialist enrols a participant
with consent, records an encounter and a BARC-10, refers them to a meeting found with the finder's
search and follows up; the dashboard shows what is due; the supervisor exports the monthly report.
Every page on the way goes through axe-core."""

import base64
import csv
import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_otp.oath import totp

from commonground.peer.models import AuditRecord, Invitation, Participant, Referral, invitation_hash
from commonground.private.ids import encode as oid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSPHRASE = "a long staff passphrase"


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def site(live_server, demo_meetings, settings, audit_cleanup):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    demo_meetings(600, seed=21)
    return live_server.url


def person(browser, site, locale):
    context = browser.new_context(
        base_url=site,
        locale=locale,
        java_script_enabled=False,
        bypass_csp=True,
        viewport={"width": 360, "height": 740},
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site) else r.abort())
    page.problems, page.site, page.locale = {}, site, locale
    return page


def check(page):
    """axe, and no sideways scrolling at 360 px, on the page just loaded. The page itself runs no
    script, so both run in a twin tab with the same cookies and scripts allowed (for axe only).
    axe runs on the English journey; the Spanish one uses the same templates, and is measured for
    sideways scrolling (longer words) on the page itself."""
    if not page.locale.startswith("en"):
        overflow = page.locator("html").evaluate("html => html.scrollWidth - html.clientWidth")
        assert overflow <= 0, page.url
        return
    context = page.context.browser.new_context(
        base_url=page.site,
        storage_state=page.context.storage_state(),
        bypass_csp=True,
        viewport={"width": 360, "height": 740},
        locale=page.locale,
    )
    twin = context.new_page()
    twin.route("**/*", lambda r: r.continue_() if r.request.url.startswith(page.site) else r.abort())
    twin.goto(page.url)
    found = serious(Axe().run(twin))
    if found:
        page.problems[page.url] = found
    overflow = twin.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0, page.url


def submit(page, selector="form.me-form"):
    page.locator(f"{selector} button[type=submit]").last.click()
    page.wait_for_load_state()


def enrol_second_factor(page):
    assert page.url.endswith("/peer/enrol")
    check(page)
    key = base64.b32decode(page.locator("#totp-key").inner_text().replace(" ", ""))
    page.fill("#id_token", f"{totp(key):06d}")
    submit(page)
    assert page.url.endswith("/peer/")


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_the_workspace_journey_without_javascript(browser, site, locale):
    lang = locale[:2]
    Invitation.objects.create(code_hash=invitation_hash(f"invite-{lang}"))

    # 1. The supervisor sets up the organisation and a peer specialist, who enrols a TOTP device.
    sup = person(browser, site, locale)
    sup.goto("/peer/setup")
    check(sup)
    sup.fill("#id_invitation", f"invite-{lang}")
    sup.fill("#id_organisation", f"Harbor Recovery {lang}")
    sup.fill("#id_display_name", "Ana")
    sup.fill("#id_username", f"ana-{lang}")
    sup.fill("#id_password" if sup.locator("#id_password").count() else "#id_passphrase", PASSPHRASE)
    submit(sup)
    enrol_second_factor(sup)
    check(sup)
    sup.goto("/peer/staff")
    check(sup)
    sup.fill("#id_display_name", "Ben")
    sup.fill("#id_username", f"ben-{lang}")
    sup.fill("#id_passphrase", PASSPHRASE)
    sup.select_option("#id_role", "specialist")
    submit(sup)
    assert f"ben-{lang}" in sup.locator("#staff").inner_text()

    ben = person(browser, site, locale)
    ben.goto("/peer/signin")
    check(ben)
    ben.fill("#id_username", f"ben-{lang}")
    ben.fill("#id_passphrase", PASSPHRASE)
    submit(ben)
    enrol_second_factor(ben)

    # 2. The specialist enrols a participant, with consent.
    ben.goto("/peer/participants/new")
    check(ben)
    ben.fill("#id_name", "Jordan Reyes")
    ben.fill("#id_phone", "555 010 1111")
    submit(ben)
    assert "/consents/new" in ben.url
    check(ben)
    ben.locator("input[name=information][value=identity]").check()
    ben.locator("input[name=information][value=referrals]").check()
    ben.locator("#id_covers_referrals").check()
    ben.fill("#id_typed_signature", "Jordan Reyes")
    submit(ben)
    assert ben.locator("#consent").count() == 1
    check(ben)
    participant = Participant.objects.get(organisation__name=f"Harbor Recovery {lang}")
    base = f"/peer/participants/{oid('participant', participant.pk)}"

    # 3. An encounter and a BARC-10.
    ben.goto(f"{base}/encounters/new")
    check(ben)
    ben.select_option("#id_kind", "one_to_one")
    ben.fill("#id_minutes", "45")
    ben.locator("input[name=topics][value=meetings]").check()
    ben.fill("#id_note", "Wants an evening meeting near work.")
    submit(ben)
    assert ben.locator("#encounters li").count() == 1
    ben.goto(f"{base}/barc/new")
    check(ben)
    for n in range(1, 11):
        ben.locator(f"input[name=item_{n}][value='{4 if n % 2 else 5}']").check()
    submit(ben)
    assert "45" in ben.locator("table.compare").first.inner_text()
    check(ben)

    # 4. A referral to a meeting found with the finder's search, then the follow-up.
    ben.goto(f"{base}/refer?search=1&near=New+York%2C+NY")
    check(ben)
    ben.locator("input[name=meeting]").first.check()
    ben.locator("#id_shares_identity").check()
    ben.fill("#id_follow_up_on", timezone.localdate().isoformat())
    submit(ben)
    assert ben.locator("#notice-2-32").count() == 1 and "Jordan Reyes" in ben.locator("#disclosure").inner_text()
    check(ben)
    referral = Referral.objects.get(participant=participant)
    assert referral.kind == "meeting" and referral.meeting and referral.shares_identity

    # 5. The dashboard shows what is due, and no longer once it is done.
    ben.goto("/peer/")
    check(ben)
    assert participant.code in ben.locator("#due-today").inner_text()
    ben.locator("#due-today a").first.click()
    ben.wait_for_load_state()
    check(ben)
    ben.locator("input[name=outcome][value=fit_well]").check()
    submit(ben)
    ben.goto("/peer/")
    assert ben.locator("#due-today").count() == 0

    # 6. The supervisor exports the monthly report.
    sup.goto("/peer/reports")
    check(sup)
    with sup.expect_download() as download:
        sup.locator("#csv").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    months = [r for r in rows if r[0] == "month"]
    assert months and months[-1][1] == timezone.localdate().strftime("%Y-%m")
    assert months[-1][2] == "suppressed" and "Jordan" not in open(download.value.path(), encoding="utf-8").read()
    sup.goto(f"/peer/audit?participant={oid('participant', participant.pk)}")
    check(sup)
    assert AuditRecord.objects.filter(participant_id_at=participant.pk, action="disclose").exists()
    assert sup.problems == {} and ben.problems == {}, {**sup.problems, **ben.problems}
