"""How fresh every listing is: shown on pages and in the API; failing sources flagged, then
disconnected (their meetings leave search and the feed); problems reported where they belong."""

import io
import json

import pytest
import time_machine
from django.core.management import call_command

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting, ProblemReport, Source
from commonground.search import engine


@pytest.fixture
def feed(tmp_path):
    path = tmp_path / "feed.json"

    def write(**extra):
        row = {
            "name": "Fresh Start",
            "slug": "fresh",
            "day": 3,
            "time": "19:00",
            "timezone": "America/Chicago",
            "formatted_address": "1 Main St, Dallas, TX 75201, USA",
            **extra,
        }
        path.write_text(json.dumps([row]))
        return str(path)

    return write


def search_count(client):
    return client.get("/api/v1/meetings?near=Dallas%2C+TX").json()["count"]


@pytest.mark.django_db
def test_pages_and_results_say_how_fresh_a_listing_is(client, feed):
    with time_machine.travel("2026-11-01 12:00Z", tick=False):
        import_location(feed(), name="Dallas Intergroup")
    engine.reset()
    result = client.get("/api/v1/meetings?near=Dallas%2C+TX").json()["results"][0]
    assert result["source"]["synced_at"].startswith("2026-11-01") and result["source"]["status"] == "ok"
    assert result["changed_at"].startswith("2026-11-01")
    page = client.get(Meeting.objects.get().get_absolute_url()).content.decode()
    assert "We last heard from the source on" in page and "This listing last changed here on" in page


@pytest.mark.slow
@pytest.mark.django_db
def test_a_failing_source_is_flagged_then_disconnected_then_back(client, feed, tmp_path, settings):
    engine.reset()
    with time_machine.travel("2026-11-01 12:00Z", tick=False):
        import_location(feed(), name="Dallas Intergroup")
    source = Source.objects.get()
    url = Meeting.objects.get().get_absolute_url()
    (tmp_path / "feed.json").write_text("<html>Gateway timeout</html>")
    with time_machine.travel("2026-11-05 12:00Z", tick=False):  # four days of failures
        import_location(str(tmp_path / "feed.json"), name="Dallas Intergroup")
        assert Source.objects.get().health() == "failing"
        assert "could not reach this listing's source" in client.get(url).content.decode()
        assert search_count(client) == 1, "still in search after 72 hours: only flagged"
    with time_machine.travel("2026-11-16 12:00Z", tick=False):  # past 14 days
        import_location(str(tmp_path / "feed.json"), name="Dallas Intergroup")
        source.refresh_from_db()
        assert source.health() == "disconnected"
        assert search_count(client) == 0, "a disconnected source's meetings leave search"
        page = client.get(url)
        assert page.status_code == 200 and "no longer appears in search" in page.content.decode()
        feed_body = b"".join(client.get("/feeds/meeting-guide.json").streaming_content)
        assert json.loads(feed_body) == []
    with time_machine.travel("2026-11-17 12:00Z", tick=False):  # the feed is back
        import_location(feed(), name="Dallas Intergroup")
        assert Source.objects.get().health() == "ok" and search_count(client) == 1


@pytest.mark.slow
@pytest.mark.django_db
def test_report_a_problem_goes_to_the_feed_or_to_our_queue(client, feed):
    import_location(feed(), name="Dallas Intergroup")
    meeting = Meeting.objects.get()
    page = client.get(meeting.get_absolute_url()).content.decode()
    report_url = "/report/dallas-intergroup/fresh"
    assert f'href="{report_url}"' in page, "no feedback address in the feed: our own queue"
    form = client.get(report_url)
    assert form.status_code == 200 and "csrftoken" in form.cookies, "a cookie only where a form needs it"
    assert client.post(report_url, {"problem": "nonsense"}).status_code == 400
    done = client.post(report_url, {"problem": "time", "details": "It moved to <b>Thursdays</b>."})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    report = ProblemReport.objects.get()
    assert report.meeting == meeting and report.details == "It moved to Thursdays." and report.problem == "time"
    import_location(feed(feedback_url="https://dallasaa.example.org/fix"), name="Dallas Intergroup")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'href="https://dallasaa.example.org/fix"' in page


@pytest.mark.django_db
def test_the_sources_command_lists_every_source(feed):
    import_location(feed(), name="Dallas Intergroup")
    out = io.StringIO()
    call_command("sources", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows[0]["name"] == "Dallas Intergroup" and rows[0]["meetings"] == 1 and rows[0]["health"] == "ok"


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_the_sources_command_runs_from_the_cli(tmp_path):
    import subprocess

    from tests.test_cli import EXE

    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
        "PATH": "/usr/bin:/bin",
    }
    feed_path = tmp_path / "f.json"
    feed_path.write_text(
        json.dumps(
            [
                {
                    "name": "A",
                    "slug": "a",
                    "day": 1,
                    "time": "19:00",
                    "timezone": "UTC",
                    "formatted_address": "1 A St, Dallas, TX 75201, USA",
                }
            ]
        )
    )
    assert (
        subprocess.run([EXE, "import", str(feed_path), "--name", "Mine"], env=env, capture_output=True).returncode == 0
    )
    listed = subprocess.run([EXE, "sources", "--json"], env=env, capture_output=True, text=True)
    rows = json.loads(listed.stdout)
    assert rows[0]["name"] == "Mine" and rows[0]["meetings"] == 1 and rows[0]["health"] == "ok"
    text = subprocess.run([EXE, "sources"], env=env, capture_output=True, text=True).stdout
    assert "Mine [meeting-guide] 1 meetings · ok" in text
