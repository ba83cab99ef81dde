"""What to try next (``journal/suggest.py``) and the meeting references it and the journal rest on
(``meetings/refs.py``).

The walk over the saved fit ranking is checked over many rankings and ratings with stand-ins for the
two tables it reads (no database); a few tests then run it on the real tables, and the meetings it
offers are checked for the search they ask (the search itself is tested with the finder).
test_companion.py follows one person through the pages; this file checks the rule."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import commonground.catalog as catalog
from commonground.journal import suggest
from commonground.journal.models import Account, Tried
from commonground.journal.records import AccountData, TriedData
from commonground.meetings.models import meeting_at

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)
CODES = ["p1", "p2", "p3", "p4", "p5", "p6"]
RATINGS = st.sampled_from(["1", "2", "3", "4", "5", 1, 4, 5, "", None])
RETURNS = st.sampled_from(["yes", "no", "unsure", None])


class FakeProgram:
    def __init__(self, code):
        self.code, self.name = code, f"{code} (name)"

    def text(self, field, language="en"):
        return f"{self.code} in {language}" if field == "name" and language != "xx" else ""


def stand_ins(monkeypatch, known: list[str], entries: dict[str, list[dict]], meetings=("a meeting",)):
    """The two tables the walk reads, as stand-ins, and the meeting search as a recorder."""
    programs = SimpleNamespace(
        objects=SimpleNamespace(filter=lambda code__in: [FakeProgram(c) for c in code__in if c in known])
    )
    rows = [
        SimpleNamespace(data=TriedData.load({**entry, "program": code}))
        for code, listed in entries.items()
        for entry in listed
    ]
    tried = SimpleNamespace(objects=SimpleNamespace(filter=lambda user: rows))
    asked = []
    monkeypatch.setattr(suggest, "Program", programs)
    monkeypatch.setattr(suggest, "Tried", tried)
    monkeypatch.setattr(
        suggest, "_meetings", lambda query, code, zone: asked.append((query, code, zone)) or list(meetings)
    )
    return asked


def going_well(listed: list[dict]) -> bool:
    """A 4 or a 5, or "would go back", in any entry."""
    return any(str(e.get("rating") or "") in ("4", "5") for e in listed) or any(
        e.get("would_return") == "yes" for e in listed
    )


@PROPERTY
@given(
    st.lists(st.sampled_from(CODES), unique=True, max_size=6),
    st.sets(st.sampled_from(CODES)),
    st.dictionaries(
        st.sampled_from(CODES),
        st.lists(st.fixed_dictionaries({"rating": RATINGS, "would_return": RETURNS}), min_size=1, max_size=3),
    ),
    st.sampled_from(["", "Europe/Madrid"]),
)
def test_the_walk_names_each_program_tried_and_suggests_the_first_one_not_tried(ranking, known, entries, zone):
    with pytest.MonkeyPatch.context() as mp:
        asked = stand_ins(mp, sorted(known), entries)
        account = SimpleNamespace(
            data=AccountData.load(
                {
                    "saved_fit": {"query": "help_with=alcohol", "ranking": ranking, "saved_on": "2026-12-01"},
                    "timezone": zone,
                }
            )
        )
        got = suggest.suggestion("someone", account, "es")
    shown = [code for code in ranking if code in known]  # programs no longer in the catalog are skipped
    untried = [code for code in shown if code not in entries]
    walked = shown[: shown.index(untried[0])] if untried else shown
    assert got["saved_on"] == "2026-12-01"
    assert got["going_well"] == [f"{c} in es" for c in walked if going_well(entries[c])]
    assert got["passed"] == [f"{c} in es" for c in walked if not going_well(entries[c])]
    if untried:
        assert got["program"].code == untried[0] and got["name"] == f"{untried[0]} in es"
        assert got["meetings"] == ["a meeting"]
        assert asked == [("help_with=alcohol", untried[0], zone or "UTC")]
    else:
        assert got["program"] is None and got["meetings"] == [] and asked == []


@pytest.mark.parametrize(
    "rating, would_return, kept",
    [
        ("3", "yes", True),  # a middling first visit, but they would go back
        ("4", "no", True),  # felt it fit, though they would not go back: a 4 is going well
        ("3", "unsure", False),
        ("1", "no", False),
        ("", None, False),
    ],
)
def test_one_entry_is_going_well_by_its_rating_or_by_wanting_to_go_back(monkeypatch, rating, would_return, kept):
    stand_ins(monkeypatch, ["p1", "p2"], {"p1": [{"rating": rating, "would_return": would_return}]})
    account = SimpleNamespace(data=AccountData.load({"saved_fit": {"query": "", "ranking": ["p1", "p2"]}}))
    got = suggest.suggestion(None, account, "en")
    assert (got["going_well"], got["passed"]) == ((["p1 in en"], []) if kept else ([], ["p1 in en"]))
    assert got["program"].code == "p2" and got["saved_on"] is None


def test_a_later_visit_that_went_well_outweighs_an_earlier_one(monkeypatch):
    stand_ins(
        monkeypatch, ["p1"], {"p1": [{"rating": "1", "would_return": "no"}, {"rating": "5", "would_return": "yes"}]}
    )
    got = suggest.suggestion(
        None, SimpleNamespace(data=AccountData.load({"saved_fit": {"query": "", "ranking": ["p1"]}})), "en"
    )
    assert got["going_well"] == ["p1 in en"] and got["passed"] == [] and got["program"] is None


def test_a_program_without_a_name_in_the_language_falls_back_to_its_name(monkeypatch):
    stand_ins(monkeypatch, ["p1", "p2"], {"p1": [{"rating": "2"}]})
    got = suggest.suggestion(
        None, SimpleNamespace(data=AccountData.load({"saved_fit": {"query": "", "ranking": ["p1", "p2"]}})), "xx"
    )
    assert got["passed"] == ["p1 (name)"] and got["name"] == "p2 (name)"


@pytest.mark.parametrize("data", [{}, {"saved_fit": None}, {"saved_fit": {}}, {"timezone": "UTC"}])
def test_nothing_to_suggest_without_saved_results(monkeypatch, data):
    stand_ins(monkeypatch, CODES, {})
    assert suggest.suggestion(None, SimpleNamespace(data=AccountData.load(data)), "en") is None


# --- on the real tables -------------------------------------------------------------------------


def catalog_name(code: str, language: str) -> str:
    """A program's name as its catalog file writes it (``[i18n.<language>] name``, else ``name``)."""
    raw = tomllib.loads((Path(catalog.__file__).parent / "programs" / f"{code}.toml").read_text(encoding="utf-8"))
    return raw.get("i18n", {}).get(language, {}).get("name") or raw["name"]


@pytest.mark.django_db
def test_on_the_real_tables_the_names_are_the_catalog_s_and_only_my_journal_counts(django_user_model, monkeypatch):
    me, other = django_user_model.objects.create(username="me-1"), django_user_model.objects.create(username="them-1")
    account = Account.objects.create(
        user=me,
        data={
            "timezone": "America/Bogota",
            "saved_fit": {
                "query": "help_with=alcohol",
                "ranking": ["gone-program", "aa", "smart", "lifering"],
                "saved_on": "2026-11-30",
            },
        },
    )
    Tried.objects.create(user=me, data={"program": "aa", "rating": "2", "would_return": "no"})
    Tried.objects.create(user=me, data={"program": "smart", "rating": "3", "would_return": "yes"})
    Tried.objects.create(user=other, data={"program": "lifering", "rating": "5", "would_return": "yes"})
    asked = []
    monkeypatch.setattr(suggest, "_meetings", lambda query, code, zone: asked.append((query, code, zone)) or [])
    got = suggest.suggestion(me, account, "es")
    assert got["passed"] == [catalog_name("aa", "es")] and got["passed"] == ["Alcohólicos Anónimos"]
    assert got["going_well"] == [catalog_name("smart", "es")]
    # Someone else's 5 for LifeRing is not mine: it is still the one to try next.
    assert got["program"].code == "lifering" and got["name"] == catalog_name("lifering", "es")
    assert asked == [("help_with=alcohol", "lifering", "America/Bogota")]


# --- the meetings offered with a suggestion --------------------------------------------------------


@pytest.fixture
def search_spy(monkeypatch):
    """The parameters the suggestion's meeting search is built from, and an empty answer."""
    from commonground.search import engine, query

    seen = []
    real_parse = query.parse_query

    def parse(params, **kwargs):
        seen.append(dict(params))
        return real_parse(params, **kwargs)

    monkeypatch.setattr(query, "parse_query", parse)
    monkeypatch.setattr(engine, "search", lambda parsed: SimpleNamespace(results=[]))
    return seen


@pytest.mark.django_db  # the search checks the program against the catalog
@pytest.mark.parametrize(
    "saved, expected",
    [
        # No day or time asked: the coming week (7 x 24 x 60 = 10080 minutes), online since no place was given.
        ("help_with=alcohol", {"mode": "online", "starting_within": "10080", "tz": "Asia/Manila"}),
        # A day asked: that day, and no week-long window on top of it (Meeting Guide days: 6 is Saturday).
        ("help_with=alcohol&day=6", {"mode": "online", "day": ["6"], "tz": "Asia/Manila"}),
        # The answers' own zone wins over the account's.
        ("help_with=alcohol&tz=America/Denver", {"mode": "online", "starting_within": "10080", "tz": "America/Denver"}),
    ],
)
def test_the_meetings_offered_are_three_of_the_program_s_in_the_saved_window(search_spy, saved, expected):
    assert suggest._meetings(saved, "smart", "Asia/Manila") == []
    assert search_spy == [{**expected, "program": "smart", "limit": "3"}]


@pytest.mark.django_db
@pytest.mark.parametrize("saved", ["colour=blue", "help_with=everything", "help_with=alcohol&tz=Mars/Base"])
def test_saved_answers_that_no_longer_read_offer_no_meetings_and_no_error(search_spy, saved):
    """Answers saved before the questions changed: the suggestion stands, without meetings."""
    assert suggest._meetings(saved, "aa", "UTC") == []
    assert search_spy == []


# --- meeting references -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["m-1", "1234", "group/5/tuesday", "a b", "ñandú"])
def test_a_reference_finds_its_own_meeting_and_only_it(make_meeting, key):
    from commonground.meetings.models import Source

    mine = make_meeting(key=key)
    elsewhere = Source.objects.create(name="Another intergroup", format="meeting-guide")
    theirs = make_meeting(key=key, source=elsewhere)
    assert mine.ref == f"{mine.source.slug}/{key}" != theirs.ref
    assert meeting_at(mine.ref).pk == mine.pk and meeting_at(theirs.ref).pk == theirs.pk
    assert meeting_at(mine.ref + "x") is None


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["", None, "no-slash", "/m1", "test-intergroup/", "/", "nowhere/m1"])
def test_a_reference_that_names_no_meeting_is_none(make_meeting, ref):
    make_meeting(key="m1")
    assert meeting_at(ref) is None
