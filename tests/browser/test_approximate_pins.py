"""Issue 27: on the results map, a ZIP or city centre is drawn as an area (a dashed circle), not a pin.

finder.js and Leaflet are the real static files; the page around them is a minimal one, served
through Playwright's routing, so no server and no network are needed.
"""

import json
from pathlib import Path

import pytest

import commonground.web

pytestmark = pytest.mark.browser  # tests/browser/conftest.py's own pytestmark marks no test module

STATIC = Path(commonground.web.__file__).parent / "static" / "web"
POINTS = [
    {"id": 1, "name": "Exact Hall", "lat": 37.30, "lng": -121.90, "url": "/meetings/s/exact", "approximate": False},
    {
        "id": 2,
        "name": "ZIP Centre Group",
        "lat": 37.33,
        "lng": -121.88,
        "url": "/meetings/s/zip",
        "approximate": True,
        "note": "Approximate place: the area, not the building",
    },
]
PAGE = f"""<!doctype html><html><head><title>map</title></head><body>
<div id="map" style="height:400px;width:600px" data-tiles="" data-leaflet-css="/static/web/leaflet/leaflet.css"
     data-leaflet-js="/static/web/leaflet/leaflet.js" data-leaflet-images="/static/web/leaflet/images/"></div>
<script id="map-points" type="application/json">{json.dumps(POINTS)}</script>
<script src="/static/web/finder.js"></script></body></html>"""
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}


def _serve(route):
    path = route.request.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
    if path == "":
        return route.fulfill(status=200, content_type="text/html", body=PAGE)
    if path.startswith("static/web/"):
        file = STATIC / path.removeprefix("static/web/")
        if file.is_file():
            return route.fulfill(
                status=200, content_type=TYPES.get(file.suffix, "application/octet-stream"), body=file.read_bytes()
            )
    return route.fulfill(status=404, body="")


def test_approximate_point_is_a_circle_with_its_note(browser):
    context = browser.new_context(viewport={"width": 800, "height": 600})
    try:
        page = context.new_page()
        page.set_default_timeout(20000)
        page.route("**/*", _serve)
        page.goto("http://map.test/")
        page.wait_for_selector("#map[data-ready]")
        assert page.get_attribute("#map", "data-ready") == "2"
        assert page.locator(".leaflet-marker-icon").count() == 1  # the exact point only
        circles = page.locator("path.approximate")
        assert circles.count() == 1
        assert "6 6" in (circles.first.get_attribute("stroke-dasharray") or "")
        circles.first.click(force=True)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "ZIP Centre Group" in popup.inner_text()
        assert "the area, not the building" in popup.inner_text()
        assert popup.locator("a").get_attribute("href") == "/meetings/s/zip"
    finally:
        context.close()
