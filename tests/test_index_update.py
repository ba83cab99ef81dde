"""Bringing the stored search index forward after one source's sync gives the index a full build
gives: the same meetings with the same fields, in the same orders, whatever the sync changed."""

import json
import random

import numpy as np
import pytest

from commonground.feeds.importing import import_location
from commonground.meetings.models import DataChange, DataVersion, Meeting, Source
from commonground.search import store
from commonground.search.build import Texts

CITIES = [
    ("America/New_York", 40.75, -73.99),
    ("America/Chicago", 41.88, -87.63),
    ("Europe/London", 51.5, -0.12),
    ("Asia/Kolkata", 19.07, 72.87),
    ("America/Los_Angeles", 34.05, -118.24),
]
LANGUAGES = ["EN", "ES", "FR", "POL", "RUS", "JA", "ASL"]


def make_row(rng: random.Random, slug: str) -> dict:
    zone, lat, lng = rng.choice(CITIES)
    row = {
        "name": rng.choice(["Serenity", "Big Book", "Zoom Recovery", "Ñandú Group", "ábaco", "Early Birds", "Hope"])
        + f" {rng.randint(0, 30)}",
        "slug": slug,
        "timezone": zone,
        "types": rng.sample(["O", "C", "W", "M", "B", *LANGUAGES], 3),
        "program": rng.choice(["aa", "na"]),
        "notes": rng.choice(["", "Back door", "Café upstairs"]),
    }
    if rng.random() < 0.9:
        row.update(day=rng.randint(0, 6), time=f"{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30]):02d}")
    if rng.random() < 0.7:
        row.update(
            latitude=lat + rng.uniform(-0.2, 0.2),
            longitude=lng + rng.uniform(-0.2, 0.2),
            formatted_address=f"{rng.randint(1, 999)} Main St, Somewhere",
        )
    else:
        row.update(conference_url=f"https://zoom.us/j/{rng.randint(10**9, 10**10)}", attendance_option="online")
    return row


def semantic(folder) -> dict:
    """Each indexed meeting's fields by id, decoded from the stored numbering, and the orders."""
    meta = json.loads((folder / "meta.json").read_text())

    def a(name):
        return np.load(folder / f"{name}.npy")

    texts = Texts((folder / "texts.bin").read_bytes(), a("texts_offsets"))
    names = Texts((folder / "names.bin").read_bytes(), a("names_offsets"))
    ids, lat = a("c_ids"), a("c_lat")
    langs = meta["language_codes"]
    rows = {}
    for i, pk in enumerate(ids.tolist()):
        mask = int(a("c_langs")[i])
        rows[pk] = (
            meta["program_codes"][a("c_program")[i]],
            int(a("c_week_minute")[i]),
            meta["zone_names"][a("c_zone")[i]],
            int(a("c_mode")[i]),
            int(a("c_tags")[i]),
            frozenset(c for b, c in enumerate(langs) if mask >> b & 1),
            texts[int(a("c_text")[i])],
            names[int(a("c_name_key")[i] >> 32)],
            None if np.isnan(lat[i]) else float(lat[i]),
            int(a("c_source")[i]),
        )
    orders = {
        name: ids[a(f"d_{name}")].tolist()
        for name in ("geo_members", "utc_members", "online_members", "ongoing", "ongoing_online", "by_name")
    }
    return {
        "rows": rows,
        "orders": orders,
        "ids_sorted": bool(np.all(np.diff(ids) > 0)),
        "counts": a("d_program_mode_counts").tolist(),
        "offsets": a("d_by_name_offsets").tolist(),
        "duplicates": sorted(a("duplicates").tolist()),
    }


def build_both() -> tuple[str, dict, dict]:
    """The current version brought forward (or built), then built in full: both, decoded."""
    version = DataVersion.current_with_time()
    folder = store.build(version)
    how = json.loads((folder / "meta.json").read_text())["how"]
    forward = semantic(folder)
    full = semantic(store.build(version, rebuild=True))
    return how, forward, full


def assert_same(forward: dict, full: dict) -> None:
    assert forward["ids_sorted"] and full["ids_sorted"]
    assert forward["rows"].keys() == full["rows"].keys()
    for pk, fields in full["rows"].items():
        assert forward["rows"][pk] == fields, pk
    for key in ("orders", "counts", "offsets", "duplicates"):
        assert forward[key] == full[key], key


@pytest.fixture
def feeds(tmp_path):
    def sync(name: str, rows: list[dict]):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(rows))
        report = import_location(str(path), name=name, allow_removals=True)
        assert not report.errors, report.errors
        return report

    return sync


@pytest.mark.slow
@pytest.mark.django_db
def test_random_syncs_brought_forward_equal_full_builds(feeds):
    rng = random.Random(5)
    sources = {name: [make_row(rng, f"{name}-{i}") for i in range(60)] for name in ("north", "south", "west")}
    for name, rows in sources.items():
        feeds(name, rows)
    assert build_both()[0] == "built"  # nothing stored yet to start from
    hows = []
    for step in range(12):
        name = rng.choice(list(sources))
        rows = sources[name]
        for row in rng.sample(rows, 8):  # edits: renames, new zones, languages never seen, times
            row.update(make_row(rng, row["slug"]))
        if step % 3 == 0:
            row = make_row(rng, f"{name}-new-{step}")
            row["timezone"], row["types"] = "Pacific/Auckland", ["O", "GA" if step % 2 else "HI", "TAG"]
            row["name"] = "zzz brand-new name" if step % 2 else "AAA brand-new name"
            rows.append(row)
        if step % 4 == 1:
            del rows[rng.randrange(len(rows))]
        feeds(name, rows)
        how, forward, full = build_both()
        hows.append(how)
        assert_same(forward, full)
    assert hows.count("brought forward") == len(hows)


@pytest.mark.slow
@pytest.mark.django_db
def test_listings_that_become_or_stop_being_duplicates_of_another_source(feeds):
    same = {
        "name": "Nothing Macho",
        "day": 6,
        "time": "14:00",
        "timezone": "America/New_York",
        "latitude": 40.880619,
        "longitude": -73.881496,
        "address": "3424 Kossuth Ave.",
        "city": "Bronx",
        "state": "NY",
        "postal_code": "10467",
        "country": "USA",
        "types": ["O"],
        "program": "na",
    }
    other = {**same, "slug": "other", "day": 2}
    feeds("first", [other])
    feeds("second", [{**same, "slug": "b"}])
    listing = Meeting.objects.get(source__name="second")
    assert build_both()[1]["rows"].keys() >= {listing.pk}
    # The first source (registered first) now lists it too: the second's listing becomes its
    # duplicate, though only the first source was synced.
    feeds("first", [{**same, "slug": "a"}, other])
    listing.refresh_from_db()
    assert listing.duplicate_of_id is not None
    how, forward, full = build_both()
    assert how == "brought forward" and listing.pk not in forward["rows"]
    assert_same(forward, full)
    feeds("first", [other])  # the original leaves: the duplicate is the meeting again
    how, forward, full = build_both()
    assert how == "brought forward" and listing.pk in forward["rows"]
    assert_same(forward, full)


@pytest.mark.slow
@pytest.mark.django_db
def test_a_change_to_everything_or_a_missing_base_means_a_full_build(feeds):
    rng = random.Random(2)
    feeds("one", [make_row(rng, f"o{i}") for i in range(10)])
    assert build_both()[0] == "built"
    feeds("one", [make_row(rng, f"o{i}") for i in range(12)])
    assert build_both()[0] == "brought forward"
    DataVersion.bump()  # a change that names no source (the demo loader, a source deleted)
    assert build_both()[0] == "built"
    feeds("two", [make_row(rng, f"t{i}") for i in range(5)])
    for folder in store.stored_labels().values():  # the base is gone (pruned, or another machine's)
        (folder / "meta.json").unlink()
    assert build_both()[0] == "built"


@pytest.mark.django_db
def test_the_chain_must_link_label_to_label():
    a, b = DataVersion.label((1, None)), DataVersion.label((2, None))
    DataChange.record("meetings", a, b, [4])
    assert DataChange.sources_since("meetings", b, {a}) == (a, {4})
    assert DataChange.sources_since("meetings", b, {"v1-999"}) is None  # same counter, another history
    DataChange.record("meetings", b, "v3-5", None)
    assert DataChange.sources_since("meetings", "v3-5", {a}) is None  # touched everything


@pytest.mark.django_db
def test_deleting_a_source_moves_the_version(feeds):
    feeds("gone", [make_row(random.Random(1), "g0")])
    before = DataVersion.current()
    Source.objects.get(name="gone").delete()
    assert DataVersion.current() == before + 1
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_an_index_stored_by_an_older_release_is_built_again(feeds):
    feeds("one", [make_row(random.Random(3), "o1")])
    version = DataVersion.current_with_time()
    folder = store.build(version)
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format": store.FORMAT - 1}))
    assert store.load(version) is None  # this release cannot map it
    assert store.build(version) == folder
    assert store.load(version) is not None and store.load(version).size == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_changes_at_once_still_chain_version_to_version():
    """Two syncs of different sources commit at once (PostgreSQL lets them): each change names
    the version the other left, so bringing an index forward never skips one."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: there is no race to test")
    DataVersion.bump(sources=[])
    started = threading.Event()

    def slow_sync():
        try:
            with transaction.atomic():
                DataVersion.bump(sources=[1])
                started.set()
                time.sleep(0.5)  # the other sync bumps meanwhile
        finally:
            connections.close_all()

    def quick_sync():
        try:
            started.wait(5)
            with transaction.atomic():
                DataVersion.bump(sources=[2])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=slow_sync), threading.Thread(target=quick_sync)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    rows = list(DataChange.objects.order_by("pk"))[-2:]
    assert rows[1].previous == rows[0].label
    first = rows[0].previous
    assert DataChange.sources_since("meetings", rows[1].label, {first}) == (first, {1, 2})


@pytest.mark.slow
@pytest.mark.django_db
def test_a_meeting_moved_to_another_source_is_indexed_once(feeds):
    rng = random.Random(4)
    feeds("north", [make_row(rng, f"n{i}") for i in range(5)])
    feeds("south", [make_row(rng, f"s{i}") for i in range(5)])
    build_both()
    moved = Meeting.objects.filter(source__name="north").first()
    moved.source = Source.objects.get(name="south")
    moved.save()  # the admin: it names the meeting's source now, the south
    how, forward, full = build_both()
    assert how == "brought forward"
    assert forward["rows"][moved.pk][-1] == moved.source_id
    assert_same(forward, full)
