"""The JSON API: shapes, paging, and one error shape everywhere."""

import json

import pytest

from commonground.feeds.demo import load_demo
from tests.tiers import sweep

NOW = "2026-06-09T23:00:00Z"


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(600, seed=3)


def get(client, path, **params):
    response = client.get(path, params)
    return response.status_code, json.loads(response.content)


def assert_error(body, status, field):
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status and error["field"] == field
    assert isinstance(error["message"], str) and error["message"].endswith((".", ")"))
    assert error["code"]


@pytest.mark.slow
def test_meetings_answer_count_results_and_next(client, demo):
    status, body = get(client, "/api/v1/meetings", limit="5", now=NOW)
    assert status == 200 and set(body) == {"count", "results", "next"}
    assert body["count"] > 5 and len(body["results"]) == 5
    assert "offset=5" in body["next"] and body["next"].startswith("http://testserver/api/v1/meetings?")
    status, second = get(client, "/api/v1/meetings", limit="5", offset="5", now=NOW)
    assert {r["id"] for r in second["results"]}.isdisjoint({r["id"] for r in body["results"]})


@pytest.mark.slow
def test_a_result_carries_three_start_times_and_the_export_slug(client, demo):
    _, body = get(
        client,
        "/api/v1/meetings",
        near="10001",
        radius_km="500",
        starting_within="1440",
        tz="Asia/Kolkata",
        now=NOW,
        limit="1",
    )
    result = body["results"][0]
    for key in (
        "id",
        "slug",
        "name",
        "program",
        "mode",
        "starts_at",
        "starts_at_local",
        "starts_at_meeting",
        "timezone",
        "distance_km",
        "location",
        "join",
        "tags",
        "source",
    ):
        assert key in result
    assert result["starts_at"].endswith("Z") and result["starts_at_local"].endswith("+05:30")
    assert result["program"]["code"] and result["program"]["name"]
    _, one = get(client, f"/api/v1/meetings/{result['id']}")
    assert one["slug"] == result["slug"]


@pytest.mark.slow
def test_the_last_page_has_no_next(client, demo):
    _, body = get(client, "/api/v1/meetings", program="sos", limit="200")
    assert body["next"] is None and body["count"] == len(body["results"])


@sweep(
    "params, status, field",
    [
        ({"radius_km": "600"}, 400, "radius_km"),
        ({"radius_km": "abc"}, 400, "radius_km"),
        ({"tz": "Nowhere/Zone"}, 400, "tz"),
        ({"near": "Springfield"}, 400, "near"),
        ({"limit": "0"}, 400, "limit"),
        ({"day": "9"}, 400, "day"),
        ({"mode": "teleport"}, 400, "mode"),
        ({"now": "yesterday"}, 400, "now"),
    ],
)
def test_bad_parameters_share_one_error_shape(client, demo, params, status, field):
    code, body = get(client, "/api/v1/meetings", **params)
    assert code == status
    assert_error(body, status, field)


@pytest.mark.slow
def test_ambiguous_places_list_candidates(client, demo):
    _, body = get(client, "/api/v1/meetings", near="Springfield")
    assert len(body["error"]["candidates"]) >= 3


def test_not_found_and_method_not_allowed_share_it_too(client, demo):
    code, body = get(client, "/api/v1/meetings/999999999")
    assert code == 404
    assert_error(body, 404, None)
    code, body = get(client, "/api/v1/no-such-thing")
    assert code == 404
    assert_error(body, 404, None)
    response = client.post("/api/v1/meetings")
    assert response.status_code == 405
    assert_error(json.loads(response.content), 405, None)


@pytest.mark.slow
def test_programs_places_and_openapi(client, demo):
    _, programs = get(client, "/api/v1/programs")
    assert len(programs) == 22 and all(p["facts"]["moud"]["sources"] for p in programs)
    _, places = get(client, "/api/v1/places", q="Portland")
    assert {p["label"].split(",")[1].strip() for p in places[:2]} == {"OR", "ME"}
    _, spec = get(client, "/api/v1/openapi.json")
    assert "/api/v1/meetings" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/meetings"]["get"]["parameters"]}
    assert {"near", "radius_km", "starting_within", "day", "tz", "now", "mode", "program", "type"} <= params


@pytest.mark.slow
def test_the_search_cache_follows_the_data_version(client, demo):
    _, before = get(client, "/api/v1/meetings", limit="1")
    load_demo(10, seed=99)  # replaces the demo data and bumps the version
    _, after = get(client, "/api/v1/meetings", limit="1")
    assert after["count"] == 10 and before["count"] == 600


@pytest.mark.slow
@pytest.mark.django_db
def test_cors_gzip_and_vary_for_other_apps(client, demo):
    origin = {"HTTP_ORIGIN": "https://intergroup.example.org"}
    search = client.get("/api/v1/meetings?mode=online&limit=50", HTTP_ACCEPT_ENCODING="gzip", **origin)
    assert search["Access-Control-Allow-Origin"] == "*" and search["Content-Encoding"] == "gzip"
    assert "Accept-Language" not in search.get("Vary", ""), "the same bytes in every language"
    assert "Accept-Language" in client.get("/api/v1/programs").get("Vary", ""), "program text is translated"
    preflight = client.options("/api/v1/meetings", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin)
    assert preflight.status_code == 200 and "GET" in preflight["Access-Control-Allow-Methods"]
    feed_preflight = client.options("/feeds/meeting-guide.json", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET", **origin)
    assert feed_preflight.status_code == 200 and feed_preflight["Access-Control-Allow-Origin"] == "*"
    page = client.get("/meetings?mode=online", HTTP_ACCEPT_ENCODING="gzip", **origin)
    assert not page.has_header("Access-Control-Allow-Origin")
    # Public pages are gzipped since issue 27 (never one with a secret: tests/test_results_page_27.py).
    assert page["Content-Encoding"] == "gzip"
