"""The index built by several processes (one id range each) is the very index one process builds:
the same rows, zones, languages, texts and names, numbered alike. It runs on a real database file
(children open their own connections, which a test transaction or an in-memory database would hide)."""

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
    from commonground.meetings.demo import load_demo
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
    build._can_fork = lambda: False
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


def test_the_parallel_build_equals_the_serial_one(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "commonground.settings", "SEARCH_BUILD_PARALLEL_ROWS": "0",
           "COMMONGROUND_VAR_DIR": str(tmp_path / "var"), "COMPANION_KEYS": TEST_COMPANION_KEY,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    if url.startswith("postgres"):  # CI's PostgreSQL pass: a database of its own
        import psycopg

        name = "cg_parallel_build_test"
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("same")
