"""Rows normalised by forked workers give the very sync the single process gives: the same
meetings, counts, skips and warnings in feed order, on a first import and on a re-sync."""

import json

import pytest

from commonground.feeds import parallel
from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting


def feed_rows(n: int, changed: int = 0) -> list:
    rows = []
    for i in range(n):
        row = {
            "name": f"Group {i}",
            "slug": f"g{i}",
            "day": i % 7,
            "time": f"{6 + i % 15:02d}:30",
            "timezone": "America/Chicago",
            "formatted_address": f"{i} Main St, Dallas, TX 75201, USA",
            "types": ["O", "D"] if i % 3 else ["C"],
            "notes": "Back door" if i % 5 else "",
        }
        if i % 97 == 0:
            row["name"] = f"<b>Group</b> {i}"  # a warning: HTML removed
        if i % 89 == 0:
            row["day"] = "someday"  # skipped: not a weekday
        if i % 83 == 0:
            row["day"] = [1, 3]  # two meetings from one row
        if i % 101 == 0:
            row["slug"] = "g1"  # a slug used before: skipped
        if i < changed:
            row["notes"] = "Changed"
        if i % 113 == 0:
            row = ["not", "an", "object"]
        rows.append(row)
    return rows


def run(tmp_path, name: str, rows: list, settings, workers: int):
    settings.IMPORT_WORKERS = workers
    settings.IMPORT_PARALLEL_ROWS = 50
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(rows))
    report = import_location(str(path), name=name)
    stored = {
        m.key: (m.content_hash, m.source_hash, m.name, m.weekday) for m in Meeting.objects.filter(source__name=name)
    }
    warnings = [(w.row, w.key, w.field, w.message, w.skipped) for w in report.warnings]
    return report.counts(), warnings, stored


@pytest.fixture
def pools(monkeypatch) -> list[bool]:
    """Whether each sync from here on started workers, in order."""
    started = []
    real_exit = parallel.Normaliser.__exit__

    def note_pool(self, *exc):
        started.append(self.pool is not None)
        return real_exit(self, *exc)

    monkeypatch.setattr(parallel.Normaliser, "__exit__", note_pool)
    return started


@pytest.mark.slow
@pytest.mark.django_db
def test_workers_import_exactly_what_one_process_imports(tmp_path, settings, pools):
    for step, rows in enumerate([feed_rows(1500), feed_rows(1500, changed=400), feed_rows(1400)]):
        one = run(tmp_path, "one", rows, settings, workers=1)
        many = run(tmp_path, "many", rows, settings, workers=2)
        assert one[0] == many[0], step
        assert one[1] == many[1], step
        assert one[2] == many[2], step
    assert one[0]["skipped"] > 0 and len(one[1]) > 20
    assert pools == [False, True] * 3  # the second of each pair did run workers


@pytest.mark.django_db
def test_a_small_feed_starts_no_workers(tmp_path, settings, monkeypatch):
    settings.IMPORT_WORKERS, settings.IMPORT_PARALLEL_ROWS = 2, 5000
    monkeypatch.setattr(parallel.multiprocessing, "get_context", lambda *a: pytest.fail("a pool was started"))
    path = tmp_path / "small.json"
    path.write_text(json.dumps(feed_rows(300)))
    assert import_location(str(path), name="small").added > 250


@pytest.mark.slow
@pytest.mark.django_db
def test_workers_run_below_the_sync_s_own_priority(tmp_path, settings, monkeypatch):
    """The sync's process is the narrow end of the pipeline, so its workers yield the CPU to it."""
    import os

    real = parallel.to_meetings

    def noting_priority(row, ctx):
        return [{**m, "name": f"{m['name']} at {os.nice(0)}"} for m in real(row, ctx)]

    monkeypatch.setattr(parallel, "to_meetings", noting_priority)
    rows = [{"name": f"G{i}", "slug": f"g{i}", "day": 1, "time": "19:00", "timezone": "UTC"} for i in range(1200)]
    settings.IMPORT_WORKERS, settings.IMPORT_PARALLEL_ROWS = 2, 50
    path = tmp_path / "nice.json"
    path.write_text(json.dumps(rows))
    assert import_location(str(path), name="nice").added == 1200
    ours = os.nice(0)
    seen = {int(name.rsplit(" ", 1)[1]) for name in Meeting.objects.values_list("name", flat=True)}
    assert seen == {ours, min(ours + parallel.NICE, 19)}  # the first rows in the sync's process, the rest in workers


@pytest.mark.slow
@pytest.mark.django_db
def test_a_first_import_starts_workers_early_and_a_resync_that_changed_little_does_not(tmp_path, settings, pools):
    settings.IMPORT_WORKERS, settings.IMPORT_PARALLEL_ROWS = 2, 5000
    path = tmp_path / "early.json"
    path.write_text(json.dumps(feed_rows(1600)))
    import_location(str(path), name="early")
    assert pools == [True]  # nothing stored: every row must be read, so workers start after 1,000
    path.write_text(json.dumps(feed_rows(1600, changed=1200)))
    import_location(str(path), name="early")
    assert pools == [True, False]  # 1,200 rows to read again: fewer than IMPORT_PARALLEL_ROWS
