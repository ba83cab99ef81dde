"""A known provider's link with whitespace inside its path is repaired, never its host (issue 27, item 7).

A real OIAA meeting's Zoom link reads ``https://zoom.us/j/ 82580004937``; the link rule refused
it (a space), so the meeting dropped out of online search. Only whitespace inside the *path* of
a link whose host is already a known provider is removed; the host is judged again after the
repair, and each repair is reported in the import report.
"""

from __future__ import annotations

import pytest

from commonground.feeds.fields import Context
from commonground.feeds.normalize import to_meetings
from commonground.meetings.conference import conference_link
from commonground.meetings.links import LinkError, path_whitespace_removed


def row(url: str) -> dict:
    return {
        "name": "Online Hope",
        "slug": "online-hope",
        "day": 1,
        "time": "19:00",
        "timezone": "America/New_York",
        "conference_url": url,
        "types": ["O"],
    }


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("https://zoom.us/j/ 82580004937", "https://zoom.us/j/82580004937"),
        ("https://us02web.zoom.us/j/825 8000 4937?pwd=abc", "https://us02web.zoom.us/j/82580004937?pwd=abc"),
        ("https://meet.google.com/abc-\tdefg-hij", "https://meet.google.com/abc-defg-hij"),
        ("  https://zoom.us/j/ 82580004937  ", "https://zoom.us/j/82580004937"),
    ],
)
def test_whitespace_inside_a_known_providers_path_is_removed(raw, fixed):
    link, repair = conference_link(raw)
    assert link.href == fixed
    assert repair and "space" in repair


def test_a_clean_link_is_not_reported_as_repaired():
    link, repair = conference_link("https://zoom.us/j/82580004937")
    assert (link.href, repair) == ("https://zoom.us/j/82580004937", "")


@pytest.mark.parametrize(
    "raw",
    [
        "https://example.org/j/ 82580004937",  # not a known provider: the rule is unchanged
        "https://zoom.us /j/82580004937",  # whitespace at the host: never repaired
        "https://zoom .us/j/82580004937",
        "https://zoom.us.evil.example /j/1",
        "https://evil.example /zoom.us/j/1",
        "https://evil.example/ https://zoom.us/j/1",  # the host is evil.example, whatever the path says
        "https://zoom.us@evil.example/j/ 1",  # a user name before the host
        "https://zoom.us\\@evil.example/j/ 1",  # a backslash: a slash to browsers
        "https://zoom.us:443@evil.example/j/ 1",
        "https://zoom.us/j/1?pwd=ab cd",  # whitespace in the query is not in the path
        "https://zoom.us/j/1#a b",
        "https://zoom.us/j/\u200b 1",  # an invisible character stays refused after the repair
        "https://zoom.us/j/\n1",  # a line break
        "javascript://zoom.us/j/ 1",
        "zoom.us/j/ 1",
    ],
)
def test_nothing_else_is_repaired(raw):
    with pytest.raises(LinkError):
        conference_link(raw)


def test_the_repair_never_touches_the_authority():
    assert path_whitespace_removed("https://zoom.us/j/ 1") == "https://zoom.us/j/1"
    assert path_whitespace_removed("https://zoom.us /j/1") is None
    assert path_whitespace_removed("https://a@zoom.us/j/ 1") is None
    assert path_whitespace_removed("https://zoom.us/j/1?x= y") is None
    assert path_whitespace_removed("https://zoom.us/j/1") is None  # nothing to repair


def test_an_imported_meeting_keeps_its_repaired_link_and_the_report_says_so():
    ctx = Context("aa", "spec")
    [meeting] = to_meetings(row("https://zoom.us/j/ 82580004937"), ctx)
    assert meeting["conference_url"] == "https://zoom.us/j/82580004937"
    warnings = [(field, text) for field, text in ctx.warnings if field == "conference_url"]
    assert len(warnings) == 1 and "repaired" in warnings[0][1] and "82580004937" in warnings[0][1]


def test_an_unknown_host_with_a_space_is_still_dropped_with_a_warning():
    ctx = Context("aa", "spec")
    [meeting] = to_meetings(row("https://example.org/j/ 82580004937"), ctx)
    assert meeting["conference_url"] == ""
    assert any(field == "conference_url" and "refused" in text for field, text in ctx.warnings)
