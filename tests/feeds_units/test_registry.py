"""The registry of public sources (feeds/registry/) and `commonground sources add-registry` (issue 29).

Entries are data: nothing here fetches anything (one test makes sure of it)."""

from __future__ import annotations

import json
import tomllib

import pytest
from django.core.management import CommandError, call_command

from commonground.feeds import fetch, registry
from commonground.meetings.links import web_link
from commonground.meetings.models import Source
from commonground.safety.countries import iso_codes

SERVER_LIST = [
    {"id": "99", "name": "Aotearoa New Zealand Region", "url": "https://bmlt.nzna.org/main_server/"},
    {"id": 7, "name": "A Root", "url": "https://root.example.org/main_server/"},
    {"id": "8", "name": "", "url": "https://nameless.example.org/main_server/"},
    {"id": "9", "name": "Script", "url": "javascript:alert(1)"},
    {"id": "10", "name": "Disguised", "url": "https://bmlt.org@evil.example.net/main_server/"},
    {"id": "11", "name": "Bare address", "url": "http://10.0.0.5/main_server/"},
    {"id": "7", "name": "A Root again", "url": "https://other.example.org/main_server/"},
    "not an entry",
    {"name": "No id", "url": "https://noid.example.org/"},
]


@pytest.fixture
def server_list(tmp_path):
    path = tmp_path / "serverList.json"
    path.write_text(json.dumps(SERVER_LIST))
    return path


@pytest.fixture(autouse=True)
def nothing_is_fetched(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the registry fetched something")

    monkeypatch.setattr(fetch, "open_body", refuse)


def out(*args) -> str:
    from io import StringIO

    buffer = StringIO()
    call_command("sources", *args, stdout=buffer)
    return buffer.getvalue()


# --- the lists shipped -------------------------------------------------------------------------


def test_the_shipped_lists_hold_every_bmlt_root_and_the_feeds_each_valid_and_sourced():
    lists = {r.name: r for name in ("world", "bmlt-roots") for r in registry.load(name)}
    assert set(lists) == {"bmlt-roots", "feeds"}
    roots = lists["bmlt-roots"]
    assert len(roots.entries) == 44 and roots.skipped == []
    assert {"99", "113", "146", "160", "162"} <= {e.id for e in roots.entries}
    assert all(e.format == "bmlt" and e.program == "na" for e in roots.entries)
    every = [e for r in lists.values() for e in r.entries]
    assert len({e.key for e in every}) == len(every) and lists["feeds"].skipped == []
    for entry in every:
        assert entry.url.startswith("https://") and web_link(entry.url).href == entry.url, entry
        assert set(entry.countries) <= iso_codes(), entry
    assert {e.id: e.countries for e in roots.entries}["162"] == ("CZ", "SK")
    assert [e.id for e in lists["feeds"].entries if not e.confirmed] == ["oiaa", "nepa-intergroup"]


def test_the_world_covers_na_through_bmlts_export_not_its_roots_one_by_one():
    (feeds,) = registry.load("world")
    export = {e.id: e for e in feeds.entries}["bmlt-export"]
    assert (export.format, export.program, export.url) == (
        "bmlt-export",
        "na",
        "https://cdn.aws.bmlt.app/aggregator/manifest.json",
    )
    assert all(e.format != "bmlt" for e in feeds.entries)


def test_every_list_shipped_says_where_it_came_from_and_when_it_was_checked():
    for path in sorted(registry.HERE.glob("*.toml")):
        head = tomllib.loads(path.read_text())["registry"]
        assert head["checked"] == "2026-12-07", path.name
        text = path.read_text()
        assert "Checked" in text or "Read 2026-12-07" in text, path.name
    roots = tomllib.loads((registry.HERE / "bmlt-roots.toml").read_text())
    assert "bmlt-enabled/aggregator" in roots["registry"]["source"]
    assert all(e.get("basis") in ("name", "url") for e in roots["entry"] if e["countries"])


# --- reading a list --------------------------------------------------------------------------


def test_a_server_list_reads_as_the_bmlt_roots_list_each_bad_entry_skipped_with_its_reason(server_list):
    (read,) = registry.load(str(server_list))
    assert read.name == "bmlt-roots"
    assert [(e.key, e.name, e.format, e.program) for e in read.entries] == [
        ("bmlt-roots:99", "Aotearoa New Zealand Region", "bmlt", "na"),
        ("bmlt-roots:7", "A Root", "bmlt", "na"),
    ]
    reasons = dict(read.skipped)
    assert reasons["8"].startswith("no name")
    assert "only https and http" in reasons["9"]
    assert "user name or password" in reasons["10"]
    assert "bare IP address" in reasons["11"]
    assert "listed twice" in reasons["7"]
    assert reasons["#8"] == "an entry must be a table of fields" and reasons["#9"] == "no id"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.toml", "[registry\nname=", "cannot be read as TOML"),
        ("headless.toml", '[[entry]]\nid = "1"\n', "a [registry] table with a name is needed"),
        ("list.json", '{"id": 1}', "a JSON list of {id, name, url}"),
        ("garbage.json", "<html>", "cannot be read as JSON"),
    ],
)
def test_a_list_that_cannot_be_read_is_refused_in_words(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(registry.RegistryError, match=message.replace("[", r"\[").replace("{", r"\{")):
        registry.load(str(tmp_path / name))


def test_a_missing_file_is_named():
    with pytest.raises(registry.RegistryError, match="no such file"):
        registry.load("/nowhere/list.toml")


def test_an_entry_with_a_country_that_is_not_one_is_skipped(tmp_path):
    (tmp_path / "ours.toml").write_text(
        '[registry]\nname = "ours"\nformat = "meeting-guide"\n'
        '[[entry]]\nid = "a"\nname = "A"\nurl = "https://a.example.org/feed.json"\ncountries = ["UK"]\n'
        '[[entry]]\nid = "b"\nname = "B"\nurl = "https://b.example.org/feed.json"\ncountries = ["gb"]\nformat = "xml"\n'
        '[[entry]]\nid = "c"\nname = "C"\nurl = "https://c.example.org/feed.json"\ncountries = ["gb"]\n'
    )
    (read,) = registry.load(str(tmp_path / "ours.toml"))
    assert dict(read.skipped) == {
        "a": "not ISO 3166 country codes: UK",
        "b": "unknown format 'xml'; one of bmlt, bmlt-export, csv, findtreatment, meeting-guide",
    }
    assert [(e.key, e.countries) for e in read.entries] == [("ours:c", ("GB",))]


# --- adding sources --------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_makes_a_source_of_each_entry_and_a_second_run_adds_nothing(server_list):
    first = registry.add(registry.load(str(server_list)))
    assert [name for _e, name in first.added] == ["Aotearoa New Zealand Region", "A Root"]
    root = Source.objects.get(registry_key="bmlt-roots:99")
    assert (root.format, root.location, root.countries, root.default_program_id) == (
        "bmlt",
        "https://bmlt.nzna.org/main_server/",
        "",
        "na",
    )
    again = registry.add(registry.load(str(server_list)))
    assert again.added == [] and len(again.present) == 2 and Source.objects.count() == 2


@pytest.mark.django_db
def test_the_built_in_list_and_bmlts_own_list_give_each_root_once(server_list):
    registry.add(registry.load("bmlt-roots"))
    n = Source.objects.count()
    assert n == 44 and Source.objects.get(registry_key="bmlt-roots:160").countries == "IR"
    later = registry.add(registry.load(str(server_list)))
    assert [e.key for e, _name in later.added] == ["bmlt-roots:7"]  # 99 is there already
    assert Source.objects.count() == n + 1


@pytest.mark.django_db
def test_what_an_operator_changed_is_kept_when_the_list_is_added_again(server_list):
    registry.add(registry.load(str(server_list)))
    Source.objects.filter(registry_key="bmlt-roots:99").update(
        name="NZ (ours)", location="https://mirror.example.org/main_server/", default_program_id="aa"
    )
    registry.add(registry.load(str(server_list)))
    kept = Source.objects.get(registry_key="bmlt-roots:99")
    assert (kept.name, kept.location, kept.default_program_id) == (
        "NZ (ours)",
        "https://mirror.example.org/main_server/",
        "aa",
    )
    assert not Source.objects.filter(location="https://bmlt.nzna.org/main_server/").exists()


@pytest.mark.django_db
def test_a_source_added_by_hand_at_the_same_address_is_left_to_itself(server_list):
    mine = Source.objects.create(name="Our NZ", format="bmlt", location="https://bmlt.nzna.org/main_server/")
    done = registry.add(registry.load(str(server_list)))
    assert [(e.key, name) for e, name in done.present] == [("bmlt-roots:99", "Our NZ")]
    mine.refresh_from_db()
    assert mine.registry_key == "" and Source.objects.filter(location=mine.location).count() == 1


@pytest.mark.django_db
def test_a_name_already_taken_gets_the_entrys_key(server_list):
    Source.objects.create(name="A Root", format="meeting-guide", location="https://elsewhere.example.org/x.json")
    done = registry.add(registry.load(str(server_list)))
    assert "A Root (bmlt-roots:7)" in [name for _e, name in done.added]


@pytest.mark.django_db
def test_a_dry_run_lists_what_it_would_add_and_adds_nothing(server_list):
    text = out("add-registry", str(server_list), "--dry-run")
    lines = text.splitlines()
    assert (
        lines[0]
        == "would add bmlt-roots:99  Aotearoa New Zealand Region  [bmlt, no country]  https://bmlt.nzna.org/main_server/"
    )
    assert "skipped bmlt-roots:9: its url is refused: only https and http links are allowed, not javascript" in lines
    assert lines[-1] == "2 would add, 0 already sources, 7 skipped."
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_the_command_adds_the_world_and_says_how_to_read_it():
    text = out("add-registry", "world")
    assert text.splitlines()[-1] == "4 added, 0 already sources, 0 skipped. Run `commonground sync` to read them."
    assert "added feeds:oiaa  Online Intergroup of AA  [meeting-guide, no country]" in text
    assert "(address not confirmed by its owner: check it first)" in text
    assert "added feeds:bmlt-export  NA world-wide (BMLT aggregator's daily export)  [bmlt-export, no country]" in text
    assert out("add-registry", "world").splitlines()[-1] == "0 added, 4 already sources, 0 skipped."
    assert out("add-registry", "bmlt-roots").splitlines()[-1].startswith("44 added")


@pytest.mark.django_db
def test_the_command_names_a_list_it_cannot_read():
    with pytest.raises(CommandError, match="no such file"):
        out("add-registry", "/nowhere/serverList.json")
