"""One meeting, one listing: the same meeting from two sources is shown once, naming both."""

import io
import json

import pytest
from django.core.management import call_command

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting, Source
from commonground.search import engine
from tests.tiers import sweep

BRONX = "?near=Bronx%2C+NY&radius_km=30&limit=200"


@pytest.fixture(autouse=True)
def _fresh_index():
    engine.reset()
    yield
    engine.reset()


@pytest.fixture
def feed(tmp_path):
    counter = iter(range(10**6))

    def write(*rows):
        path = tmp_path / f"feed-{next(counter)}.json"
        path.write_text(json.dumps(list(rows)))
        return str(path)

    return write


def row(slug, **changes):
    base = {
        "name": "Nothing Macho",
        "slug": slug,
        "day": 6,
        "time": "14:00",
        "timezone": "America/New_York",
        "location": "North Central Bronx Hospital, Room 14B07",
        "address": "3424 Kossuth Ave.",
        "city": "Bronx",
        "state": "NY",
        "postal_code": "10467",
        "country": "USA",
        "latitude": 40.880619,
        "longitude": -73.881496,
        "types": ["O"],
        "program": "na",
    }
    base.update(changes)
    return base


def pairs():
    out = io.StringIO()
    call_command("duplicates_report", "--json", stdout=out)
    return json.loads(out.getvalue())


def feed_length(client) -> int:
    return len(json.loads(b"".join(client.get("/feeds/meeting-guide.json").streaming_content)))


def api_count(client, query=BRONX):
    engine.reset()
    return client.get(f"/api/v1/meetings{query}").json()["count"]


@pytest.mark.slow
@pytest.mark.django_db
def test_the_real_bmlt_sample_imported_twice_is_listed_once(samples, client, tmp_path):
    import shutil

    copy = shutil.copytree(samples / "bmlt-bronx", tmp_path / "bronx-copy")
    import_location(str(samples / "bmlt-bronx"), name="Greater New York Region")
    alone = api_count(client)
    feed_alone = feed_length(client)
    import_location(str(copy), name="Bronx Area copy")
    assert Meeting.objects.count() == 226  # both raw rows are kept
    found = pairs()
    assert len(found) == 113
    # Each pair is the same meeting: the same key at both sources.
    assert all(p["primary"]["url"].rsplit("/", 1)[1] == p["duplicate"]["url"].rsplit("/", 1)[1] for p in found)
    assert {p["primary"]["source"] for p in found} == {"Greater New York Region"}
    assert min(p["score"] for p in found) >= 0.9
    assert api_count(client) == alone  # search counts each meeting once
    assert feed_length(client) == feed_alone


@pytest.mark.slow
@pytest.mark.django_db
def test_both_sources_are_named_on_the_page_and_in_the_api(feed, client):
    import_location(feed(row("a")), name="Bronx Area")
    import_location(
        feed(row("b", name="Nothing Macho Group", latitude=40.88080, longitude=-73.88130)), name="Region server"
    )
    first, second = Meeting.objects.get(key="a"), Meeting.objects.get(key="b")
    assert second.duplicate_of_id == first.pk and first.duplicate_of_id is None
    results = client.get(f"/api/v1/meetings{BRONX}").json()["results"]
    assert [r["url"] for r in results] == ["/meetings/bronx-area/a"]
    assert results[0]["also_listed_by"] == [
        {"source": "Region server", "url": "/meetings/region-server/b", "primary": False}
    ]
    page = client.get("/meetings/region-server/b").content.decode()
    assert "Listed by Region server" in page and 'href="/meetings/bronx-area/a">Bronx Area</a>' in page
    assert "show this meeting once" in page
    assert 'href="/meetings/region-server/b">Region server</a>' in client.get("/meetings/bronx-area/a").content.decode()


@pytest.mark.django_db
@sweep(
    "other, why",
    [
        (row("b", time="19:00"), "the same place at another hour"),
        (
            row("b", location="North Central Bronx Hospital, Room 2", name="Nothing Macho"),
            "the same hour in another room",
        ),
        (row("b", name="Bronx Women's Step Study", location=""), "another group at the same place and hour"),
        (row("b", program="aa"), "another program at the same place and hour"),
        (row("b", latitude=40.8835, longitude=-73.8815, address="3555 Kossuth Ave."), "the same name 320 m away"),
        (row("b", day=5), "another weekday"),
    ],
)
def test_near_misses_are_not_merged(feed, client, other, why):
    import_location(feed(row("a")), name="Bronx Area")
    import_location(feed(other), name="Region server")
    assert pairs() == [], why
    assert not Meeting.objects.filter(duplicate_of__isnull=False).exists(), why


@pytest.mark.django_db
def test_women_and_men_meetings_in_one_hall_stay_apart(feed):
    import_location(feed(row("a", types=["W"], name="Step Sisters")), name="Bronx Area")
    import_location(feed(row("b", types=["M"], name="Step Brothers")), name="Region server")
    import_location(feed(row("c", types=["W"], name="Steps")), name="Third list")
    assert pairs() == []


@pytest.mark.django_db
def test_one_zoom_room_under_two_hosts_is_one_meeting(feed):
    online = {
        "address": "",
        "location": "",
        "city": "",
        "postal_code": "",
        "latitude": None,
        "longitude": None,
        "formatted_address": "",
    }
    import_location(feed(row("a", **online, conference_url="https://zoom.us/j/81234567890?pwd=abc")), name="Online A")
    import_location(
        feed(row("b", **online, name="NOTHING MACHO (online)", conference_url="https://us02web.zoom.us/j/81234567890")),
        name="Online B",
    )
    assert [(p["matched_by"], p["duplicate"]["source"]) for p in pairs()] == [("link", "Online B")]


@pytest.mark.slow
@pytest.mark.django_db
def test_a_duplicate_comes_back_when_its_primary_leaves(feed, client):
    import_location(feed(row("a"), row("x", name="Other", time="09:00")), name="Bronx Area")
    import_location(feed(row("b")), name="Region server")
    assert api_count(client) == 2
    import_location(feed(row("x", name="Other", time="09:00")), name="Bronx Area", allow_removals=True)
    assert Meeting.objects.get(key="b").duplicate_of_id is None
    assert api_count(client) == 2  # "x", and "b" back in search
    assert pairs() == []


@pytest.mark.django_db
def test_the_report_reads_plainly(feed):
    import_location(feed(row("a")), name="Bronx Area")
    import_location(feed(row("b")), name="Region server")
    out = io.StringIO()
    call_command("duplicates_report", stdout=out)
    text = out.getvalue()
    assert "Saturday 14:00 America/New_York  [na] matched by coordinates" in text
    assert "shown:  Bronx Area: Nothing Macho  /meetings/bronx-area/a" in text
    assert "hidden: Region server: Nothing Macho  /meetings/region-server/b" in text
    assert text.strip().endswith("1 pair(s).")
    assert Source.objects.count() == 2
