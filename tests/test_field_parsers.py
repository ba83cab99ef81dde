"""The field parsers' quick paths give exactly what their slow paths give."""

import pytest
from django.utils.text import slugify
from hypothesis import example, given, settings
from hypothesis import strategies as st

from commonground.feeds.fields import make_slug, parse_updated


def slow_slug(key: str) -> str:
    return slugify(key, allow_unicode=False)[:64].strip("-") or "meeting"


slug_like = st.text(alphabet="abz09-_A é", max_size=70)


@pytest.mark.slow
@given(st.one_of(slug_like, st.text(max_size=70)))
@example("bench-12")
@example("a--b")
@example("-a")
@example("a-")
@example("a_b")
@example("A-b")
@example("x" * 65)
@example("")
@example("ｂench")
@settings(max_examples=500, deadline=None)
def test_a_slug_is_what_slugify_makes_of_the_key(key):
    assert make_slug(key) == slow_slug(key)


def test_the_same_updated_stamp_reads_the_same_each_time():
    first = parse_updated("2024-05-31 14:32:23")
    assert parse_updated(" 2024-05-31 14:32:23 ") == first == parse_updated("2024-05-31 14:32:23")
    assert first.isoformat() == "2024-05-31T14:32:23+00:00"
    assert parse_updated("2024-02-30 10:00:00") is None and parse_updated(5) is None


def test_the_contacts_quick_skip_reads_only_none_and_empty_as_missing():
    from commonground.feeds.fields import Context
    from commonground.feeds.normalize import _contacts

    ctx = Context("aa", "spec")
    assert _contacts({}, ctx) == [] and _contacts({"contact_1_name": "", "contact_3_email": None}, ctx) == []
    assert _contacts({"contact_2_phone": 0}, ctx) == [{"name": "", "email": "", "phone": "0"}]
