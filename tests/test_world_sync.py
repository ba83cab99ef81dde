"""`commonground sync` over many sources at once, politely (issue 29): stand-in roots and feeds on
loopback, never a real address. One root is down, one is slow past its deadline, one answers HTML;
the others still commit, and the output, the exit code and /api/v1/sources name the failures."""

from __future__ import annotations

import io
import json
import threading
import time
from contextlib import redirect_stderr

import pytest
from bmlt_standin import StandInBMLT
from django.core.management import call_command
from feed_standin import FeedServer, Route, closed_port_url

from commonground.feeds import fetch, polite
from commonground.feeds.errors import FeedError
from commonground.feeds.health import backoff, due
from commonground.feeds.importing import import_location
from commonground.feeds.sync import sync_source
from commonground.meetings.models import DataVersion, Meeting, Source, SyncStatus

BMLT_FORMATS = [{"key_string": "O", "name_string": "Open", "world_id": "OPEN", "format_type_enum": "O", "id": "1"}]


def bmlt_meeting(n: int) -> dict:
    return {
        "id_bigint": str(n),
        "service_body_bigint": "1",
        "weekday_tinyint": str(n % 7 + 1),
        "start_time": "19:30:00",
        "duration_time": "01:00:00",
        "time_zone": "Europe/Dublin",
        "formats": "O",
        "published": "1",
        "meeting_name": f"Dublin group {n}",
        "venue_type": "1",
        "location_text": "Hall",
        "location_street": f"{n} Abbey Street",
        "location_municipality": "Dublin",
        "location_nation": "IE",
        "latitude": "53.35",
        "longitude": "-6.26",
    }


def mg_meeting(n: int) -> dict:
    return {
        "slug": f"sydney-{n}",
        "name": f"Sydney group {n}",
        "day": n % 7,
        "time": "18:00",
        "timezone": "Australia/Sydney",
        "address": f"{n} George St",
        "city": "Sydney",
        "state": "NSW",
        "country": "AU",
        "latitude": -33.87,
        "longitude": 151.21,
        "types": ["O"],
    }


FEED = json.dumps([mg_meeting(n) for n in range(1, 31)]).encode()


@pytest.fixture
def loopback(settings, monkeypatch):
    """Every host name below resolves to 127.0.0.1 (a stubbed resolver: no name leaves the machine)."""
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["127.0.0.1"])
    servers: list = []
    yield servers
    for server in servers:
        server.close()


def host_url(url: str, host: str) -> str:
    """The stand-in's address under a host name of its own (one politeness slot per host)."""
    return url.replace("127.0.0.1", host)


# --- being polite -------------------------------------------------------------------------------


def test_one_request_in_flight_per_host_and_hosts_side_by_side(loopback):
    server = FeedServer({"/a.json": Route(FEED, delay=0.3), "/b.json": Route(FEED, delay=0.3)})
    loopback.append(server)
    urls = [host_url(server.url, "one.example.org") + p for p in ("/a.json", "/b.json")]
    urls += [host_url(server.url, "two.example.org") + p for p in ("/a.json", "/b.json")]
    threads = [threading.Thread(target=lambda u=u: fetch.read_bytes(u)) for u in urls]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # two hosts, two requests each, 0.3 s apiece: one at a time per host is 0.6 s, both hosts at once
    assert server.most_in_flight == 2
    assert time.monotonic() - started >= 0.55


def test_requests_to_one_host_are_spaced_by_the_pause(loopback, settings):
    settings.FEED_HOST_PAUSE_SECONDS = 0.25
    server = FeedServer({"/a.json": Route(FEED)})
    loopback.append(server)
    url = host_url(server.url, "paused.example.org") + "/a.json"
    started = time.monotonic()
    for _ in range(3):
        fetch.read_bytes(url)
    assert time.monotonic() - started >= 0.5


def test_we_say_who_we_are_with_the_deployments_contact(loopback, settings):
    settings.FEED_SITE_URL, settings.FEED_CONTACT = "https://meetings.example.org", "ops@example.org"
    server = FeedServer({"/a.json": Route(FEED)})
    loopback.append(server)
    fetch.read_bytes(server.url + "/a.json")
    agent = server.hits[-1]["headers"]["User-Agent"]
    assert agent.startswith("CommonGround/") and agent.endswith("(+https://meetings.example.org; ops@example.org)")


@pytest.mark.parametrize(("header", "seconds"), [("120", 120), ("Wed, 21 Oct 2015 07:28:00 GMT", 0), ("soon", None)])
def test_a_servers_retry_after_is_read(header, seconds):
    assert polite.retry_after_seconds(header) == seconds


def test_backoff_doubles_with_each_failure_up_to_its_ceiling(settings):
    settings.SYNC_MIN_INTERVAL_MINUTES, settings.SYNC_MAX_BACKOFF_HOURS = 240, 48
    hours = [backoff(n).total_seconds() / 3600 for n in range(1, 7)]
    assert hours == [4, 8, 16, 32, 48, 48]
    assert backoff(1, retry_after=3 * 24 * 3600).days == 3  # a server's longer wait wins


# --- syncing, source by source --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unchanged_feed_answers_304_and_costs_no_body(loopback):
    server = FeedServer({"/feed.json": Route(FEED, etag='"v1"')})
    loopback.append(server)
    first = import_location(server.url + "/feed.json", name="Sydney")
    assert first.added == 30
    source = Source.objects.get(name="Sydney")
    assert source.http_validators == {server.url + "/feed.json": {"etag": '"v1"'}}
    again = sync_source(source)
    assert not again.failed and (again.unchanged, again.added) == (30, 0)
    assert server.hits[-1]["headers"].get("If-None-Match") == '"v1"'
    server.routes["/feed.json"] = Route(FEED.replace(b'Sydney group 1"', b'Sydney group one"'), etag='"v2"')
    changed = sync_source(Source.objects.get(name="Sydney"))
    assert changed.updated == 1 and Source.objects.get(name="Sydney").http_validators[server.url + "/feed.json"] == {
        "etag": '"v2"'
    }


@pytest.mark.django_db
def test_a_busy_server_is_left_alone_as_long_as_it_asked(loopback):
    server = FeedServer({"/feed.json": Route(FEED)})
    loopback.append(server)
    import_location(server.url + "/feed.json", name="Busy")
    server.routes["/feed.json"] = Route(b"slow down", 429, "text/plain", headers={"Retry-After": "86400"})
    report = sync_source(Source.objects.get(name="Busy"))
    assert report.failed and "slow down" in report.errors[0]["message"] and report.retry_after == 86400
    source = Source.objects.get(name="Busy")
    assert source.failures == 1 and Meeting.objects.filter(source=source).count() == 30
    assert not due(source) and (source.next_sync_after - source.last_sync_at).total_seconds() >= 86400 - 1
    out = io.StringIO()
    call_command("sources", stdout=out)
    assert "1 failed sync(s) in a row; a scheduled sync waits until" in out.getvalue()
    call_command("sources", "--json", stdout=(out := io.StringIO()))
    (row,) = [r for r in json.loads(out.getvalue()) if r["name"] == "Busy"]
    assert (row["state"], row["failures"]) == ("failing", 1) and row["next_sync_after"]


@pytest.mark.django_db
def test_a_slow_root_meets_the_sources_deadline_across_all_its_pages(loopback, settings):
    settings.SYNC_SOURCE_DEADLINE_SECONDS = 1
    server = FeedServer({"/feed.json": Route(FEED, delay=3)})
    loopback.append(server)
    started = time.monotonic()
    report = import_location(server.url + "/feed.json", name="Slow")
    assert report.errors and "SYNC_SOURCE_DEADLINE_SECONDS" in report.errors[0]["message"]
    assert time.monotonic() - started < 2.5


def test_outside_a_sync_the_plain_limits_apply(loopback):
    server = FeedServer({"/feed.json": Route(b"<html>down for maintenance</html>", 503, "text/html")})
    loopback.append(server)
    with pytest.raises(FeedError, match="503"):
        fetch.read_bytes(server.url + "/feed.json")


# --- the world at once ----------------------------------------------------------------------------


@pytest.fixture
def world(loopback, tmp_path):
    """A serverList.json-shaped list of five BMLT roots (two good, one down, one slow, one answering
    HTML) and a list of two Meeting Guide feeds, each on a host name of its own."""
    good = [StandInBMLT([bmlt_meeting(n) for n in range(k * 100, k * 100 + 20)], BMLT_FORMATS, []) for k in (1, 2)]
    slow = FeedServer({"/main_server/client_interface/json/": Route(b"[]", delay=5)})
    html = FeedServer(
        {"/main_server/client_interface/json/": Route(b"<html><body>It works!</body></html>", 200, "text/html")}
    )
    feeds = FeedServer(
        {"/a.json": Route(FEED), "/b.json": Route(json.dumps([mg_meeting(n) for n in range(40, 45)]).encode())}
    )
    loopback.extend([*good, slow, html, feeds])
    roots = [
        {"id": "1", "name": "Good root one", "url": host_url(good[0].url, "one.example.org")},
        {"id": "2", "name": "Good root two", "url": host_url(good[1].url, "two.example.org")},
        {"id": "3", "name": "Down root", "url": host_url(closed_port_url(), "down.example.org") + "/main_server/"},
        {"id": "4", "name": "Slow root", "url": host_url(slow.url, "slow.example.org") + "/main_server/"},
        {"id": "5", "name": "HTML root", "url": host_url(html.url, "html.example.org") + "/main_server/"},
    ]
    (tmp_path / "serverList.json").write_text(json.dumps(roots))
    (tmp_path / "feeds.toml").write_text(
        '[registry]\nname = "local"\nformat = "meeting-guide"\nprogram = "aa"\nsource = "test"\nchecked = "2026-12-07"\n'
        f'[[entry]]\nid = "a"\nname = "Feed A"\nurl = "{host_url(feeds.url, "feeds.example.org")}/a.json"\ncountries = ["AU"]\n'
        f'[[entry]]\nid = "b"\nname = "Feed B"\nurl = "{host_url(feeds.url, "feeds.example.org")}/b.json"\ncountries = ["AU"]\n'
    )
    return tmp_path


def sync_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stderr(err):
        try:
            call_command("sync", *args, stdout=out, stderr=err)
        except SystemExit as exit:
            code = exit.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_world_sync_commits_the_good_sources_and_names_each_failure(world, settings, client):
    settings.SYNC_SOURCE_DEADLINE_SECONDS = 2
    call_command("sources", "add-registry", str(world / "serverList.json"), stdout=io.StringIO())
    call_command("sources", "add-registry", str(world / "feeds.toml"), stdout=io.StringIO())
    assert Source.objects.count() == 7
    started = time.monotonic()
    code, out, err = sync_command("--jobs", "4")
    assert code == 1
    assert time.monotonic() - started < 8  # the slow root's 5 s did not hold the others up
    assert "3 of 7 source(s) failed" in err
    named = err.split("source(s) failed", 1)[1].splitlines()[1:]
    failures = dict(line.strip().split(": ", 1) for line in named if line.startswith("  "))
    assert set(failures) == {"Down root", "Slow root", "HTML root"}
    assert "could not be read" in failures["Down root"]
    assert "SYNC_SOURCE_DEADLINE_SECONDS" in failures["Slow root"]
    assert "JSON" in failures["HTML root"]
    counts = {s.name: Meeting.objects.filter(source=s).count() for s in Source.objects.all()}
    assert counts == {
        "Good root one": 20,
        "Good root two": 20,
        "Down root": 0,
        "Slow root": 0,
        "HTML root": 0,
        "Feed A": 30,
        "Feed B": 5,
    }
    rows = {r["name"]: r for r in client.get("/api/v1/sources").json()["results"]}
    assert {n for n, r in rows.items() if r["status"] == "failing"} == {"Down root", "Slow root", "HTML root"}
    assert rows["Good root one"]["status"] == "ok" and rows["Feed A"]["meetings"] == 30
    assert "SYNC_SOURCE_DEADLINE_SECONDS" in rows["Slow root"]["last_error"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_scheduled_sync_needs_a_contact_and_skips_what_is_not_due(world, settings):
    settings.SYNC_SOURCE_DEADLINE_SECONDS = 2
    call_command("sources", "add-registry", str(world / "feeds.toml"), stdout=io.StringIO())
    settings.FEED_CONTACT = ""
    with pytest.raises(Exception, match="FEED_CONTACT"):
        call_command("sync", "--scheduled", stdout=io.StringIO())
    settings.FEED_CONTACT = "ops@example.org"
    code, out, _ = sync_command("--scheduled")
    assert code == 0 and "Feed A: synced: 30 added" in out
    code, out, _ = sync_command("--scheduled")
    assert code == 0 and "Feed A: not due (synced 0 min ago; due again in 4 h 00 min)" in out
    assert Source.objects.get(name="Feed A").last_status == SyncStatus.OK


@pytest.fixture
def three_feeds(tmp_path):
    for n in range(3):
        (tmp_path / f"f{n}.json").write_text(json.dumps([mg_meeting(n * 10 + k) for k in range(3)]))
    return [
        Source.objects.create(name=f"F{n}", format="meeting-guide", location=str(tmp_path / f"f{n}.json"))
        for n in range(3)
    ]


@pytest.mark.django_db(transaction=True)  # real commits: each source's commit announces its data version
def test_a_run_of_several_sources_publishes_its_files_once_at_the_end(three_feeds, settings, monkeypatch):
    """Building the feed files and the BMLT material after each source's commit was three quarters
    of a world sync (bench/world.py): a run builds them once, at its end."""
    from commonground.feeds.schedule import sync_all
    from commonground.web import publishing

    published: list[tuple] = []
    plain = publishing.publish_current
    monkeypatch.setattr(publishing, "publish_current", lambda **kw: published.append(plain(**kw)))
    reports = sync_all(three_feeds)
    assert all(r.added == 3 for r in reports)
    assert published == [DataVersion.current_with_time()] and settings.PUBLISH_MODE == "inline"


@pytest.mark.django_db(transaction=True)
def test_search_shows_each_source_as_soon_as_it_commits_in_a_run(three_feeds, settings):
    """A slow source late in a run must not keep the others out of search until the run ends: each
    commit brings the search index forward (the cheap part of publishing), the files wait."""
    from commonground.feeds import published
    from commonground.feeds.schedule import sync_all
    from commonground.search import store

    seen: list[tuple[str, bool, bool]] = []

    def heard(report):
        version = DataVersion.current_with_time()
        index = store.load(version)
        source = Source.objects.get(name=report.source)
        ids = set(Meeting.objects.filter(source=source).values_list("id", flat=True))
        in_search = index is not None and bool(ids) and ids <= set(index.c.ids.tolist())
        feed = published.find(published.ALL, version)
        seen.append((report.source, in_search, feed is not None and feed.version == DataVersion.label(version)))

    sync_all(three_feeds, on_report=heard)
    # After each commit the index for that version holds the source; the files wait for the end.
    assert seen == [("F0", True, False), ("F1", True, False), ("F2", True, False)]
    version = DataVersion.current_with_time()
    assert published.find(published.ALL, version).version == DataVersion.label(version)


@pytest.mark.django_db
def test_a_source_read_in_several_requests_never_takes_one_304_for_all_of_them(loopback, settings):
    """A root read in pages: page 1 unchanged (304) says nothing of page 2. Conditional requests are
    for a source read in one request; a source of several is compared by its bodies' digest."""
    settings.BMLT_PAGE_SIZE = 10
    rows = [bmlt_meeting(n) for n in range(1, 16)]

    def pages(data):
        out = {}
        for number in (1, 2):
            body = json.dumps(data[(number - 1) * 10 : number * 10]).encode()
            out[number] = Route(body, etag=f'"p{number}-{hash(body)}"')
        return out

    class Root(FeedServer):
        def __init__(self):
            super().__init__()
            self.pages = pages(rows)
            standin, plain = self, self.server.RequestHandlerClass.do_GET

            def do_get(handler):
                from urllib.parse import parse_qs, urlsplit

                query = parse_qs(urlsplit(handler.path).query)
                switcher = (query.get("switcher") or [""])[0]
                if switcher == "GetSearchResults":
                    standin.routes[urlsplit(handler.path).path] = standin.pages[int(query["page_num"][0])]
                else:
                    standin.routes[urlsplit(handler.path).path] = Route(b"[]", etag='"lists"')
                plain(handler)

            self.server.RequestHandlerClass.do_GET = do_get

    root = Root()
    loopback.append(root)
    url = host_url(root.url, "paged.example.org") + "/main_server/"
    assert import_location(url, name="Paged").added == 15
    rows[12] = {**rows[12], "meeting_name": "Renamed on page two"}
    root.pages = pages(rows)
    report = sync_source(Source.objects.get(name="Paged"))
    assert report.updated == 1 and Meeting.objects.filter(name="Renamed on page two").exists()
