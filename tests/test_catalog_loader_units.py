"""The catalog loader's checks one at a time, and what the program files must hold beyond them.

tests/test_catalog.py loads the real files and checks their facts cite sources; here each rule
of ``validate_program`` and ``check_source`` is broken on purpose on a copy of a real file (the
control, the copy unbroken, has no problem), and the files are checked for what no validator
rule covers: real dates, no source left uncited, names that tell programs apart, values that fit
their columns, and Spanish text under the keys the site reads.
"""

import copy
import itertools
import re
import tomllib
from datetime import date

import pytest
from django.conf import settings
from django.db.models import CharField

from commonground.catalog.loader import (
    FACT_VALUES,
    LIST_FACTS,
    PROGRAMS_DIR,
    REQUIRED_KEYS,
    CatalogError,
    _fields,
    check_source,
    fact_confirmed,
    program_files,
    program_type_tables,
    read_program_file,
    validate_program,
)
from commonground.catalog.models import Program
from commonground.meetings import types

FILES = {path.stem: tomllib.loads(path.read_text(encoding="utf-8")) for path in program_files()}
AA = FILES["aa"]


def problems_after(change) -> list[str]:
    data = copy.deepcopy(AA)
    change(data)
    return validate_program(data, "aa")


def test_the_unbroken_copy_has_no_problem():
    assert validate_program(copy.deepcopy(AA), "aa") == []


def test_each_required_key_missing_is_named():
    for key in REQUIRED_KEYS:
        assert f"missing {key!r}" in problems_after(lambda d, key=key: d.pop(key)), key


def test_each_fact_missing_is_named():
    for fact in FACT_VALUES:
        assert f"missing [facts.{fact}]" in problems_after(lambda d, fact=fact: d["facts"].pop(fact)), fact


def test_each_fact_with_a_value_outside_its_vocabulary_is_named():
    for fact in (name for name, allowed in FACT_VALUES.items() if allowed is not None):
        bad = ["not-a-value"] if fact in LIST_FACTS else "not-a-value"
        found = problems_after(lambda d, fact=fact, bad=bad: d["facts"][fact].update(value=bad))
        assert any(p.startswith(f"facts.{fact} = {bad!r} is not one of") for p in found), (fact, found)


def test_a_list_fact_given_as_one_value_is_named():
    for fact in LIST_FACTS:
        one = AA["facts"][fact]["value"][0]  # a value from its vocabulary, but not in a list
        found = problems_after(lambda d, fact=fact, one=one: d["facts"][fact].update(value=one))
        assert found == [f"facts.{fact} must be a list"], fact


BROKEN_RULES = [
    (lambda d: d.update(code="alcoholics"), "code 'alcoholics' must equal the file name 'aa'"),
    (lambda d: d.update(status="retired"), "status must be one of ['active', 'legacy']"),
    (lambda d: d.update(type_table="klingon"), "type_table 'klingon' is not a known code table"),
    (lambda d: d.update(sources={}), "no [sources]"),
    (lambda d: d["facts"]["moud"].update(sources=[]), "facts.moud cites no source"),
    (lambda d: d["facts"]["moud"].update(sources=["ghost"]), "facts.moud cites undeclared source 'ghost'"),
    (
        lambda d: d["facts"].update(colour={"value": "blue", "sources": ["aa-p11"]}),
        "facts.colour is not a catalog fact",
    ),
    (lambda d: d["facts"]["moud"].update(confirmed="yes"), "facts.moud.confirmed must be true or false"),
    (lambda d: d["website"].pop("url"), "website has no url"),
    (lambda d: d["meeting_finder"].update(sources=["ghost"]), "meeting_finder cites undeclared source 'ghost'"),
    (lambda d: d["i18n"]["es"]["notes"].update(colour="azul"), "i18n.es.notes.colour translates no fact"),
    (lambda d: d["i18n"]["es"]["sources"].update(ghost={"title": "x"}), "i18n.es.sources.ghost translates no source"),
    (
        lambda d: d["sources"]["aa-p11"].update(kind="blog"),
        "source 'aa-p11': kind must be one of primary, peer-reviewed, secondary",
    ),
]


def test_each_broken_rule_is_named():
    for change, expected in BROKEN_RULES:
        assert expected in problems_after(change), expected


SOURCE_RULES = [
    ({}, []),
    ({"title": "  "}, ["needs a title"]),
    ({"title": None}, ["needs a title"]),
    ({"url": "www.aa.org/p-11"}, ["needs a full http(s) url"]),
    ({"url": "ftp://aa.org/x"}, ["needs a full http(s) url"]),
    ({"kind": "Primary"}, ["kind must be one of primary, peer-reviewed, secondary"]),
    ({"checked": "2026-1-5"}, ['needs the date it was checked (checked = "YYYY-MM-DD")']),
    ({"checked": ""}, ['needs the date it was checked (checked = "YYYY-MM-DD")']),
    ({"checked": "2026-11-27 "}, ['needs the date it was checked (checked = "YYYY-MM-DD")']),
    ({"checked": date(2026, 11, 27)}, []),  # an unquoted TOML date reads as a date, written the same
    (
        {"title": "From our research notes"},
        ["names an internal file or note; cite the program's own material or a paper"],
    ),
    (
        {"url": "https://example.org/programs-facts.md"},
        ["names an internal file or note; cite the program's own material or a paper"],
    ),
    (
        {"title": "Common Ground fact-check"},
        ["names an internal file or note; cite the program's own material or a paper"],
    ),
]


def test_each_rule_for_a_source():
    for changes, expected in SOURCE_RULES:
        source = {
            "title": "The A.A. Member",
            "url": "https://www.aa.org/p-11",
            "kind": "primary",
            "checked": "2026-11-27",
            **changes,
        }
        assert check_source(source) == expected, changes


SOURCES = {"own": {"kind": "primary"}, "paper": {"kind": "peer-reviewed"}, "press": {"kind": "secondary"}}


def test_a_fact_is_confirmed_only_when_known_backed_and_not_marked_otherwise():
    for flag, value, cited in itertools.product(
        ["absent", True, False],
        ["welcoming", "unknown", ["unknown"], ["drinking"], ["unknown", "drinking"]],
        [[], ["own"], ["paper"], ["press"], ["press", "paper"], ["ghost"]],
    ):
        fact = {"value": value, "sources": cited, **({} if flag == "absent" else {"confirmed": flag})}
        known = value not in ("unknown", ["unknown"])
        backed = bool({"own", "paper"} & set(cited))  # the program's own material or research; "ghost" is undeclared
        assert fact_confirmed(fact, SOURCES) is (flag is not False and known and backed), fact


def test_a_website_is_confirmed_by_what_its_sources_are():
    data = copy.deepcopy(AA)
    data["sources"]["press"] = {
        "title": "A newspaper",
        "url": "https://news.example.org/",
        "kind": "secondary",
        "checked": "2026-11-27",
    }
    data["website"]["sources"] = ["press"]
    assert _fields(data)["website_confirmed"] is False
    data["website"]["sources"] = ["press", "aa-p11"]
    assert AA["sources"]["aa-p11"]["kind"] in ("primary", "peer-reviewed")
    assert _fields(data)["website_confirmed"] is True


def test_the_stored_fields_are_trimmed_and_not_for_defaults_to_empty():
    data = copy.deepcopy(AA)
    data["summary"] = "\n  A fellowship.  \n"
    data.pop("not_for", None)
    fields = _fields(data)
    assert fields["summary"] == "A fellowship." and fields["not_for"] == ""
    assert set(fields["facts"]) == set(AA["facts"]) | {"website", "meeting_finder"}


def test_a_file_that_is_not_toml_is_named(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('code = "broken"\nname = \n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^broken\.toml: not valid TOML \("):
        read_program_file(path)


def test_every_problem_of_a_file_is_listed_in_one_error(tmp_path):
    path = tmp_path / "other.toml"
    path.write_text(
        (PROGRAMS_DIR / "aa.toml").read_text(encoding="utf-8").replace('status = "active"', 'status = "x"'),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as info:
        read_program_file(path)
    assert str(info.value) == (
        "other.toml: code 'aa' must equal the file name 'other'; status must be one of ['active', 'legacy']"
    )


# --- what the program files hold -------------------------------------------------------------------


def test_every_source_was_checked_on_a_real_day_not_yet_to_come():
    for code, data in FILES.items():
        for sid, source in data["sources"].items():
            checked = date.fromisoformat(str(source["checked"]))  # "2026-02-30" would raise here
            assert date(2020, 1, 1) <= checked <= date.today(), (code, sid, checked)


def test_every_declared_source_is_cited_by_a_fact_or_a_link():
    for code, data in FILES.items():
        cited = {sid for fact in data["facts"].values() for sid in fact.get("sources", [])}
        cited |= {sid for link in ("website", "meeting_finder") for sid in data.get(link, {}).get("sources", [])}
        assert set(data["sources"]) <= cited, (code, set(data["sources"]) - cited)


def test_names_and_places_in_the_list_tell_the_programs_apart():
    for field in ("name", "short_name", "order"):
        values = [data[field] for data in FILES.values()]
        assert len(values) == len(set(values)), field
    spanish = [data["i18n"]["es"].get("name") or data["name"] for data in FILES.values()]
    assert len(spanish) == len(set(spanish)), "the Spanish names, English where there is none"


def test_every_value_fits_its_column_and_codes_are_slugs():
    limits = {f.name: f.max_length for f in Program._meta.concrete_fields if isinstance(f, CharField) and f.max_length}
    for code, data in FILES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code) and len(code) <= limits["code"], code
        fields = _fields(data)
        for name, limit in limits.items():
            value = data.get(name) if name == "code" else fields.get(name)
            assert value is None or len(value) <= limit, (code, name, value)
        es = data["i18n"]["es"]
        for name in ("name", "short_name"):  # shown in the same places as the English
            assert len(es.get(name, "")) <= limits[name], (code, name)


# What the site reads of a translation (Program.text, .note, .source): any other key is never shown.
TRANSLATED = {"name", "short_name", "summary", "first_meeting", "not_for", "milestones", "notes", "sources"}


def test_spanish_text_is_under_keys_the_site_reads_and_wherever_the_english_has_prose():
    offered = {code for code, _ in settings.LANGUAGES} - {"en"}
    for code, data in FILES.items():
        assert set(data["i18n"]) <= offered, code
        es = data["i18n"]["es"]
        assert set(es) <= TRANSLATED, (code, set(es) - TRANSLATED)
        assert bool(es.get("not_for", "").strip()) is bool(data.get("not_for", "").strip()), code
        if data["facts"]["milestones"]["value"] != "unknown":
            assert es.get("milestones", "").strip(), f"{code}: its milestones are prose, so Spanish prose too"
        for sid, translated in es.get("sources", {}).items():
            assert set(translated) == {"title"} and translated["title"].strip(), (code, sid)


def test_the_type_tables_read_without_a_database_are_the_files_own():
    assert program_type_tables() == {code: data["type_table"] for code, data in FILES.items()}
    assert set(program_type_tables().values()) <= set(types.known_tables())
