"""Every clock on the newest time-zone rules available (issue 27, item 1).

Python's zoneinfo reads the system's files first (Debian's 2025b here) and only falls back to the
`tzdata` package (2026f here). Under 2026f, British Columbia, Alberta and Manitoba stay on UTC-7,
-6 and -5 all winter; under 2025b they fall back to -8, -7 and -6, an hour off. The expected
offsets below were read from the installed package's own files (see `package_zone`), not taken
on trust.
"""

from __future__ import annotations

import importlib.resources
import multiprocessing
import subprocess
import sys
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import tzdata
from search_oracle import oracle

from commonground import tzdb
from commonground.meetings import schedule
from commonground.meetings.models import DataVersion
from commonground.search.query import parse_query

WINTER = datetime(2027, 1, 15, 12, 0)  # a Friday
CHANGED = [("America/Vancouver", -7), ("America/Edmonton", -6), ("America/Winnipeg", -5)]
NEW_RULES = tzdb.parse_version(tzdata.IANA_VERSION) >= tzdb.parse_version("2026f")


def package_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone straight from the tzdata package's file, whatever zoneinfo's search path says."""
    with importlib.resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as fh:
        return zoneinfo.ZoneInfo.from_file(fh, key=name)


def system_zone(name: str) -> zoneinfo.ZoneInfo | None:
    for folder in tzdb.SYSTEM_TZPATH:
        path = Path(folder, name)
        if path.is_file():
            with path.open("rb") as fh:
                return zoneinfo.ZoneInfo.from_file(fh, key=name)
    return None


@pytest.mark.skipif(not NEW_RULES, reason="the installed tzdata package predates 2026f")
@pytest.mark.parametrize(("name", "hours"), CHANGED)
def test_the_changed_canadian_zones_keep_their_summer_offset_in_january_2027(name, hours):
    assert package_zone(name).utcoffset(WINTER) == timedelta(hours=hours)  # what the package says
    assert schedule.zone(name).utcoffset(WINTER) == timedelta(hours=hours)  # what we use
    assert zoneinfo.ZoneInfo(name).utcoffset(WINTER) == timedelta(hours=hours)  # what any library here gets


@pytest.mark.skipif(not NEW_RULES, reason="the installed tzdata package predates 2026f")
def test_a_vancouver_meeting_at_seven_in_the_evening_starts_at_two_utc():
    tz = schedule.zone("America/Vancouver")
    assert schedule.occurrence(date(2027, 1, 15), time(19, 0), tz) == datetime(2027, 1, 16, 2, 0, tzinfo=UTC)
    after = datetime(2027, 1, 14, tzinfo=UTC)
    assert schedule.next_occurrence(5, time(19, 0), tz, after) == datetime(2027, 1, 16, 2, 0, tzinfo=UTC)


def test_this_test_would_fail_on_the_older_system_rules():
    """The test above tells the two databases apart: on the system's older files Vancouver is
    UTC-8 in January 2027, and what we use is not that."""
    system = tzdb.system_version()
    older = system is not None and tzdb.parse_version(system[0]) < tzdb.parse_version(tzdata.IANA_VERSION)
    if not older or system_zone("America/Vancouver") is None:
        pytest.skip("the system's tz database is not older than the package's here")
    old = system_zone("America/Vancouver").utcoffset(WINTER)
    new = package_zone("America/Vancouver").utcoffset(WINTER)
    assert old != new
    assert schedule.zone("America/Vancouver").utcoffset(WINTER) == new != old


def test_the_newest_database_is_chosen():
    pkg = ("2026f", "package")
    assert tzdb.choose(("2025b", "/usr/share/zoneinfo"), "2026f").source == "package"
    assert tzdb.choose(("2025b", "/usr/share/zoneinfo"), "2026f").tzpath == ()
    newer = tzdb.choose(("2027a", "/usr/share/zoneinfo"), pkg[0])
    assert (newer.source, newer.version, newer.tzpath) == ("system", "2027a", ("/usr/share/zoneinfo",))
    assert tzdb.choose(None, "2026f").source == "package"  # no tzdata.zi to read: the package's
    assert tzdb.choose(("2025b", "/usr/share/zoneinfo"), None).source == "system"  # no package
    assert tzdb.choose(("2026f", "/usr/share/zoneinfo"), "2026f").version == "2026f"
    assert tzdb.parse_version("2026f") > tzdb.parse_version("2025z") and tzdb.parse_version(
        "2026za"
    ) > tzdb.parse_version("2026z")


def test_the_version_in_use_is_the_newest_and_is_what_zoneinfo_reads():
    system = tzdb.system_version()
    candidates = [tzdata.IANA_VERSION] + ([system[0]] if system else [])
    assert tzdb.version() == max(candidates, key=tzdb.parse_version)
    if tzdb.CHOICE.source == "package":
        assert zoneinfo.TZPATH == ()


@pytest.mark.slow
@pytest.mark.skipif(not NEW_RULES, reason="the installed tzdata package predates 2026f")
def test_a_fresh_process_that_loads_the_settings_uses_the_same_database():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'commonground.settings');"
        "django.setup(); from datetime import datetime; from zoneinfo import ZoneInfo;"
        "print(ZoneInfo('America/Vancouver').utcoffset(datetime(2027, 1, 15, 12)).total_seconds())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert float(out.stdout.strip()) == package_zone("America/Vancouver").utcoffset(WINTER).total_seconds()


def _offset_in_child(queue):
    queue.put(zoneinfo.ZoneInfo("America/Edmonton").utcoffset(WINTER))


@pytest.mark.skipif(not NEW_RULES, reason="the installed tzdata package predates 2026f")
def test_a_forked_builder_uses_the_same_database():
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_offset_in_child, args=(queue,))
    child.start()
    got = queue.get(timeout=60)
    child.join()
    assert got == package_zone("America/Edmonton").utcoffset(WINTER)


def test_the_tz_version_is_part_of_the_data_version_label(monkeypatch):
    """The index, the published feeds and the BMLT material are stored per label: a new tz
    database names a new folder, so each is built again on its rules."""
    label = DataVersion.label((3, datetime(2026, 12, 1, tzinfo=UTC)))
    assert label.endswith("-tz" + tzdb.version())
    monkeypatch.setattr(tzdb, "CHOICE", tzdb.choose(None, "2099a"))
    assert DataVersion.label((3, datetime(2026, 12, 1, tzinfo=UTC))) != label
    assert len(DataVersion.label((10**12, datetime(2026, 12, 1, tzinfo=UTC)))) <= 40  # DataChange.label's width


def test_describe_names_the_version_and_warns_when_the_system_is_older():
    text = tzdb.describe(tzdb.choose(("2025b", "/usr/share/zoneinfo"), "2026f"))
    assert "2026f" in text and "2025b" in text and "older" in text
    assert "older" not in tzdb.describe(tzdb.choose(("2026f", "/usr/share/zoneinfo"), "2026f"))


@pytest.mark.django_db
@pytest.mark.skipif(not NEW_RULES, reason="the installed tzdata package predates 2026f")
def test_the_oracle_uses_the_same_database(make_meeting):
    """The search tests' brute-force oracle: a Winnipeg meeting at 19:00 on a January Friday
    starts at 00:00 UTC (UTC-5), as the engine says."""
    from commonground.search import engine

    meeting = make_meeting(
        timezone="America/Winnipeg",
        weekday=5,
        start_time=time(19, 0),
        attendance_mode="online",
        conference_url="https://zoom.us/j/123456789",
        latitude=None,
        longitude=None,
        formatted_address="",
    )
    DataVersion.bump()
    now = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    query = parse_query({"now": now.isoformat(), "mode": "online"})
    _count, rows = oracle(query)
    assert (meeting.pk, datetime(2027, 1, 16, 0, 0, tzinfo=UTC)) in [(pk, start) for pk, start, _d in rows]
    page = engine.search(query)
    assert [(r["id"], r["starts_at"]) for r in page.results] == [(pk, start) for pk, start, _d in rows]
    engine.reset()


def test_commonground_check_says_which_database_it_uses(capsys):
    from commonground import cli

    cli.main(["check"])
    out = capsys.readouterr().out
    assert f"Time-zone database: IANA {tzdb.version()}" in out
    assert "no issues" in out
    system = tzdb.system_version()
    if system and tzdb.parse_version(system[0]) < tzdb.parse_version(tzdb.version()):
        assert f"({system[0]}) is older" in out
