"""Item 5: a server that trickles bytes cannot hold an import forever: a total deadline applies."""

import time

import pytest

from commonground.feeds.importing import import_location


@pytest.mark.slow
@pytest.mark.django_db
def test_item05_a_trickling_server_hits_the_total_deadline(http_server, settings):
    settings.FEED_TIMEOUT_SECONDS = 5  # never silent for that long: one byte every 50 ms
    settings.FEED_DEADLINE_SECONDS = 1
    http_server.add("/slow.json", b"[" + b" " * 400 + b"]", trickle=0.05)
    started = time.monotonic()
    report = import_location(f"{http_server.url}/slow.json")
    elapsed = time.monotonic() - started
    assert report.failed and report.errors[0]["code"] == "timeout"
    assert "FEED_DEADLINE_SECONDS" in report.errors[0]["message"]
    assert elapsed < 3, f"the import took {elapsed:.1f} s"
