"""Work split across forked processes by id range equals the work of one process: the index
build (the same rows, zones, languages, texts and names, numbered alike) and the published feed
(the same bytes). It runs on a real database file (children open their own connections, which a
test transaction or an in-memory database would hide), and on CI's PostgreSQL."""

import os
import subprocess
import sys
import textwrap

import pytest

from conftest import TEST_COMPANION_KEY

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import django, numpy as np
    django.setup()
    from commonground.feeds.demo import load_demo
    from commonground.meetings.models import Meeting
    from commonground.search import build
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    load_demo(3000, seed=11)
    # The halves number languages differently (French only in the first rows, Polish only in the
    # last): the second half's bits must be re-numbered when the halves are merged.
    first = Meeting.objects.order_by("id")[:40]
    Meeting.objects.filter(id__in=[m.id for m in first]).update(languages=["fr"])
    last = Meeting.objects.order_by("-id")[:40]
    Meeting.objects.filter(id__in=[m.id for m in last]).update(languages=["pl", "es"])
    parallel_parts = build._read_parts([c for c in build.Program.objects.order_by("order", "code")
                                        .values_list("code", flat=True)])
    assert len(parallel_parts) > 1, "the build did not split"
    a = build.read_columns()
    from commonground.meetings import bulk
    bulk.can_fork = lambda: False
    b = build.read_columns()
    for name in ("ids", "program", "lat", "lng", "week_minute", "zone", "mode", "tags", "langs", "text",
                 "name_key", "utc_week_minute", "by_utc_week"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    for name in ("zone_names", "language_codes", "program_codes"):
        assert getattr(a, name) == getattr(b, name), name
    assert bytes(a.texts.blob) == bytes(b.texts.blob) and np.array_equal(a.texts.offsets, b.texts.offsets)
    assert "pl" in a.language_codes and len(a.ids) > 2500
    print("same", len(a.ids))
""")


PUBLISH_SCRIPT = textwrap.dedent("""
    import gzip, shutil, django
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from commonground.feeds import published
    from commonground.feeds.demo import load_demo
    from commonground.meetings.models import DataVersion, Meeting
    from commonground.meetings.signals import data_changed
    data_changed.disconnect(dispatch_uid="commonground-publish")  # only the builds below publish
    call_command("migrate", verbosity=0)
    load_demo(2000, seed=5)
    # One program only in the first half, so the second part has no line for it.
    Meeting.objects.filter(program_id="sos").update(program_id="aa")
    first = Meeting.objects.order_by("id")[:30]
    Meeting.objects.filter(id__in=[m.id for m in first]).update(program_id="sos")
    DataVersion.bump()
    version = DataVersion.current_with_time()
    settings.PUBLISH_PARALLEL_ROWS = 0
    split = published.build(version)
    shutil.move(split, split.with_name("split"))
    split = split.with_name("split")
    settings.PUBLISH_PARALLEL_ROWS = 10**9
    whole = published.build(version)
    assert not any(p.name.startswith(".part") for p in split.iterdir()), "part files left behind"
    names = sorted(p.name for p in whole.iterdir() if p.name != "manifest.json")
    assert names == sorted(p.name for p in split.iterdir() if p.name != "manifest.json")
    for name in names:
        a, b = (split / name).read_bytes(), (whole / name).read_bytes()
        if name.endswith(".gz"):
            a, b = gzip.decompress(a), gzip.decompress(b)
        assert a == b, name
    assert (whole / "meeting-guide-sos.json").read_bytes().count(b'"slug"') == 30
    empty = [n for n in names if (whole / n).read_bytes() == b"[\\n]\\n"]
    assert empty, "some program has no meetings: its feed is an empty array"
    print("same", len(names))
""")


def run_script(script: str, tmp_path, name: str, env: dict) -> str:
    url = os.environ.get("DATABASE_URL", "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
        **env,
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
        "COMPANION_KEYS": TEST_COMPANION_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    if url.startswith("postgres"):  # CI's PostgreSQL pass: a database of its own
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_parallel_build_equals_the_serial_one(tmp_path):
    out = run_script(SCRIPT, tmp_path, "cg_parallel_build_test", {"SEARCH_BUILD_PARALLEL_ROWS": "0"})
    assert out.startswith("same")


def test_the_feed_written_in_parts_is_the_feed_written_whole(tmp_path):
    assert run_script(PUBLISH_SCRIPT, tmp_path, "cg_parallel_publish_test", {}).startswith("same")


@pytest.mark.parametrize(
    ("name", "forks"),
    [
        ("/srv/memory-care/db.sqlite3", True),  # a file, whatever its folder is called
        ("/tmp/cg-import-memory-x1/db.sqlite3", True),
        (":memory:", False),
        ("file:memorydb_default?mode=memory&cache=shared", False),  # Django's test database
        ("", False),
    ],
)
def test_only_a_database_in_memory_keeps_children_out(monkeypatch, name, forks):
    from django.db import connection

    from commonground.meetings import bulk

    monkeypatch.setitem(connection.settings_dict, "NAME", name)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert bulk.can_fork() is forks
