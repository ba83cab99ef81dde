#!/usr/bin/env python
"""Check program files against the catalog format and source policy, without a database.

    .venv/bin/python scripts/check_catalog.py [src/commonground/catalog/programs/na.toml ...]

With no arguments every program file is checked. Exits 1 if any file has a problem.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

from commonground.catalog.loader import CatalogError, program_files, read_program_file  # noqa: E402

paths = [Path(p) for p in sys.argv[1:]] or program_files()
failed = 0
for path in paths:
    try:
        read_program_file(path)
    except CatalogError as exc:
        failed += 1
        print(f"NOT OK {exc}")
    else:
        print(f"ok     {path.name}")
sys.exit(1 if failed else 0)
