"""Item 6: the importer only fetches public addresses, on every redirect, and never echoes files.

No test here sends a packet anywhere but loopback: the resolver is stubbed to *say* a host is
at 169.254.169.254 or 10.0.0.1, and the socket is stubbed to record any connection attempt.
"""

import socket

import pytest

from commonground.feeds import fetch
from commonground.feeds.importing import import_location
from commonground.meetings.admin import SourceForm
from commonground.meetings.models import Source
from tests.tiers import sweep

METADATA = "169.254.169.254"


@pytest.fixture
def network(monkeypatch):
    """A stub resolver (name -> address) and a record of every connection attempt."""
    state = {"asked": [], "connected": [], "names": {}}
    real_connect = socket.create_connection

    def resolve(host, port):
        state["asked"].append(host)
        return [state["names"].get(host, host)]

    def connect(address, *args, **kwargs):
        state["connected"].append(address[0])
        if address[0] not in ("127.0.0.1", "::1"):
            raise AssertionError(f"a connection to {address[0]} was attempted")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(fetch, "resolve", resolve)
    monkeypatch.setattr(fetch.socket, "create_connection", connect)
    return state


@pytest.mark.django_db
@pytest.mark.parametrize(
    "host, address",
    [
        ("metadata.example", METADATA),
        ("intranet.example", "10.0.0.1"),
        ("localhost.example", "127.0.0.1"),
        ("v6.example", "::1"),
        ("mapped.example", "::ffff:169.254.169.254"),
        ("cgnat.example", "100.64.0.1"),
        ("zero.example", "0.0.0.0"),
        ("multicast.example", "224.0.0.1"),
    ],
)
def test_item06_private_and_reserved_addresses_are_refused(network, settings, host, address):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    network["names"][host] = address
    report = import_location(f"http://{host}/feed.json")
    assert report.failed and report.errors[0]["code"] == "address"
    assert network["asked"] == [host] and network["connected"] == [], "refused before any packet"


@pytest.mark.django_db
@sweep(
    "target, code",
    [
        (f"http://{METADATA}/latest/meta-data/", "address"),
        ("http://intranet.example/", "address"),
        ("ftp://files.example/feed.json", "scheme"),
        ("file:///etc/passwd", "scheme"),
    ],
)
def test_item06_every_redirect_is_checked(network, http_server, settings, monkeypatch, target, code):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    network["names"]["intranet.example"] = "10.0.0.1"
    # Only our own test server on loopback counts as "public" here.
    monkeypatch.setattr(fetch, "address_allowed", lambda a: a == "127.0.0.1")
    http_server.add("/feed.json", b"", status=302, headers={"Location": target})
    report = import_location(f"{http_server.url}/feed.json")
    assert report.failed and report.errors[0]["code"] == code
    assert set(network["connected"]) == {"127.0.0.1"}


@pytest.mark.django_db
def test_item06_redirect_loops_stop(network, http_server, settings):
    http_server.add("/a", b"", status=302, headers={"Location": "/b"})
    http_server.add("/b", b"", status=302, headers={"Location": "/a"})
    report = import_location(f"{http_server.url}/a", format="meeting-guide")
    assert report.failed and "redirected more than" in report.errors[0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "location",
    [
        "/etc/passwd",
        "file:///etc/passwd",
        "http://10.0.0.1:8080/feed.json",
        "ftp://x.example/feed",
        "http://user:pw@feeds.example/x",
        "javascript:alert(1)",
    ],
)
def test_item06_the_admin_takes_only_a_web_address(location):
    form = SourceForm(
        data={
            "name": "X",
            "format": "meeting-guide",
            "location": location,
            "last_status": "never",
            "last_counts": "{}",
            "last_warnings": "[]",
        }
    )
    assert not form.is_valid() and "location" in form.errors


@pytest.mark.django_db
def test_item06_the_admin_accepts_a_feed_url():
    form = SourceForm(
        data={
            "name": "X",
            "format": "meeting-guide",
            "location": "https://aa.example.org/meetings.json",
            "last_status": "never",
            "last_counts": "{}",
            "last_warnings": "[]",
        }
    )
    assert form.is_valid(), form.errors


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "meeting-guide", "bmlt"])
def test_item06_errors_never_echo_file_content(tmp_path, fmt):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:SECRET-ROOT-LINE:/root:/bin/bash\ndaemon:x:1:1:SECRET-2\n")
    location = str(tmp_path) if fmt == "bmlt" else str(secret)
    if fmt == "bmlt":
        (tmp_path / "GetSearchResults.json").write_text("root:x:0:0:SECRET-ROOT-LINE")
    report = import_location(location, format=fmt)
    assert report.failed
    assert "SECRET" not in report.errors[0]["message"] and "root:x" not in report.errors[0]["message"]
    assert not Source.objects.filter(last_error__contains="SECRET").exists()


def test_item06_the_setting_is_documented():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "FEED_ALLOW_PRIVATE_ADDRESSES" in readme
