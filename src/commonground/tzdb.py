"""The time-zone database every Common Ground process reads: the newest one available.

Python's ``zoneinfo`` looks for a zone in the system's folders first (``/usr/share/zoneinfo``) and
only then in the ``tzdata`` package. An older OS image therefore wins silently: Debian's 2025b
here, while the package in our environment is 2026f, under which British Columbia, Alberta and
Manitoba keep UTC-7, -6 and -5 all winter. Our API, "starts in", times "for you" and ``.ics``
files were an hour off for them.

So at import this module compares the two versions (the system's from the first line of
``tzdata.zi``, the package's from ``tzdata.IANA_VERSION``) and points zoneinfo's search path at
the newer one: an empty path when it is the package (zoneinfo then reads only the package), the
system folder that holds it otherwise. The settings module imports this first, so every process
that loads Django (the CLI, WSGI servers, gunicorn's workers, forked index and feed builders) reads
the same rules. The version in use is part of every data version's label
(``DataVersion.label``), so the search index, the published feeds and the BMLT material are built
again when it changes. It stands on nothing above it: no Django, no app.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# zoneinfo's search path as Python (or PYTHONTZPATH) set it, before we change it.
SYSTEM_TZPATH: tuple[str, ...] = tuple(zoneinfo.TZPATH)
_VERSION = re.compile(r"(\d{4})([a-z]+)")


@dataclass(frozen=True)
class Choice:
    version: str  # the IANA release in use, "2026f"; "unknown" when neither names one
    source: str  # "package" or "system"
    tzpath: tuple[str, ...]  # what zoneinfo searches before the package
    system: str | None  # the system's release, when its tzdata.zi names one
    package: str | None  # the tzdata package's release, when it is installed


def parse_version(text: str) -> tuple[int, int, str]:
    """A release name as a sortable key: "2026f" < "2026z" < "2026za" < "2027a"."""
    match = _VERSION.fullmatch(text.strip())
    if not match:
        return (0, 0, "")
    return (int(match[1]), len(match[2]), match[2])


def system_version(paths=None) -> tuple[str, str] | None:
    """(release, folder) of the first system folder on the search path whose ``tzdata.zi``
    names its release; None when none does."""
    for folder in SYSTEM_TZPATH if paths is None else paths:
        try:
            with Path(folder, "tzdata.zi").open(encoding="ascii", errors="replace") as fh:
                first = fh.readline()
        except OSError:
            continue
        if first.startswith("# version "):
            return first.removeprefix("# version ").strip(), str(folder)
    return None


def package_version() -> str | None:
    try:
        import tzdata
    except ImportError:
        return None
    return getattr(tzdata, "IANA_VERSION", None)


def choose(system: tuple[str, str] | None, package: str | None) -> Choice:
    """The newer of the system's database and the package's; the package's on a tie or when the
    system's release cannot be read (an unnamed database may be any age)."""
    sys_version = system[0] if system else None
    if package and (system is None or parse_version(package) >= parse_version(system[0])):
        return Choice(package, "package", (), sys_version, package)
    if system:
        return Choice(system[0], "system", (system[1],), sys_version, package)
    return Choice("unknown", "system", SYSTEM_TZPATH, None, None)


def use(choice: Choice) -> None:
    """Point zoneinfo at ``choice`` and drop any zone it read before."""
    zoneinfo.reset_tzpath(list(choice.tzpath))
    zoneinfo.ZoneInfo.clear_cache()


def version() -> str:
    """The tz release every clock here uses, "2026f"."""
    return CHOICE.version


def describe(choice: Choice | None = None) -> str:
    """One line for `commonground check` and the server's start."""
    choice = choice or CHOICE
    where = (
        "the tzdata package"
        if choice.source == "package"
        else f"the system ({choice.tzpath[0]})"
        if choice.tzpath
        else "the system"
    )
    text = f"Time-zone database: IANA {choice.version}, from {where}."
    if choice.source == "package" and choice.system and parse_version(choice.system) < parse_version(choice.version):
        text += (
            f" Warning: this system's time-zone database ({choice.system}) is older; Common Ground does not "
            "use it, but other programs here (cron, the database server, logs) still do. Update the "
            "system's tzdata package."
        )
    elif choice.source == "system" and choice.package:
        text += (
            f" Warning: the tzdata package ({choice.package}) is older than the system's; update it "
            "(pip install -U tzdata)."
        )
    return text


CHOICE = choose(system_version(), package_version())
use(CHOICE)


@lru_cache(maxsize=1)
def valid_zone_names() -> frozenset[str]:
    """The zone names data may use (every tz database name with a '/', and UTC): "localtime" and
    the like are not portable names for data."""
    return frozenset(n for n in zoneinfo.available_timezones() if "/" in n or n == "UTC")
