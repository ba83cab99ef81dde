import ast
import os
import re
import zlib

import pytest

TEST_COMPANION_KEY = "dGVzdC1vbmx5LWtleS1mb3ItY29tbW9uLWdyb3VuZCE"  # 32 bytes, base64url
# The audit trail's key, test-only too; in the environment from the start, for the servers tests start.
TEST_AUDIT_KEY = __import__("os").environ["AUDIT_KEYS"] = "dGVzdC1vbmx5LWF1ZGl0LWtleS1jb21tb24tZ3JuZCE"

# Tests read many pages from one loopback server: no pause between requests to a host (the
# politeness tests set their own), for the servers tests start too.
os.environ.setdefault("FEED_HOST_PAUSE_SECONDS", "0")
# `sync` reads sources one at a time unless a test asks for --jobs: a test's database lives in
# its own transaction, which threads cannot see (tests of --jobs use transactional databases).
os.environ.setdefault("SYNC_JOBS", "1")


def pytest_configure(config):
    """pytest-django reads the settings before this file is imported: give them the two above too."""
    from django.conf import settings

    settings.FEED_HOST_PAUSE_SECONDS = float(os.environ["FEED_HOST_PAUSE_SECONDS"])
    settings.SYNC_JOBS = int(os.environ["SYNC_JOBS"])


from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402


class FastArgon2(Argon2PasswordHasher):
    """Argon2id with test-sized costs: the same algorithm and hash format, a thousandth of the memory."""

    time_cost, memory_cost, parallelism = 1, 64, 1


# Tests that make a SQLite file of their own answer the same whatever DATABASE_URL names. There are
# two groups: "served" (the browser tests against `commonground serve` on its own file) and "cli"
# (the CLI in subprocesses). `.ci/run` runs the suite on SQLite and on PostgreSQL side by side and
# gives each lane one group to skip, so each of these tests runs once, in one lane or the other.
SKIP_OWN_SQLITE = {g for g in os.environ.get("COMMONGROUND_SKIP_OWN_SQLITE", "").split(",") if g}
OWN_SQLITE_GROUPS = ("served", "cli")
if SKIP_OWN_SQLITE - set(OWN_SQLITE_GROUPS):
    raise pytest.UsageError(f"COMMONGROUND_SKIP_OWN_SQLITE takes {', '.join(OWN_SQLITE_GROUPS)}")


def own_sqlite_group(item) -> str | None:
    if "server" in getattr(item, "fixturenames", ()):
        return "served"
    if item.get_closest_marker("own_sqlite") is not None:
        return "cli"
    return None


# Tests that touch no database at all answer the same in both lanes too. `.ci/run` splits them in
# two halves by a checksum of their id, and each lane skips one half (COMMONGROUND_SKIP_NO_DB_HALF=0
# or 1), so each runs once. A test touches a database when it is marked django_db or asks, even
# through another fixture, for one of these (pytest-django refuses any other database access).
SKIP_NO_DB_HALF = os.environ.get("COMMONGROUND_SKIP_NO_DB_HALF", "")
if SKIP_NO_DB_HALF not in ("", "0", "1"):
    raise pytest.UsageError("COMMONGROUND_SKIP_NO_DB_HALF takes 0 or 1")
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "django_db_blocker", "live_server"})


def fixtures_asked(item) -> set[str]:
    """The fixtures a test asks for, and those they ask for in turn (pytest-django's own autouse
    helpers left out: they ask for the test database whether a test uses it or not)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    asked: set[str] = set()
    waiting = list(info.initialnames)
    while waiting:
        name = waiting.pop()
        if name in asked or name.startswith("_django"):
            continue
        asked.add(name)
        for definition in info.name2fixturedefs.get(name, ()):
            waiting.extend(definition.argnames)
    return asked


def touches_no_database(item) -> bool:
    return item.get_closest_marker("django_db") is None and not DATABASE_FIXTURES & fixtures_asked(item)


def no_db_half(item) -> str:
    return str(zlib.crc32(item.nodeid.encode()) % 2)


def pytest_collection_modifyitems(config, items):
    if not SKIP_OWN_SQLITE and not SKIP_NO_DB_HALF:
        return
    for item in items:
        group = own_sqlite_group(item)
        if group in SKIP_OWN_SQLITE:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{group}: runs on a SQLite file of its own, the same in both lanes; the other lane runs it"
                )
            )
        elif group is None and SKIP_NO_DB_HALF and touches_no_database(item) and no_db_half(item) == SKIP_NO_DB_HALF:
            item.add_marker(pytest.mark.skip(reason="no database: the same in both lanes; the other lane runs it"))


# `scripts/test --fast` runs `-m "not browser and not slow"`. A module marked slow or browser as a
# whole would only be imported to have every test in it deselected, and importing some costs seconds
# (test_api_fuzz.py builds its Schemathesis tests): with an expression of that form ("not a and not b
# ..."), such a module is not collected at all. Without -m (CI, `scripts/test`) every module is.
LEAVE_OUT_EXPRESSION = re.compile(r"\s*not\s+\w+(?:\s+and\s+not\s+\w+)*\s*")


def module_marks(path) -> set[str]:
    """The marks a test module's ``pytestmark`` gives all its tests, read without importing it."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    marks = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytestmark" for t in node.targets):
            for part in ast.walk(node.value):
                if isinstance(part, ast.Attribute) and getattr(part.value, "attr", None) == "mark":
                    marks.add(part.attr)
    return marks


def pytest_ignore_collect(collection_path, config):
    expression = config.getoption("markexpr", "") or ""
    if not collection_path.name.startswith("test_") or collection_path.suffix != ".py":
        return None
    if not LEAVE_OUT_EXPRESSION.fullmatch(expression):
        return None
    if module_marks(collection_path) & set(re.findall(r"not\s+(\w+)", expression)):
        return True
    return None


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    # The manifest storage needs `collectstatic`; tests read static files straight from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Each test's locks, published feed and index files in a folder of its own.
    settings.RUNTIME_DIR = str(tmp_path / "runtime")
    # The companion's encryption key for tests (a fixed, test-only key; production refuses to start without one).
    settings.COMPANION_KEYS = TEST_COMPANION_KEY
    settings.AUDIT_KEYS = TEST_AUDIT_KEY
    settings.PASSWORD_HASHERS = ["conftest.FastArgon2", *settings.PASSWORD_HASHERS]
    # Tests sign in far faster than people do: the flood limits are tested in tests/hardening/test_14_sign_in.py.
    settings.SIGN_IN_RATE_PER_ADDRESS = settings.SIGN_IN_RATE_TOTAL = "100000/s"
    yield
    # A Spanish request leaves Spanish active in this thread; the next test starts in the default.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def program(db):
    from commonground.catalog.models import Program

    return Program.objects.get(code="aa")


@pytest.fixture
def source(db):
    from commonground.meetings.models import Source

    return Source.objects.create(name="Test intergroup", format="meeting-guide")


@pytest.fixture
def make_meeting(db, program, source):
    from commonground.meetings.models import Meeting

    counter = iter(range(1, 10**6))

    def make(**fields):
        n = next(counter)
        values = {
            "program": program,
            "source": source,
            "key": f"m{n}",
            "slug": f"m{n}",
            "name": f"Meeting {n}",
            "timezone": "America/New_York",
            "formatted_address": "1 Main St, Albany, NY 12207, USA",
        }
        values.update(fields)
        return Meeting.objects.create(**values)

    return make


SAMPLES = __import__("pathlib").Path(__file__).resolve().parent / "tests" / "samples"


@pytest.fixture
def samples():
    return SAMPLES


class _Routes(dict):
    """path -> (status, body bytes, content type, delay seconds, extra headers, seconds per byte)."""

    def add(self, path, body, *, status=200, content_type="application/json", delay=0.0, headers=None, trickle=0.0):
        self[path] = (
            status,
            body if isinstance(body, bytes) else body.encode(),
            content_type,
            delay,
            headers or {},
            trickle,
        )
        self.hits = getattr(self, "hits", [])


@pytest.fixture
def http_server(settings):
    """A real HTTP server on 127.0.0.1 that the tests program with routes (feeds may be read from it)."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True  # loopback is a private address
    routes = _Routes()
    routes.hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            route = routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            routes.hits.append(self.path)
            status, body, content_type, delay, headers, trickle = route
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                if trickle:  # a slow server: one byte at a time
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(trickle)
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # shutdown() waits for serve_forever's next poll: every 0.05 s, not the default 0.5 s, per test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    routes.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield routes
    server.shutdown()
    server.server_close()


@pytest.fixture
def demo_meetings(db):
    """Load n synthetic meetings (with a fresh search index), as a factory: demo_meetings(400, seed=2)."""
    from commonground.feeds.demo import load_demo
    from commonground.search import engine

    def load(n, seed=7):
        engine.reset()
        load_demo(n, seed=seed)

    yield load
    engine.reset()


@pytest.fixture(scope="module")
def fit_demo_data(django_db_setup, django_db_blocker):
    """The demo meetings (6,000, a fixed seed), loaded once for a module's fit rankings and personas."""
    from commonground.feeds.demo import load_demo
    from commonground.meetings.models import Meeting, Source
    from commonground.search import engine

    with django_db_blocker.unblock():
        engine.reset()
        load_demo(6000, seed=11)
        yield
        Meeting.objects.all().delete()
        Source.objects.all().delete()
        engine.reset()


@pytest.fixture
def audit_cleanup(transactional_db):
    """For tests that commit: empty the append-only audit trail before the database is flushed
    (its triggers refuse deletes, as they should everywhere else)."""
    yield
    from importlib import import_module

    from django.db import connection

    triggers = import_module("commonground.peer.migrations.0002_audit_append_only")
    with connection.schema_editor() as editor:
        triggers.backwards(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM peer_auditrecord")
        cursor.execute("DELETE FROM peer_audithead")
    with connection.schema_editor() as editor:
        triggers.forwards(None, editor)
