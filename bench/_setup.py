"""Shared set-up for benchmarks: a Django environment on a database of the caller's choosing."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def django_on(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def companion_key() -> str:
    """A fresh key for the companion's private data: a server refuses to start without one."""
    import base64
    import secrets

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def server_keys() -> dict[str, str]:
    """Fresh keys for everything a server with DEBUG off refuses to start without: the companion's
    private data and the peer workspace's audit trail."""
    return {"COMPANION_KEYS": companion_key(), "AUDIT_KEYS": companion_key()}


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def write_result(path: str | None, result: dict) -> None:
    result = {"machine": machine(), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **result}
    text = json.dumps(result, indent=2)
    print(text)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text + "\n")


def pss_mb(pid: int | str) -> float:
    """Proportional set size: pages shared by several processes (a memory-mapped index, a forked
    parent's heap) divided among them, so a sum over processes is what they really hold."""
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def process_tree(pid: int) -> list[int]:
    """A process and its descendants still alive (forked workers, their children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            todo += [int(c) for c in open(f"/proc/{current}/task/{current}/children").read().split()]
        except OSError:
            continue
    return found
