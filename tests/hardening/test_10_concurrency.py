"""Item 10: imports never stall searches, and concurrent imports queue instead of crashing.

- A worker keeps answering from the index it has while the new version is built elsewhere, then
  maps the stored one in; the stored arrays are memory maps, shared between processes.
- A second sync of a source waits for the first (or refuses with ``wait=False``) and plans
  against what the first one wrote; a small import during a big one waits for SQLite's writer
  slot instead of failing with "database is locked".
"""

import json
import subprocess
import threading
import time

import numpy as np
import pytest

from commonground.feeds.importing import import_location
from commonground.locks import source_lock
from commonground.meetings.models import DataVersion
from commonground.search import engine, store
from commonground.search.query import parse_query
from tests.hardening.conftest import good_row
from tests.test_cli import EXE


@pytest.mark.django_db
def test_item10_a_worker_answers_from_the_old_index_while_the_new_one_is_built(feed_path, settings, monkeypatch):
    engine.reset()
    import_location(feed_path([good_row("a", name="Alpha")]), name="S")
    old = engine.current_index()
    assert old.size == 1

    settings.PUBLISH_MODE = "background"
    asked = []
    monkeypatch.setattr(engine, "request_build", lambda: asked.append(True))
    real_build = store.build
    monkeypatch.setattr(store, "build", lambda *a, **k: (_ for _ in ()).throw(AssertionError("built in a request")))
    import_location(feed_path([good_row("a", name="Alpha"), good_row("b", name="Beta")]), name="S")
    started = time.perf_counter()
    during = engine.current_index()
    assert during is old and asked, "the old index answers at once, and a build is asked for"
    assert time.perf_counter() - started < 0.5

    real_build(DataVersion.current_with_time())  # what the builder process does
    after = engine.current_index()
    assert after.size == 2 and after.version == DataVersion.current_with_time()
    assert engine.search(parse_query({"q": "beta"})).count == 1
    engine.reset()


@pytest.mark.django_db
def test_item10_stored_indexes_are_memory_maps(feed_path):
    engine.reset()
    import_location(feed_path([good_row("a")]), name="S")
    index = engine.current_index()
    assert isinstance(index.c.ids, np.memmap) and isinstance(index.geo_keys, np.memmap)
    assert not index.c.ids.flags.writeable
    assert type(index.c.texts.blob).__name__ == "mmap"
    engine.reset()


@pytest.mark.django_db
def test_item10_a_second_sync_of_a_source_can_refuse_instead_of_waiting(feed_path):
    path = feed_path([good_row("a")])
    import_location(path, name="S")
    from commonground.feeds.sync import sync_source
    from commonground.meetings.models import Source

    source = Source.objects.get(name="S")
    held, release = threading.Event(), threading.Event()

    def other_process():  # another connection (and, on PostgreSQL, another session) holds the lock
        from django.db import connection

        with source_lock("S"):
            held.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=other_process)
    holder.start()
    held.wait(5)
    try:
        report = sync_source(source, wait=False)
    finally:
        release.set()
        holder.join(10)
    assert report.failed and report.errors[0]["code"] == "busy"
    assert Source.objects.get(name="S").last_status == "ok", "a refused sync is not a failed source"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_item10_a_waiting_sync_plans_against_what_the_first_one_wrote(feed_path):
    path = feed_path([good_row(f"m{i}") for i in range(5)])
    results = {}
    lock_held = threading.Event()
    release = threading.Event()

    def first():  # another sync holding the source (as a long import would)
        with source_lock("S"):
            lock_held.set()
            release.wait(10)

    holder = threading.Thread(target=first)
    holder.start()
    lock_held.wait(5)
    waiter = threading.Thread(target=lambda: results.setdefault("second", import_location(path, name="S")))
    waiter.start()
    time.sleep(0.3)
    assert waiter.is_alive(), "the second sync waits for the lock"
    release.set()
    holder.join(10)
    waiter.join(20)
    assert results["second"].added == 5 and not results["second"].failed


def _big_feed(path, n):
    rows = [good_row(f"big-{i}", name=f"Group {i}", day=i % 7) for i in range(n)]
    path.write_text(json.dumps(rows))


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_item10_concurrent_imports_queue_instead_of_crashing(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
        "PATH": "/usr/bin:/bin",
    }
    assert subprocess.run([EXE, "migrate", "-v", "0"], env=env).returncode == 0
    big, small = tmp_path / "big.json", tmp_path / "small.json"
    _big_feed(big, 40_000)
    small.write_text(json.dumps([good_row("small")]))
    first = subprocess.Popen(
        [EXE, "import", str(big), "--name", "Big"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(1.5)  # the big import is writing now
    second = subprocess.run([EXE, "import", str(small), "--name", "Small"], env=env, capture_output=True, text=True)
    same = subprocess.run([EXE, "import", str(big), "--name", "Big"], env=env, capture_output=True, text=True)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr + second.stdout
    assert "database is locked" not in second.stderr + second.stdout
    assert same.returncode == 0, same.stderr + same.stdout
    assert "40000 added" in out and "40000 unchanged" in same.stdout, (out, same.stdout)
    assert "Waiting for another" in second.stderr + same.stderr, "the waits are announced"
    listing = subprocess.run([EXE, "export"], env=env, capture_output=True, text=True)
    assert len(json.loads(listing.stdout)) == 40_001
