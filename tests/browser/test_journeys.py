"""What a person does: search by ZIP, narrow to online, open a meeting, save it to a calendar."""

import json
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from commonground.meetings import schedule

pytestmark = pytest.mark.browser


def first_occurrence(ics: bytes):
    event = next(iter(Calendar.from_ical(ics).walk("VEVENT")))
    start = event.decoded("dtstart")
    return schedule.occurrence(start.date(), start.time(), schedule.zone(str(event["dtstart"].params["TZID"])))


def search_by_zip(page, javascript: bool):
    page.goto("/")
    page.get_by_label("ZIP, city or address").fill("10001")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(lambda url: "/meetings?near=10001" in url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Meetings near New York")
    assert page.locator("li.meeting").count() > 0
    page.get_by_label("Online", exact=True).check()
    if javascript:  # the results update in place
        page.wait_for_url(lambda url: "mode=online" in url)
        page.wait_for_selector("li.meeting")
    else:
        page.get_by_role("button", name="Show meetings").click()
        page.wait_for_url(lambda url: "mode=online" in url)
    modes = page.locator("li.meeting .mode").all_inner_texts()
    assert modes and all(m in ("Online", "Hybrid: in person and online") for m in modes)


def open_meeting_and_download(page, server):
    page.locator("li.meeting h3 a").first.click()
    page.wait_for_url(lambda url: "/meetings/" in url)
    # The demo's links go to a Zoom number of all zeros; the page says so instead of "Join on Zoom".
    assert page.get_by_role("link", name="Demo link (opens no meeting)").count() == 1
    address = page.url.split("/meetings/")[1].split("?")[0]  # <source>/<key>
    with page.expect_download() as info:
        page.get_by_role("link", name="Add to calendar").click()
    ics = open(info.value.path(), "rb").read()
    start = first_occurrence(ics)
    with urllib.request.urlopen(f"{server}/api/v1/meetings/{address}") as response:
        api = json.loads(response.read())
    engine_start = datetime.fromisoformat(api["starts_at"].replace("Z", "+00:00"))
    # The calendar's first occurrence is the engine's next start (the page and the API ran moments apart).
    assert start == engine_start or (start < engine_start and engine_start - start == timedelta(days=7))
    assert start >= datetime.now(UTC) - timedelta(days=7)


def test_zip_search_online_meeting_and_calendar(new_page, server):
    page = new_page()
    search_by_zip(page, javascript=True)
    open_meeting_and_download(page, server)


def test_the_same_journey_without_javascript(new_page, server):
    page = new_page(java_script_enabled=False)
    search_by_zip(page, javascript=False)
    open_meeting_and_download(page, server)


def test_spanish_from_the_browser_and_the_switch_back(new_page):
    page = new_page(locale="es-MX")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Encuentre una reunión de recuperación a la que pueda ir hoy"
    )
    assert "Línea de Prevención del Suicidio" in page.locator("footer").inner_text()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Find a recovery meeting")


def test_mobile_viewport_has_no_sideways_scrolling(new_page):
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    for path in ("/", "/meetings?near=10001", "/programs"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    page.goto("/meetings?near=10001")
    assert page.locator("li.meeting").first.is_visible()


def test_keyboard_only_to_a_join_link(new_page):
    page = new_page()
    page.goto("/meetings?mode=online&starting_within=720")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('li.meeting') !== null"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/meetings/" in url)
    for _ in range(40):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement.textContent || ''")
        if text.startswith(("Join on", "Demo link")):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')").startswith("https://")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link shows a visible outline"


def test_the_map_loads_only_when_asked_and_shows_every_result(new_page):
    page = new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/meetings?near=10001")
    assert not any("leaflet" in url for url in requests)
    page.get_by_role("link", name="Show map").click()
    page.wait_for_selector("#map[data-ready]")
    markers = page.locator(".leaflet-marker-icon").count()
    assert markers == int(page.get_attribute("#map", "data-ready")) > 0


def test_no_third_party_requests_and_light_pages(new_page, server):
    page = new_page()
    sizes = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body()) if r.ok else 0))
    page.goto("/meetings?near=10001&starting_within=720")
    page.wait_for_load_state("networkidle")
    assert all(url.startswith(server) for url in sizes), [u for u in sizes if not u.startswith(server)]
    html = sizes[page.url]
    assert html <= 60 * 1024, f"results page is {html} bytes"
    assert sum(sizes.values()) <= 150 * 1024, f"first results view transfers {sum(sizes.values())} bytes"
