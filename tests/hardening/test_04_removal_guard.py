"""Item 4: an empty or all-invalid feed never wipes a source (an upstream outage is not a closure)."""

import json
import subprocess

import pytest

from commonground.feeds.importing import import_location
from commonground.meetings.models import DataVersion, Meeting, Source
from tests.hardening.conftest import good_row

ROWS = [good_row(f"m{i}") for i in range(10)]


@pytest.fixture
def stored(feed_path):
    import_location(feed_path(ROWS), name="S")
    return {m.key: m.content_hash for m in Meeting.objects.all()}


def unchanged(before):
    return {m.key: m.content_hash for m in Meeting.objects.all()} == before


@pytest.mark.django_db
def test_item04_an_empty_feed_is_refused(feed_path, stored):
    version = DataVersion.current()
    report = import_location(feed_path([]), name="S")
    assert report.failed and report.errors[0]["code"] == "too-many-removals"
    assert (
        "10 of the source's 10 meetings" in report.errors[0]["message"]
        and "--allow-removals" in report.errors[0]["message"]
    )
    assert unchanged(stored) and DataVersion.current() == version
    source = Source.objects.get(name="S")
    assert source.last_status == "failed" and "remove 10" in source.last_error


@pytest.mark.django_db
def test_item04_a_feed_whose_every_row_is_skipped_is_refused(feed_path, stored):
    broken = [{**r, "timezone": "Mars/Olympus"} for r in ROWS]
    report = import_location(feed_path(broken), name="S")
    assert report.failed and report.errors[0]["code"] == "all-skipped" and unchanged(stored)


@pytest.mark.django_db
def test_item04_more_than_half_removed_is_refused_half_is_allowed(feed_path, stored):
    assert import_location(feed_path(ROWS[:4]), name="S").failed and unchanged(stored)  # 6 of 10 would go
    report = import_location(feed_path(ROWS[:5]), name="S")  # 5 of 10: not more than half
    assert not report.failed and report.removed == 5 and Meeting.objects.count() == 5


@pytest.mark.django_db
def test_item04_allow_removals_overrides(feed_path, stored):
    report = import_location(feed_path([]), name="S", allow_removals=True)
    assert not report.failed and report.removed == 10 and not Meeting.objects.exists()


@pytest.mark.django_db
def test_item04_the_share_is_a_setting(feed_path, stored, settings):
    settings.SYNC_MAX_REMOVAL_SHARE = 0.2
    assert import_location(feed_path(ROWS[:7]), name="S").failed  # 30% > 20%


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_item04_the_cli_exits_non_zero(tmp_path):
    from tests.test_cli import EXE

    env_db = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
        "PATH": "/usr/bin:/bin",
    }
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(ROWS))
    assert subprocess.run([EXE, "import", str(feed), "--name", "S"], env=env_db, capture_output=True).returncode == 0
    feed.write_text("[]")
    result = subprocess.run([EXE, "sync"], env=env_db, capture_output=True, text=True)
    assert result.returncode == 1 and "would remove 10" in result.stdout
    result = subprocess.run([EXE, "sync", "--allow-removals"], env=env_db, capture_output=True, text=True)
    assert result.returncode == 0 and "10 removed" in result.stdout
