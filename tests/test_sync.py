"""Sync: change detection by key and content hash, and all-or-nothing per source."""

import json

import pytest
from django.db import DatabaseError

from commonground.feeds.importing import import_location
from commonground.feeds.sync import sync_source
from commonground.meetings.bulk import RowWriter
from commonground.meetings.models import DataVersion, Meeting, Source


def feed(n=5, changes=None):
    rows = []
    for i in range(n):
        row = {
            "name": f"Group {i}",
            "slug": f"g{i}",
            "day": i % 7,
            "time": "19:00",
            "timezone": "America/Chicago",
            "formatted_address": f"{i} Main St, Dallas, TX 75201, USA",
            "types": ["O"],
        }
        row.update((changes or {}).get(i, {}))
        rows.append(row)
    return rows


@pytest.fixture
def location(tmp_path):
    path = tmp_path / "feed.json"

    def write(rows):
        path.write_text(json.dumps(rows))
        return str(path)

    return write


def state():
    return {m.key: (m.pk, m.name, m.content_hash, m.changed_at) for m in Meeting.objects.all()}


@pytest.mark.django_db
def test_add_update_remove_and_leave_unchanged_rows_untouched(location):
    first = import_location(location(feed(5)), name="S")
    assert (first.added, first.updated, first.removed, first.unchanged) == (5, 0, 0, 0)
    before = state()
    rows = feed(5, {1: {"name": "Renamed"}})[:4] + [feed(7)[6]]  # change g1, drop g4, add g6
    report = import_location(location(rows), name="S")
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 3)
    after = state()
    assert after["g1"][1] == "Renamed" and after["g1"][0] == before["g1"][0]  # same row, same id
    assert after["g1"][3] > before["g1"][3]
    for key in ("g0", "g2", "g3"):
        assert after[key] == before[key], "unchanged rows are not rewritten"
    assert "g4" not in after and "g6" in after


@pytest.mark.django_db
def test_an_unchanged_resync_changes_nothing_and_keeps_the_version(location):
    import_location(location(feed(20)), name="S")
    version, before = DataVersion.current(), state()
    report = import_location(location(feed(20)), name="S")
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 20)
    assert DataVersion.current() == version and state() == before
    assert Source.objects.get(name="S").last_status == "ok"


@pytest.mark.django_db
def test_a_reformatted_but_equal_row_is_unchanged(location):
    import_location(location(feed(3)), name="S")
    rows = feed(3)
    rows[0]["time"] = "7:00 PM"  # same meeting, written differently
    report = import_location(location(rows), name="S")
    assert (report.updated, report.unchanged) == (0, 3)


@pytest.mark.django_db
def test_every_sync_bumps_the_version_only_when_data_changed(location):
    import_location(location(feed(3)), name="S")
    v1 = DataVersion.current()
    import_location(location(feed(3, {0: {"notes": "New door"}})), name="S")
    assert DataVersion.current() == v1 + 1


@pytest.mark.django_db
def test_a_database_failure_halfway_leaves_everything_as_it_was(location, monkeypatch):
    import_location(location(feed(10)), name="S")
    before = state()
    version = DataVersion.current()
    calls = {"n": 0}
    real_write = RowWriter.write

    def failing_write(self, rows):
        calls["n"] += 1
        if calls["n"] == 2:  # the first batch is written, then the disk "fills up"
            raise DatabaseError("disk I/O error")
        real_write(self, rows)

    monkeypatch.setattr("commonground.feeds.sync.WRITE_BATCH", 2)
    monkeypatch.setattr(RowWriter, "write", failing_write)
    rows = feed(10, {3: {"name": "Changed"}}) + feed(16)[10:]  # 1 update, 6 adds
    report = import_location(location(rows), name="S")
    assert report.failed and report.errors[0]["code"] == "database"
    assert "nothing was changed" in report.errors[0]["message"]
    assert calls["n"] == 2
    assert state() == before and DataVersion.current() == version
    source = Source.objects.get(name="S")
    assert source.last_status == "failed" and "disk I/O error" in source.last_error


@pytest.mark.django_db
def test_a_failed_fetch_keeps_meetings_and_records_the_error(location, tmp_path):
    path = location(feed(4))
    import_location(path, name="S")
    before = state()
    (tmp_path / "feed.json").write_text("<html>Service unavailable</html>")
    report = sync_source(Source.objects.get(name="S"))
    assert report.failed and state() == before
    source = Source.objects.get(name="S")
    assert source.last_status == "failed" and "not valid JSON" in source.last_error
    assert source.last_counts["added"] == 4  # the last good sync's counts stay visible


@pytest.mark.django_db
def test_dry_run_changes_nothing(location):
    report = import_location(location(feed(3)), name="S", dry_run=True)
    assert report.added == 3 and report.dry_run
    assert not Meeting.objects.exists() and not Source.objects.exists()


@pytest.mark.django_db
def test_slugs_stay_unique_across_sources(location, tmp_path):
    import_location(location(feed(2)), name="A")
    other = tmp_path / "other.json"
    other.write_text(json.dumps(feed(2)))
    import_location(str(other), name="B")
    slugs = list(Meeting.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 4
    assert Meeting.objects.filter(source__name="B", slug__startswith="g0-s").exists()


@pytest.mark.django_db
def test_two_new_rows_wanting_one_slug_get_two_free_ones(location, tmp_path):
    """Two rows of one sync that make the same slug ("a b" and "a-b"): the second gets the
    fallback "<slug>-s<source>", or, when another source holds that already, the next free one."""
    import_location(location(feed(1)), name="B")
    source_b = Source.objects.get(name="B")
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{**feed(1)[0], "slug": f"a-b-s{source_b.pk}"}]))
    import_location(str(other), name="A")
    report = import_location(
        location(feed(1) + [{**feed(2)[1], "slug": "a b"}, {**feed(3)[2], "slug": "a-b"}]), name="B"
    )
    assert not report.errors and report.added == 2
    assert dict(Meeting.objects.filter(source=source_b).values_list("key", "slug")) == {
        "g0": "g0",
        "a b": "a-b",
        "a-b": f"a-b-s{source_b.pk}-2",
    }


@pytest.mark.django_db
def test_warnings_are_reported_again_on_every_sync(location):
    rows = feed(2, {0: {"conference_url": "https://example.net/room"}})
    first = import_location(location(rows), name="S")
    second = import_location(location(rows), name="S")
    assert [w.field for w in first.warnings] == [w.field for w in second.warnings] == ["conference_url"]
    assert second.unchanged == 2


@pytest.mark.django_db
def test_an_identical_feed_is_recognised_whole_and_full_still_checks_rows(location):
    path = location(feed(6, {2: {"conference_url": "https://example.net/x"}}))
    first = import_location(path, name="S")
    Meeting.objects.filter(key="g0").delete()  # someone removed a meeting by hand
    quick = import_location(path, name="S")
    assert (quick.unchanged, quick.added) == (5, 0)
    assert [w.as_dict() for w in quick.warnings] == [w.as_dict() for w in first.warnings]
    full = import_location(path, name="S", full=True)
    assert (full.added, full.unchanged) == (1, 5), "a full sync restores what the feed says"


@pytest.mark.django_db
def test_changed_import_settings_are_not_mistaken_for_an_identical_feed(location):
    path = location(feed(3))
    import_location(path, name="S")
    report = import_location(path, name="S", program="na")
    assert report.updated == 3 and set(Meeting.objects.values_list("program_id", flat=True)) == {"na"}


@pytest.mark.slow
@pytest.mark.django_db
def test_meetings_stored_with_the_legacy_hash_are_not_taken_for_changed(location):
    """Content hashes stored before HASH_PREFIX (SHA-1 of the fields' repr) are compared as they
    were made: a re-sync finds the unchanged meetings unchanged, and stores their new hash."""
    from commonground.meetings.derive import HASH_PREFIX, legacy_content_hash

    bold = {5: {"name": "<b>Bold</b> group"}}  # read with a warning, so it never has a raw digest
    import_location(location(feed(8, bold)), name="S")
    for meeting in Meeting.objects.all():
        assert meeting.content_hash.startswith(HASH_PREFIX)
        Meeting.objects.filter(pk=meeting.pk).update(
            content_hash=legacy_content_hash(dict(meeting.__dict__)), source_hash=""
        )
    Source.objects.filter(name="S").update(last_feed_digest="")  # as if an older version had synced
    before = state()
    report = import_location(location(feed(8, {**bold, 2: {"name": "Changed"}})), name="S")
    assert (report.updated, report.unchanged, report.added) == (1, 7, 0)
    after = state()
    assert [k for k in before if before[k][3] != after[k][3]] == ["g2"]  # only the changed one was rewritten
    assert all(m.content_hash.startswith(HASH_PREFIX) for m in Meeting.objects.all())
    again = import_location(location(feed(8, {**bold, 2: {"name": "Changed"}, 3: {"name": "Also"}})), name="S")
    assert (again.updated, again.unchanged) == (1, 7)


@pytest.mark.django_db
def test_a_sync_that_wrote_refreshes_the_planner_statistics(location, monkeypatch):
    seen = []
    monkeypatch.setattr("commonground.feeds.sync.refresh_statistics", seen.append)
    import_location(location(feed(12)), name="S")
    import_location(location(feed(12, {1: {"name": "Changed"}})), name="S", dry_run=True)
    import_location(location([{"name": "no slug"}]), name="S")  # refused: every row skipped
    import_location(location(feed(10)), name="S", allow_removals=True)
    assert seen == [12, 2]  # the dry run and the refused sync changed nothing


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_statistics_are_refreshed_on_postgresql_only_after_a_large_change(location):
    from django.db import connection

    from commonground.meetings.bulk import ANALYZE_AFTER_ROWS, refresh_statistics

    import_location(location(feed(3)), name="S")
    assert not refresh_statistics(ANALYZE_AFTER_ROWS - 1)
    ran = refresh_statistics(ANALYZE_AFTER_ROWS)
    assert ran == (connection.vendor == "postgresql")
    if ran:  # ANALYZE sets the planner's row count at once
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Meeting._meta.db_table])
            assert cursor.fetchone()[0] == 3
