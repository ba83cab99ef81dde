"""Where the files that belong to one database live: locks, the published feed, the search index.

Every process that uses a database must find the same files, whatever its working directory:
the web workers, `commonground sync` from cron, an import started by hand. So for a SQLite file
they sit beside the database (``commonground.sqlite3.d/``); for PostgreSQL under ``VAR_DIR``,
one folder per database, on each machine that serves it. ``RUNTIME_DIR`` (tests) overrides both.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_key() -> str:
    """A short, stable name for the database in use (not secret, not reversible)."""
    db = connection.settings_dict
    ident = "|".join(str(db.get(k) or "") for k in ("ENGINE", "NAME", "HOST", "PORT"))
    return hashlib.sha1(ident.encode(), usedforsecurity=False).hexdigest()[:12]


def base_dir() -> Path:
    override = getattr(settings, "RUNTIME_DIR", None)
    if override:
        return Path(override)
    db = connection.settings_dict
    name = str(db.get("NAME") or "")
    if connection.vendor == "sqlite":
        if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
            # An in-memory database lives and dies with this process.
            return Path(tempfile.gettempdir()) / f"commonground-{os.getpid()}-{database_key()}"
        path = Path(name)
        return path.with_name(path.name + ".d")
    return Path(settings.VAR_DIR) / "databases" / database_key()


def runtime_dir(kind: str) -> Path:
    """The folder for ``kind`` ("locks", "index", "published"), created on first use."""
    path = base_dir() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def staging_folder(target: Path) -> Path:
    """An empty folder beside ``target``, this process's own, to write a version's files into."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def install_folder(tmp: Path, target: Path, *, replace: bool = False) -> None:
    """Put a staged folder in place in one rename, so readers see the whole folder or none of it.

    ``replace`` moves a folder already there aside first (a process that maps its files keeps
    their pages). When another process installed the same version first, its folder stays.
    """
    if replace and target.exists():
        retired = target.with_name(f".{target.name}.{os.getpid()}.old.tmp")
        os.rename(target, retired)
        shutil.rmtree(retired, ignore_errors=True)
    try:
        os.rename(tmp, target)
    except OSError:  # another process stored the same version first
        shutil.rmtree(tmp, ignore_errors=True)


def folder_format(folder: Path):
    """The ``format`` its ``meta.json`` names (None when there is none or it cannot be read)."""
    try:
        return json.loads((folder / "meta.json").read_text()).get("format")
    except (OSError, ValueError, AttributeError):
        return None
