"""Real-browser tests: Playwright driving Debian's Chromium against the real server on loopback."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import TEST_COMPANION_KEY

CHROMIUM = "/usr/bin/chromium"
EXE = shutil.which("commonground") or str(Path(sys.executable).parent / "commonground")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

pytestmark = pytest.mark.browser
# Playwright's sync API keeps an event loop in the test thread; the database calls these tests make
# between browser steps are plain synchronous ones, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerURL(str):
    """The server's base URL, knowing where its SQLite file is (for the encryption-at-rest check)."""

    def __new__(cls, url: str, db_path):
        made = super().__new__(cls, url)
        made.db_path = db_path
        return made


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`commonground serve` on a fresh SQLite file with the default demo data, no map tiles."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing at /usr/bin/chromium; scripts/test installs it with apt-get.")
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(tmp / "var"),
        "MAP_TILE_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "COMPANION_KEYS": TEST_COMPANION_KEY,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen(
        [EXE, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=10).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("the server stopped: " + (tmp / "server.log").read_text())
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("the server did not answer within 3 minutes")
    yield ServerURL(url, tmp / "db.sqlite3")
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, server):
    contexts = []

    def make(**options):
        options.setdefault("locale", "en-US")
        options.setdefault("viewport", {"width": 1200, "height": 900})
        context = browser.new_context(base_url=server, accept_downloads=True, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        return page

    yield make
    for context in contexts:
        context.close()
