"""Item 13: the odds and ends the adversarial pass found."""

import json
import tracemalloc

import pytest

from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.reader import parse
from commonground.meetings.models import Source
from tests.hardening.conftest import good_row
from tests.tiers import sweep


@pytest.mark.django_db
def test_item13_openapi_documents_the_error_answers(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status in ("400", "404"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Error"), (path, method, status)
    names = {p["name"] for p in schema["paths"]["/api/v1/meetings"]["get"]["parameters"]}
    assert {"near", "lat", "lng", "starting_within", "day", "program", "type", "limit"} <= names


@pytest.mark.django_db
def test_item13_every_status_the_api_controls_has_the_error_shape(client, settings):
    long = client.get("/api/v1/meetings?q=" + "x" * 5000)
    assert long.status_code == 414 and long.json()["error"]["code"] == "uri_too_long"
    bad_host = client.get("/api/v1/programs", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400 and bad_host.json()["error"]["status"] == 400
    big = client.post(
        "/api/v1/fit", data=b'{"goal": "' + b"x" * (3 * 1024 * 1024) + b'"}', content_type="application/json"
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong_method = client.delete("/api/v1/meetings")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
@sweep(
    "params, field",
    [
        ({"lat": "1_0", "lng": "5"}, "lat"),
        ({"limit": "1.5", "q": "x"}, "limit"),
        ({"limit": "٣", "q": "x"}, "limit"),
        ({"radius_km": "1e999", "near": "Denver, CO"}, "radius_km"),
        ({"starting_within": "²"}, "starting_within"),
        ({"lat": "nan", "lng": "1"}, "lat"),
        ({"offset": "-1", "q": "x"}, "offset"),
    ],
)
def test_item13_the_api_and_the_pages_validate_the_same_way(client, demo_meetings, params, field):
    demo_meetings(20)
    api = client.get("/api/v1/meetings", params)
    page = client.get("/meetings", params)
    assert api.status_code == 400 and api.json()["error"]["field"] == field
    assert page.status_code == 400, "the page refuses exactly what the API refuses"


@pytest.mark.django_db
def test_item13_a_failed_import_with_a_name_keeps_the_old_location(feed_path, tmp_path):
    good = feed_path([good_row()])
    import_location(good, name="Intergroup")
    report = import_location(str(tmp_path / "does-not-exist.json"), name="Intergroup")
    assert report.failed
    source = Source.objects.get(name="Intergroup")
    assert source.location == good and source.last_status == "failed"
    broken = feed_path(None, raw="{not json")
    assert import_location(broken, name="Intergroup").failed
    assert Source.objects.get(name="Intergroup").location == good
    newer = feed_path([good_row(), good_row("two")])
    assert not import_location(newer, name="Intergroup").failed
    assert Source.objects.get(name="Intergroup").location == newer, "a good sync moves it"


@pytest.mark.slow
@pytest.mark.django_db
def test_item13_pages_set_no_cookie_and_the_language_cookie_only_on_switching(client, demo_meetings):
    demo_meetings(20)
    for url in ("/", "/meetings?near=Denver%2C+CO", "/programs", "/programs/aa", "/fit"):
        response = client.get(url)
        assert response.status_code == 200 and not response.cookies, (url, list(response.cookies))
    switched = client.post("/i18n/setlang/", {"language": "es", "next": "/programs"})
    assert switched.status_code == 302 and switched.cookies["django_language"].value == "es"
    assert not switched.cookies["django_language"]["max-age"], "a session cookie, gone when the browser closes"
    assert "Programas" in client.get("/programs").content.decode()


def test_item13_the_default_limit_takes_our_own_large_export(settings):
    # 200k meetings export to about 130 MB; the body is spooled to disk and parsed as a stream.
    assert settings.FEED_MAX_BYTES >= 1024**3


def _peak_parsing(n: int) -> int:
    body = json.dumps([good_row(f"m{i}", notes="x" * 200) for i in range(n)]).encode()
    tracemalloc.start()
    count = sum(1 for _ in parse(body, "feed").rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == n
    return peak


@pytest.mark.slow
def test_item13_the_parse_is_streamed_in_bounded_memory():
    small, large = _peak_parsing(10_000), _peak_parsing(60_000)
    # json.loads would hold all the rows at once: six times the memory for six times the rows.
    # Streamed, the peak is a window of a few MB, whatever the feed's size.
    assert large < small * 1.5 and large < 16 * 1024**2, (small, large)
