"""A meeting's lasting reference and its page's address, written and read in one place (meetings/refs.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.urls import resolve
from hypothesis import example, given
from hypothesis import strategies as st

from commonground.meetings import refs
from commonground.meetings.models import Meeting, Source, meeting_at

SRC = Path(__file__).resolve().parents[2] / "src" / "commonground"
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)
keys = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40)


@pytest.mark.slow
@given(slugs, keys)
def test_a_reference_reads_back_as_the_source_and_key_it_was_made_from(slug, key):
    assert refs.parse(refs.ref(slug, key)) == (slug, key)


@pytest.mark.slow
@given(slugs, keys)
@example("s", "a\nb")  # found by this test: the route stopped at a line break, and the page was not found
def test_the_page_address_resolves_to_the_meeting_route_with_the_same_source_and_key(slug, key):
    address = refs.path(slug, key)
    assert address.count("/") == 3  # the key is one segment, whatever it holds
    match = resolve(unquote(address))  # as a server hands Django the path: decoded
    assert match.url_name == "meeting" and match.kwargs == {"source": slug, "key": key}
    assert refs.from_path(address) == refs.ref(slug, key)


@pytest.mark.parametrize("text", ["", None, "no-slash", "/key-only", "source-only/"])
def test_what_is_not_a_reference_names_no_meeting(text):
    assert refs.parse(text) is None


@pytest.mark.parametrize("address", ["/programs/aa", "/meeting/x/y", "https://example.org/meetings/a/b", "/meetings/a"])
def test_an_address_that_is_not_a_meeting_page_has_no_reference(address):
    assert refs.from_path(address) is None


@pytest.mark.django_db
def test_the_model_its_reference_its_address_and_the_lookup_agree(demo_meetings):
    demo_meetings(20, seed=5)
    source = Source.objects.first()
    odd = Meeting.objects.filter(source=source).first()
    Meeting.objects.filter(pk=odd.pk).update(key="a b/c?d#e%f")
    odd.refresh_from_db()
    assert odd.ref == f"{source.slug}/a b/c?d#e%f"
    assert odd.get_absolute_url() == f"/meetings/{source.slug}/a%20b%2Fc%3Fd%23e%25f"
    assert meeting_at(odd.ref) == odd
    assert meeting_at(f"{source.slug}/no such key") is None


@pytest.mark.django_db
def test_the_bmlt_answer_links_each_meeting_by_its_quoted_address(client, demo_meetings):
    """The BMLT answer's meeting_url once put the key in raw: a key with a space or a '/' broke it."""
    demo_meetings(30, seed=5)
    odd = Meeting.objects.filter(weekday__isnull=False, attendance_mode="in_person", duplicate_of__isnull=True).first()
    Meeting.objects.filter(pk=odd.pk).update(key="a b/c")
    answer = json.loads(
        client.get("/bmlt/client_interface/json/?switcher=GetSearchResults", HTTP_HOST="localhost").content
    )
    urls = {item["meeting_url"] for item in answer}
    assert f"http://localhost/meetings/{odd.source.slug}/a%20b%2Fc" in urls


def test_no_other_module_writes_or_splits_a_reference():
    """The reference is written ``<slug>/<key>`` and split at its first '/' in refs.py only."""
    pattern = re.compile(r"slug\}/\{[^}]*key\}|slug\}/\{key|\.partition\(\"/\"\)|\"/meetings/\"|'/meetings/'")
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "refs.py"
        and "migrations" not in path.parts
        # a BMLT format's own key (not a meeting's), numbered by its source and key
        and path.relative_to(SRC).as_posix() != "api/bmlt/formats.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
