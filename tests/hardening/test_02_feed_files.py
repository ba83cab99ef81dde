"""Item 2: the public feed is built once per data version, outside requests, and served as a file.

A request must never build it: rendering 50k meetings inside a request took 15 s a worker and
froze searches. Here the builder is made to explode inside requests, and the answers still come.
"""

import gzip
import json

import pytest

from commonground.feeds import published
from commonground.feeds import published as feed_publishing
from commonground.feeds.importing import import_location
from commonground.meetings.models import DataVersion, Meeting
from tests.hardening.conftest import good_row

URL = "/feeds/meeting-guide.json"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def never_build_in_a_request(monkeypatch, settings):
    """Web-worker mode from here on: a request that tried to build the feed would fail the test."""
    settings.PUBLISH_MODE = "background"
    asked = []

    def explode(*args, **kwargs):
        raise AssertionError("a request built the feed")

    monkeypatch.setattr(published, "build", explode)
    monkeypatch.setattr(feed_publishing, "request_build", lambda: asked.append(True))
    return asked


@pytest.mark.django_db
def test_item02_an_import_publishes_the_feed_files_when_it_commits(feed_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_location(feed_path([good_row()]), name="S")
    version = DataVersion.current_with_time()
    folder = published.find("all", version)
    assert folder is not None and folder.version == DataVersion.label(version)
    assert json.loads(folder.path.read_bytes())[0]["name"] == "Good Group"
    assert json.loads(gzip.decompress(folder.gzip_path.read_bytes()))[0]["name"] == "Good Group"
    assert published.find("aa", version).path.exists() and published.find("na", version).path.exists()


@pytest.mark.django_db
def test_item02_a_request_never_builds_it_and_serves_the_last_version(
    client, feed_path, monkeypatch, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_location(feed_path([good_row(name="Old name")]), name="S")
    asked = never_build_in_a_request(monkeypatch, settings)
    Meeting.objects.update(name="New name")  # a change nobody has published yet
    DataVersion.bump()
    response = client.get(URL)
    assert response.status_code == 200
    assert json.loads(body(response))[0]["name"] == "Old name", "the last published version answers meanwhile"
    assert asked, "and a builder process is asked for the new one"


@pytest.mark.django_db
def test_item02_nothing_published_yet_is_a_clear_503(client, monkeypatch, settings):
    asked = never_build_in_a_request(monkeypatch, settings)
    response = client.get(URL)
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["error"]["code"] == "feed_not_ready"
    assert asked


@pytest.mark.django_db
def test_item02_etag_conditional_get_gzip_and_cors(client, feed_path):
    import_location(feed_path([good_row()]), name="S")
    first = client.get(URL, HTTP_ACCEPT_ENCODING="gzip, br")
    assert first.status_code == 200 and first["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body(first)))[0]["slug"] == "good"
    assert "Accept-Encoding" in first["Vary"] and "Accept-Language" not in first["Vary"]
    plain = client.get(URL)
    assert not plain.has_header("Content-Encoding") and json.loads(body(plain))[0]["slug"] == "good"
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["Access-Control-Allow-Origin"] == "*" and again["ETag"] == first["ETag"]
    preflight = client.options(URL)
    assert preflight.status_code == 204 and "GET" in preflight["Access-Control-Allow-Methods"]
    by_program = client.get(URL + "?program=aa")
    assert by_program["ETag"] != first["ETag"]
