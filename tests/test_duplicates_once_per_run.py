"""Pairing listings once per run of many sources, and the name comparison's shortcuts.

`duplicates.refresh` reads every meeting and compares the candidates of every time slot. A world
sync ran it after each source that changed, inside that source's transaction: 31 of the first
world sync's 57 s and 60 of a 1%-changed re-sync's 78 s (bench/world.py). Inside a run of several
sources it now runs once, at the run's end, in a transaction of its own with a data version of its
own; a sync of one source still pairs its listings in its own transaction.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from commonground.feeds.schedule import sync_all
from commonground.feeds.sync import sync_source
from commonground.meetings import duplicates
from commonground.meetings.models import DataChange, DataVersion, Meeting, Source
from commonground.search import engine
from tests.test_duplicates import row  # one Bronx meeting, changed as asked


@pytest.fixture
def sources(tmp_path):
    """Three file sources: the first two list one meeting (a pair), the third another meeting."""
    made = []
    for n, rows in enumerate(([row("a")], [row("b", name="NOTHING MACHO group")], [row("c", time="09:00")])):
        path = tmp_path / f"feed-{n}.json"
        path.write_text(json.dumps(rows))
        made.append(Source.objects.create(name=f"List {n}", format="meeting-guide", location=str(path)))
    return made


@pytest.fixture
def counted(monkeypatch):
    calls: list[int] = []
    plain = duplicates.refresh

    def refresh() -> int:
        calls.append(1)
        return plain()

    monkeypatch.setattr(duplicates, "refresh", refresh)
    return calls


def paired() -> list[tuple[str, str]]:
    return sorted(
        (m.key, m.duplicate_of.key) for m in Meeting.objects.filter(duplicate_of__isnull=False).select_related()
    )


def in_search(client) -> int:
    engine.reset()
    return client.get("/api/v1/meetings?near=Bronx%2C+NY&radius_km=30&limit=50").json()["count"]


@pytest.mark.django_db(transaction=True)  # threads, and real commits
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_of_several_sources_pairs_the_listings_once_at_its_end(sources, counted, jobs, client):
    reports = sync_all(sources, jobs=jobs)
    assert [r.added for r in reports] == [1, 1, 1]
    assert len(counted) == 1
    assert paired() == [("b", "a")]
    assert in_search(client) == 2  # "a" and "c": the copy of "a" is left out
    # The pairing has a data version of its own, touching no source's rows (search's index brings
    # itself forward with the duplicate ids it re-reads).
    last = DataChange.objects.filter(name="meetings").order_by("-pk").first()
    assert last is not None and last.sources == []
    assert last.label == DataVersion.label(DataVersion.current_with_time())


@pytest.mark.django_db(transaction=True)
def test_a_long_run_pairs_along_the_way_not_only_at_its_end(sources, counted, monkeypatch):
    """A run lasts as long as its slowest source (its deadline is half an hour by default): a copy
    must not be listed twice, nor a changed meeting stay hidden, for all that time. Past
    ``RUN_PAIR_SECONDS`` since the last pairing, the next source's sync pairs them in its own
    transaction, and the run's end pairs once more."""
    monkeypatch.setattr(duplicates, "RUN_PAIR_SECONDS", 0.0)
    seen: list[list[tuple[str, str]]] = []
    sync_all(sources, on_report=lambda report: seen.append(paired()))
    assert seen == [[], [("b", "a")], [("b", "a")]]  # paired as soon as its second listing committed
    assert len(counted) == 4


@pytest.mark.django_db(transaction=True)
def test_a_run_that_changed_nothing_changes_no_pair_and_no_version(sources, counted):
    sync_all(sources)
    counted.clear()
    version = DataVersion.current_with_time()
    sync_all(sources)
    assert len(counted) == 1  # every run ends by pairing: it costs one read, and mends a run that died
    assert DataVersion.current_with_time() == version


@pytest.mark.django_db(transaction=True)
def test_a_pairing_that_failed_is_made_good_by_the_next_run(sources, monkeypatch, caplog):
    """The run's last pairing failed (a deadlock, a process killed by its timer): the sources'
    meetings are committed, their pairs are not. The run still reports each source; the next run
    pairs them, though its feeds are unchanged and no source calls for it."""
    from django.db import OperationalError

    plain = duplicates.refresh

    def fails() -> int:
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(duplicates, "refresh", fails)
    reports = sync_all(sources, jobs=2)
    assert [r.added for r in reports] == [1, 1, 1] and paired() == []
    assert "pairing the listings at the end of a run failed" in caplog.text
    monkeypatch.setattr(duplicates, "refresh", plain)
    sync_all(sources)
    assert paired() == [("b", "a")]


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_pairs_nothing(sources, counted):
    sync_all(sources, dry_run=True)
    assert counted == [] and not Meeting.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_pair_broken_in_a_run_is_undone_at_its_end(sources, counted, tmp_path, client):
    sync_all(sources)
    (tmp_path / "feed-1.json").write_text(json.dumps([row("b", name="NOTHING MACHO group", time="20:00")]))
    counted.clear()
    sync_all(sources)
    assert len(counted) == 1 and paired() == []
    assert in_search(client) == 3


@pytest.mark.django_db
def test_one_source_synced_alone_is_paired_in_its_own_sync(sources, counted):
    sync_source(sources[0])
    sync_source(sources[1])
    assert len(counted) == 2 and paired() == [("b", "a")]


@pytest.mark.django_db(transaction=True)
def test_a_run_that_fails_midway_still_pairs_what_committed(sources, counted, monkeypatch):
    """A run interrupted after some sources committed: what they committed is paired all the same."""
    from commonground.feeds import schedule

    plain = schedule.sync_one

    def one(source, **options):
        if source.name == "List 2":
            raise KeyboardInterrupt
        return plain(source, **options)

    monkeypatch.setattr(schedule, "sync_one", one)
    with pytest.raises(KeyboardInterrupt):
        sync_all(sources)
    assert len(counted) == 1 and paired() == [("b", "a")]


# --- the name comparison ------------------------------------------------------------------------


def listing(name: str) -> duplicates.Listing:
    return duplicates.Listing(1, 1, ("na", 1, "19:00", "UTC"), name, None, None, "", "", "", "", "in_person")


def plain_similarity(a: str, b: str) -> float:
    """The rule as first written: the better of word overlap and character similarity."""
    left, right = listing(a), listing(b)
    union = left.words | right.words
    jaccard = len(left.words & right.words) / len(union) if union else 0.0
    chars = SequenceMatcher(None, " ".join(sorted(left.words)), " ".join(sorted(right.words))).ratio()
    return max(jaccard, chars)


NAMES = st.lists(
    st.sampled_from(["serenity", "step", "steps", "sisters", "macho", "nothing", "new", "hope", "life", "la", "de"]),
    max_size=5,
).map(" ".join) | st.text(max_size=30)


@hsettings(max_examples=400, deadline=None)
@given(NAMES, NAMES)
def test_the_shortcuts_never_change_the_similarity(a, b):
    exact = plain_similarity(a, b)
    assert duplicates.name_similarity(listing(a), listing(b)) == exact
    # Asked only whether it reaches a floor: the same value when it does, 0 when it cannot.
    floor = duplicates.NAME_SIMILARITY
    assert duplicates.name_similarity(listing(a), listing(b), at_least=floor) == (exact if exact >= floor else 0.0)


# --- which pairs are compared ---------------------------------------------------------------------


def brute_force_pairs(listings: list[duplicates.Listing]) -> set[tuple[int, int]]:
    """Every pair of one slot from two sources that ``compare`` accepts, with no candidate search."""
    return {
        (min(a.id, b.id), max(a.id, b.id))
        for i, a in enumerate(listings)
        for b in listings[i + 1 :]
        if duplicates.compare(a, b)
    }


def found_pairs(listings: list[duplicates.Listing]) -> set[tuple[int, int]]:
    return {(min(a.id, b.id), max(a.id, b.id)) for a, b in duplicates._candidates(listings) if duplicates.compare(a, b)}


POINTS = st.tuples(st.floats(min_value=-70, max_value=70), st.floats(min_value=-179, max_value=179)).flatmap(
    lambda p: st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=3),  # source
            st.floats(min_value=-0.0015, max_value=0.0015),  # north of the first point, in degrees
            st.floats(min_value=-0.006, max_value=0.006),  # east of it: 100 m is 0.0026° of longitude at 70°
            st.sampled_from(["", "1 Main St", "2 Main St"]),
            st.sampled_from(["", "https://zoom.us/j/1", "https://zoom.us/j/2"]),
        ),
        min_size=2,
        max_size=12,
    ).map(lambda rows: (p, rows))
)


@hsettings(max_examples=300, deadline=None)
@given(POINTS)
def test_every_pair_compare_would_accept_is_a_candidate(world):
    """Candidates come from shared links, shared addresses and neighbouring cells; no pair within
    ``NEAR_METRES`` may fall between the cells, at any latitude (a degree of longitude shrinks to
    the north and south)."""
    (lat, lng), rows = world
    listings = [
        duplicates.Listing(
            n,
            source,
            ("na", 1, "19:00", "Europe/Stockholm"),
            "Serenity",
            lat + dlat,
            lng + dlng,
            duplicates.link_key(link),
            address,
            "",
            "",
            "in_person",
        )
        for n, (source, dlat, dlng, address, link) in enumerate(rows, start=1)
    ]
    assert found_pairs(listings) == brute_force_pairs(listings)
