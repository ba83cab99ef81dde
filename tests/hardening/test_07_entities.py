"""Item 7: entity-encoded HTML is decoded, then stripped, until nothing is left of it."""

import io
import json

import pytest

from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.validator import validate_bytes
from commonground.feeds.meeting_guide.writer import feed_queryset, write_feed
from commonground.meetings.models import Meeting
from tests.hardening.conftest import good_row

HOSTILE = [
    ("&lt;script&gt;alert(1)&lt;/script&gt;Meet at the side door", "Meet at the side door"),
    ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;Side door", "Side door"),
    ("&#60;img src=x onerror=alert(1)&#62;Room 4", "Room 4"),
    ("&#x3C;iframe src=//evil.example&#x3E;&#x3C;/iframe&#x3E;Basement", "Basement"),
    ("<scr<script>ipt>alert(1)</script>Hall", "ipt>alert(1)Hall"),
    ("<b>Bold</b> &amp; plain", "Bold & plain"),
    ("3 < 4 and 5 > 2", "3 < 4 and 5 > 2"),
    ("AT&amp;T building", "AT&T building"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("raw, clean", HOSTILE)
def test_item07_encoded_markup_is_stored_as_plain_text_and_exports_valid(feed_path, raw, clean):
    import_location(feed_path([good_row(notes=raw, location=raw)]))
    meeting = Meeting.objects.get()
    assert meeting.notes == clean and meeting.location == clean
    out = io.StringIO()
    write_feed(feed_queryset(), out)
    exported = out.getvalue()
    assert "<script" not in exported.lower() and "&lt;script" not in exported.lower()
    result = validate_bytes(exported.encode(), "ours")
    assert result["valid"], result["problems"]


def test_item07_the_validator_rejects_entity_encoded_html_in_a_feed():
    feed = json.dumps([good_row(notes="&lt;script&gt;alert(1)&lt;/script&gt;")]).encode()
    result = validate_bytes(feed, "theirs")
    assert not result["valid"] and any(p["field"] == "notes" for p in result["problems"])
