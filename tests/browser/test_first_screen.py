"""On a phone's first screen (360×740) the first result is fully visible without scrolling, above
the filters, with JavaScript on and off, in English and Spanish; the filters are one tap away and
still work."""

import pytest

pytestmark = pytest.mark.browser

SEARCH = "/meetings?near=10001&starting_within=180"
VIEWPORT = {"width": 360, "height": 740}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("locale", ["en-US", "es-MX"])
def test_first_result_is_on_the_first_screen(new_page, javascript, locale):
    page = new_page(viewport=VIEWPORT, is_mobile=javascript, java_script_enabled=javascript, locale=locale)
    page.goto(SEARCH)
    first = page.locator("li.meeting").first.bounding_box()
    assert first is not None, "no result was shown"
    assert first["y"] >= 0 and first["y"] + first["height"] <= VIEWPORT["height"], (
        f"the first result spans {first['y']:.0f}–{first['y'] + first['height']:.0f} px; the screen is 740 px"
    )
    form = page.locator("form.filters").bounding_box()
    assert form["y"] > first["y"], "on a narrow screen the filters come after the results"
    # The way to the filters is on the first screen, and leads to a working form.
    change = page.locator("a.change-search")
    box = change.bounding_box()
    assert box is not None and box["y"] + box["height"] <= VIEWPORT["height"]
    change.click()
    near = page.locator("#id_near")
    assert near.input_value() == "10001"
    # "Use my location" needs JavaScript, so a page without it does not offer it.
    assert page.locator("[data-locate]").is_visible() == javascript
    page.locator("form.filters input[name=mode][value=online]").check()
    if not javascript:
        page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(lambda url: "mode=online" in url)
    page.wait_for_selector("li.meeting")


def test_wide_screens_keep_the_filters_beside_the_results(new_page):
    page = new_page(viewport={"width": 1200, "height": 900})
    page.goto(SEARCH)
    first = page.locator("li.meeting").first.bounding_box()
    form = page.locator("form.filters").bounding_box()
    assert form["x"] + form["width"] <= first["x"], "the filters sit in a column to the left"
    assert abs(form["y"] - first["y"]) < 200
    # The jump link is for narrow screens only, and every control fits inside the filter column.
    assert not page.locator(".change-search-line").first.is_visible()
    right = form["x"] + form["width"]
    for control in page.locator("form.filters input:visible, form.filters select:visible").all():
        box = control.bounding_box()
        assert box["x"] + box["width"] <= right, f"{control.get_attribute('name')} sticks out of the filters"
