"""One of each (issue 28): one great-circle distance, one "current language" helper, and no settings
default restated outside settings.py. The grep-based guards name the file that breaks the rule."""

import math
import random
import re
from pathlib import Path

import numpy as np
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "commonground"
R_KM = 6371.0088


def sources():
    for path in sorted(SRC.rglob("*.py")):
        if "tests" not in path.relative_to(SRC).parts and "migrations" not in path.parts:
            yield path.relative_to(SRC).as_posix(), path.read_text()


# --- the formulas the code used before issue 28, kept here as the oracle -------------------------


def old_haversine_m(lat1, lng1, lat2, lng2):  # meetings/duplicates.py's metres
    lat1, lng1, lat2, lng2 = map(math.radians, (lat1, lng1, lat2, lng2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(h)))


def old_engine_km(lat, lng, lats, lngs):  # search/index.py's MeetingIndex.distance_km
    lat_rad, lng_rad = np.radians(lats), np.radians(lngs)
    lat_r, lng_r = math.radians(lat), math.radians(lng)
    h = np.sin((lat_rad - lat_r) / 2) ** 2 + math.cos(lat_r) * np.cos(lat_rad) * np.sin((lng_rad - lng_r) / 2) ** 2
    return 2 * R_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def old_cosines_km(lat, lng, lats, lngs):  # api/bmlt/lookup.py's _km_many (and bmlt/search.py's _km)
    p1, p2, dl = math.radians(lat), np.radians(lats), np.radians(lngs - lng)
    cosine = math.sin(p1) * np.sin(p2) + math.cos(p1) * np.cos(p2) * np.cos(dl)
    return np.arccos(np.clip(cosine, -1.0, 1.0)) * R_KM


def random_points(seed, n):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lat, lng = rng.uniform(-90, 90), rng.uniform(-180, 180)
        kind = rng.random()
        if kind < 0.3:  # near each other: the duplicate finder's metres and a radius search's edge
            other = (max(-90, min(90, lat + rng.uniform(-0.01, 0.01))), lng + rng.uniform(-0.01, 0.01))
        elif kind < 0.4:  # across the antimeridian or nearly antipodal
            other = (-lat + rng.uniform(-0.5, 0.5), (lng + 180 + rng.uniform(-0.5, 0.5)) % 360 - 180)
        else:
            other = (rng.uniform(-90, 90), rng.uniform(-180, 180))
        out.append((lat, lng, *other))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_the_one_distance_gives_the_old_formulas_results_to_the_metre(seed):
    from commonground.meetings.geo import km, km_from

    points = random_points(seed, 2000)
    lat, lng = points[0][:2]
    lats, lngs = np.array([p[2] for p in points]), np.array([p[3] for p in points])
    # one point against many, as the search engine and the BMLT API ask
    many = km(lat, lng, lats, lngs)
    assert np.abs(many - old_engine_km(lat, lng, lats, lngs)).max() < 0.001
    assert np.abs(many - old_cosines_km(lat, lng, lats, lngs)).max() < 0.001
    # the engine's form (radians and cosines kept in the index) is the same bits as before
    lat_rad, lng_rad = np.radians(lats), np.radians(lngs)
    engine = km_from(
        math.radians(lat), math.radians(lng), math.cos(math.radians(lat)), lat_rad, lng_rad, np.cos(lat_rad)
    )
    assert np.array_equal(engine, old_engine_km(lat, lng, lats, lngs))
    # one pair at a time, as the duplicate finder asks
    for a_lat, a_lng, b_lat, b_lng in points[:500]:
        assert abs(km(a_lat, a_lng, b_lat, b_lng) * 1000 - old_haversine_m(a_lat, a_lng, b_lat, b_lng)) < 1.0


def test_known_distances():
    from commonground.meetings.geo import km

    assert km(0.0, 0.0, 0.0, 0.0) == 0
    assert abs(km(0.0, 0.0, 0.0, 180.0) - math.pi * R_KM) < 0.001  # half the equator
    assert abs(km(0.0, 179.99, 0.0, -179.99) - km(0.0, 0.0, 0.0, 0.02)) < 1e-6  # across the antimeridian
    assert abs(km(51.5074, -0.1278, 40.7128, -74.0060) - 5570.2) < 1.0  # London to New York


# arcsin (haversine), arccos (spherical cosines) or arctan2 (Vincenty) of a distance
GREAT_CIRCLE = re.compile(r"\b(?:np|numpy|math)\.(?:arcsin|asin|arccos|acos|arctan2|atan2)\(")


def test_exactly_one_great_circle_formula_in_src():
    found = [name for name, text in sources() if GREAT_CIRCLE.search(text)]
    assert found == ["meetings/geo.py"], f"a great-circle formula outside meetings/geo.py: {found}"


def test_one_earth_radius():
    found = [name for name, text in sources() if re.search(r"6371|6_371", text)]
    assert found == ["meetings/geo.py"], f"the earth's radius restated in {found}"


# --- the current language ------------------------------------------------------------------------


def test_one_current_language_helper():
    """``commonground.i18n.language()`` is the one "(get_language() or 'en')[:2]"."""
    # safety/ is closed (issue 26 is done) and keeps its own copy for now.
    allowed = {"i18n.py"}
    found = [
        name
        for name, text in sources()
        if re.search(r"get_language\(\)( or \"en\"\))?\[:2\]", text) and name not in allowed
    ]
    assert found == [], f"the current language worked out again in {found}: use commonground.i18n.language()"


def test_the_language_helper(settings):
    from django.utils import translation

    from commonground.i18n import language

    with translation.override("es"):
        assert language() == "es"
    with translation.override("en-us"):
        assert language() == "en"
    with translation.override(None):
        assert language() == "en"


def test_the_language_helper_is_on_the_ground_floor():
    text = (SRC / "i18n.py").read_text()
    assert re.findall(r"^\s*(?:from|import) commonground\b.*", text, re.M) == []


# --- settings ------------------------------------------------------------------------------------


def test_no_settings_default_restated_outside_settings():
    """Every setting exists in settings.py; reading it with a default elsewhere lets the two drift."""
    # safety/ is closed (issue 26 is done): HELP_COUNTRY keeps its getattr there for now.
    allowed: set[str] = set()
    defined = set(re.findall(r"^([A-Z][A-Z0-9_]*) *[:=]", (SRC / "settings.py").read_text(), re.M))
    assert {"PUBLISH_MODE", "HELP_COUNTRY", "IMPORT_WORKERS"} <= defined
    found = [
        f"{name}: {m.group(0)}"
        for name, text in sources()
        if name not in allowed
        for m in re.finditer(r"getattr\(settings, \"(\w+)\", [^)]*\)", text)
        if m.group(1) in defined
    ]
    assert found == [], "read these settings directly (settings.py always defines them)"


# --- a result's local times: computed once, in search/results.py ---------------------------------


def _result(start, searcher_zone, own_zone):
    from zoneinfo import ZoneInfo

    return {
        "starts_at": start,
        "starts_at_local": start.astimezone(ZoneInfo(searcher_zone)),
        "starts_at_meeting": start.astimezone(ZoneInfo(own_zone)),
        "timezone": own_zone,
        "minutes_until_start": 30,
        "in_progress": False,
        "ongoing": False,
        "mode": "in_person",
        "program": {"name": "AA", "names": {}},
        "tags": [],
    }


def test_the_page_reuses_the_results_local_times(monkeypatch):
    """decorate formats the times meeting_result worked out; it converts again only for a searcher
    whose zone is not the one the search ran in."""
    from datetime import UTC, datetime

    from commonground.web import presenters

    start = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # the US spring-forward morning
    result = _result(start, "America/New_York", "Asia/Kolkata")

    def no_conversion(name):
        raise AssertionError(f"converted again, to {name}")

    monkeypatch.setattr(presenters.schedule, "zone", no_conversion)
    view = presenters.decorate(result, "America/New_York")
    assert view["local_dt"] == datetime(2026, 3, 8, 3, 30) and view["local_zone"] == "EDT"
    assert view["own_dt"] == datetime(2026, 3, 8, 13, 0) and view["own_zone"] == "IST"
    assert view["zones_differ"] is True
    monkeypatch.undo()
    # another searcher's zone: converted, the same as before
    other = presenters.decorate(result, "Europe/London")
    assert other["local_dt"] == datetime(2026, 3, 8, 7, 30) and other["local_zone"] == "GMT"
    assert other["own_dt"] == view["own_dt"]


# --- timings belong in bench/results, not in the code's prose -------------------------------------


def test_no_timings_in_src():
    """ "takes 3 ms" in a docstring is true on one machine on one day; bench/ measures, bench/results keeps."""
    timing = re.compile(r"\b\d[\d.,]*\s(?:ms|µs|s|seconds|milliseconds)\b")
    found = [
        f"{name}:{n}: {line.strip()}"
        for name, text in sources()
        for n, line in enumerate(text.splitlines(), 1)
        if timing.search(line)
    ]
    assert found == []


@pytest.mark.slow
def test_every_file_the_code_names_exists():
    """A comment or docstring that names a file (``web/privacy.py``, ``bench/load.py``) names one
    that exists: beside it, under src/commonground, or from the repository's root."""
    root = SRC.parents[1]
    missing = []
    for name, text in sources():
        here = (SRC / name).parent
        for n, line in enumerate(text.splitlines(), 1):
            for path in re.findall(r"(?<![\w./-])((?:[A-Za-z_][\w-]*/)*[A-Za-z_]\w*\.py)\b", line):
                if "/" not in path and not list(SRC.rglob(path)) and not (root / path).exists():
                    missing.append(f"{name}:{n}: {path}")
                elif "/" in path and not any(
                    (base / path).exists() for base in (here, SRC, SRC.parent, root, root / "tests")
                ):
                    missing.append(f"{name}:{n}: {path}")
    assert missing == []
