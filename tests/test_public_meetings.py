"""Which meetings are public has one owner (meetings/public.py): the ORM manager and the SQL
fragment the raw readers use select the same listings, and every reader (search, the Meeting
Guide feed, the BMLT answers, the program page's count) agrees with them.

The data set: demo meetings, a second intergroup that lists some of them again (hidden as
duplicates of the demo listings), a third whose feed has failed for too long (disconnected), and
a few listings that are inactive (temporarily closed with no online option).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.db import connection

from commonground.meetings import duplicates
from commonground.meetings.models import DataVersion, Meeting, Source
from commonground.search import engine
from tests.tiers import sweep

COPIED = (
    "program_id",
    "name",
    "weekday",
    "start_time",
    "duration_minutes",
    "timezone",
    "location",
    "address",
    "city",
    "region",
    "country",
    "formatted_address",
    "latitude",
    "longitude",
    "coordinates_source",
    "approximate",
    "regions",
    "types",
    "tag_bits",
    "languages",
    "attendance_mode",
    "conference_url",
)


def _copy(meetings, source: Source, prefix: str, **changes) -> list[Meeting]:
    rows = [
        Meeting(
            source=source,
            key=f"{prefix}-{m.key}",
            slug=f"{prefix}-{m.key}",
            **{**{f: getattr(m, f) for f in COPIED}, **changes},
        )
        for m in meetings
    ]
    return Meeting.objects.bulk_create(rows)


@pytest.fixture
def dataset(demo_meetings):
    """Returns the ids of the hidden duplicates, the disconnected source's and the inactive ones."""
    demo_meetings(300, seed=5)
    demo = list(Meeting.objects.filter(weekday__isnull=False).order_by("id"))
    again = Source.objects.create(name="Second intergroup", format="meeting-guide")
    _copy(demo[:40], again, "again")  # the same meetings: hidden behind the demo source's listings
    _copy(demo[40:45], again, "own", weekday=None, start_time=None)  # its own (24/7 groups)
    gone = Source.objects.create(
        name="Failing intergroup", format="meeting-guide", disconnected_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    _copy(demo[60:90], gone, "gone", start_time="06:01")
    duplicates.refresh()
    inactive = [m.pk for m in demo[100:110]] + [m.pk for m in Meeting.objects.filter(source=again)[30:35]]
    Meeting.objects.filter(pk__in=inactive).update(attendance_mode="inactive")
    DataVersion.bump()
    engine.reset()
    hidden = set(Meeting.objects.filter(duplicate_of__isnull=False).values_list("id", flat=True))
    assert len(hidden) >= 30, "the copies pair up with the demo listings"
    return {
        "hidden": hidden,
        "gone": set(Meeting.objects.filter(source=gone).values_list("id", flat=True)),
        "inactive": set(inactive),
    }


def expected(*, inactive: bool) -> set[int]:
    """The rule as the docs state it (docs/feeds.md, docs/search.md), walked in Python."""
    return {
        m.pk
        for m in Meeting.objects.select_related("source")
        if m.duplicate_of_id is None
        and m.source.disconnected_at is None
        and (inactive or m.attendance_mode != "inactive")
    }


def fragment_ids(**kwargs) -> set[int]:
    from commonground.meetings.public import public_where

    sql, params = public_where(connection, **kwargs)
    table = connection.ops.quote_name(Meeting._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {sql}", params)
        return {row[0] for row in cursor.fetchall()}


@sweep("inactive", [False, True])
def test_the_manager_and_the_sql_fragment_select_the_same_meetings(dataset, inactive):
    orm = set(Meeting.objects.public(inactive=inactive).values_list("id", flat=True))
    assert orm == expected(inactive=inactive)
    assert fragment_ids(inactive=inactive) == orm
    assert not orm & (dataset["hidden"] | dataset["gone"])
    assert bool(orm & dataset["inactive"]) == inactive
    assert Meeting.objects.count() > len(orm) > 250


@pytest.mark.slow
def test_the_fragment_without_the_duplicate_index_selects_the_same(dataset):
    assert fragment_ids(duplicate_index=False) == fragment_ids() == expected(inactive=False)


@pytest.mark.slow
def test_the_search_index_holds_exactly_the_public_meetings(dataset):
    index = engine.current_index()
    assert set(index.c.ids.tolist()) == set(Meeting.objects.public().values_list("id", flat=True))


@pytest.mark.slow
def test_the_meeting_guide_feed_holds_the_public_meetings_inactive_ones_too(dataset):
    from commonground.feeds.meeting_guide.selection import FeedSelection

    assert {row.id for row in FeedSelection()} == set(
        Meeting.objects.public(inactive=True).values_list("id", flat=True)
    )


@pytest.mark.slow
def test_the_bmlt_answers_hold_the_public_meetings(dataset, client):
    public = Meeting.objects.public()
    scheduled = public.filter(weekday__isnull=False, start_time__isnull=False).count()
    round_the_clock = public.filter(weekday__isnull=True, start_time__isnull=True).count()
    assert round_the_clock >= 5
    answer = client.get("/bmlt/client_interface/json/", {"switcher": "GetSearchResults", "page_size": 5000}).json()
    assert len(answer) == scheduled + 7 * round_the_clock  # a 24/7 group once per weekday
    bodies = client.get("/bmlt/client_interface/json/", {"switcher": "GetServiceBodies"}).json()
    assert "Failing intergroup" not in {b["name"] for b in bodies}


@pytest.mark.slow
@pytest.mark.parametrize("code", ["aa", "na"])
def test_the_program_page_counts_what_search_finds(dataset, client, code):
    searched = client.get("/api/v1/meetings", {"program": code, "limit": 1}).json()["count"]
    listed_there = Meeting.objects.filter(program_id=code)
    assert listed_there.filter(pk__in=dataset["hidden"] | dataset["gone"]).exists(), "the data set tests something"
    html = client.get(f"/programs/{code}").content.decode()
    shown = re.search(r"See (\d+) meetings?", html)
    assert shown and int(shown.group(1)) == searched


@pytest.mark.slow
def test_the_feed_file_and_search_count_each_meeting_once(dataset, client):
    feed = json.loads(b"".join(client.get("/feeds/meeting-guide.json").streaming_content))
    assert len(feed) == Meeting.objects.public(inactive=True).count()


# The rule's pieces, as a reader would write them again by hand (SQL or ORM).
RESTATED = re.compile(
    r"disconnected_at IS NOT NULL|disconnected_at__isnull|duplicate_of_id IS NULL"
    r"|duplicate_of__isnull=True|attendance_mode <>|attendance_mode != 'inactive'"
    r"|exclude\(attendance_mode"
)
# Not readers of public meetings: duplicates.py picks the candidates the duplicate rule is worked
# out from (scheduled, active, connected listings), before any listing is hidden.
NOT_READERS = {"meetings/duplicates.py"}


def test_no_reader_writes_the_rule_again():
    from pathlib import Path

    import commonground

    root = Path(commonground.__file__).parent
    found = []
    for path in root.rglob("*.py"):
        name = path.relative_to(root).as_posix()
        if name == "meetings/public.py" or name in NOT_READERS or "/tests/" in f"/{name}" or "/migrations/" in name:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if RESTATED.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "which meetings are public is meetings/public.py's rule:\n" + "\n".join(found)
