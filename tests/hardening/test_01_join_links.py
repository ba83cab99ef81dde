"""Item 1: the Join button (and every feed link) is judged as a browser parses the URL.

Python's urlsplit and a browser disagree on URLs like ``https://evil.example\\@zoom.us/j/1``:
urlsplit's host is zoom.us, the browser's is evil.example. Each URL below is imported as a
conference link; a "Join on Zoom" button may only appear when the host the *browser* goes to
(ada, a WHATWG parser, reading the raw feed value) really is zoom.us.
"""

import json

import pytest
from ada_url import parse_url

from commonground.feeds.importing import import_location
from commonground.feeds.meeting_guide.writer import feed_queryset, write_feed
from commonground.meetings.models import Meeting
from tests.hardening.conftest import good_row
from tests.tiers import sweep

CONFUSABLE = [
    "https://evil.example\\@zoom.us/j/1",
    "https://evil.example\\.zoom.us/j/1",
    "https:\\\\evil.example\\zoom.us/j/1",
    "https://zoom.us@evil.example/j/1",
    "https://zoom.us:443@evil.example/j/1",
    "https://zoom.us%2F@evil.example/j/1",
    "https://evil.example%2F.zoom.us/j/1",
    "https://evil.example\t.zoom.us/j/1",
    "https://evil.example\n.zoom.us/j/1",
    "https://evil.example#@zoom.us/j/1",
    "https://evil.example?@zoom.us/j/1",
    "https://zoom.us.evil.example/j/1",
    "https://notzoom.us/j/1",
    "https://evil.example/\u202e/zoom.us",
    " https://evil.example\\@zoom.us/j/1 ",
    "javascript://zoom.us/%0aalert(1)",
    "data:text/html,https://zoom.us/j/1",
    "https://zoom.us\u200b.evil.example/j/1",
]
GENUINE = {
    "https://us02web.zoom.us/j/123?pwd=abc": "https://us02web.zoom.us/j/123?pwd=abc",
    "https://ZOOM.US./j/1": "https://zoom.us/j/1",
    "https://zoom.us/j/1#success": "https://zoom.us/j/1#success",
    "  https://meet.google.com/abc-defg-hij  ": "https://meet.google.com/abc-defg-hij",
}


def host_matches(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def browser_host(raw: str) -> str | None:
    try:
        return parse_url(raw.strip())["hostname"]
    except ValueError:
        return None


@pytest.mark.django_db
@sweep("raw", CONFUSABLE)
def test_item01_a_confusable_url_never_becomes_a_join_button(feed_path, client, raw):
    report = import_location(feed_path([good_row(conference_url=raw, conference_url_notes="Passcode 1")]))
    meeting = Meeting.objects.get()
    shown = client.get(meeting.get_absolute_url()).content.decode()
    if meeting.conference_url:  # kept only if the browser would really go to a known provider
        assert host_matches(browser_host(raw) or "", "zoom.us") or host_matches(browser_host(raw) or "", "google.com")
    assert "Join on Zoom" not in shown, f"{raw!r} became a Join button"
    assert "evil.example" not in shown
    assert any(w.field == "conference_url" for w in report.warnings), "the maintainer is told why"
    exported = json.loads(_export())
    assert "conference_url" not in exported[0]


@pytest.mark.django_db
@sweep("raw, normalised", GENUINE.items())
def test_item01_a_genuine_link_is_kept_in_one_normalised_form(feed_path, client, raw, normalised):
    import_location(feed_path([good_row(conference_url=raw)]))
    meeting = Meeting.objects.get()
    assert meeting.conference_url == normalised
    assert browser_host(normalised) == browser_host(raw).rstrip(".")  # normalising never changes where it goes
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f'href="{normalised.replace("&", "&amp;")}"' in page
    assert json.loads(_export())[0]["conference_url"] == normalised


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["url", "feedback_url", "entity_url", "edit_url", "website"])
@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:x",
        "file:///etc/passwd",
        "https://evil.example\\@good.example/",
    ],
)
def test_item01_other_feed_links_are_http_only(feed_path, field, raw):
    report = import_location(feed_path([good_row(**{field: raw, "entity": "Intergroup"})]))
    meeting = Meeting.objects.get()
    stored = meeting.extra.get(field) if field == "website" else getattr(meeting, field)
    assert not stored
    assert any(w.field == field for w in report.warnings)
    assert raw not in _export()


@pytest.mark.django_db
def test_item01_feedback_may_be_mailto_but_only_an_address(feed_path):
    import_location(
        feed_path(
            [
                good_row(slug="a", feedback_url="mailto:help@example.org"),
                good_row(slug="b", feedback_url="mailto:javascript:alert(1)"),
            ]
        )
    )
    assert Meeting.objects.get(key="a").feedback_url == "mailto:help@example.org"
    assert Meeting.objects.get(key="b").feedback_url == ""


def _export() -> str:
    import io

    out = io.StringIO()
    write_feed(feed_queryset(), out)
    return out.getvalue()
