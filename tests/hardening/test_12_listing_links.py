"""Item 12: a stored link that is not http(s) is never rendered as an href (whatever put it there)."""

import pytest

BAD = [
    "javascript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    " JAVASCRIPT:alert(1)",
    "https://evil.example\\@zoom.us/j/1",
    "vbscript:msgbox(1)",
]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", BAD)
def test_item12_bad_links_stored_by_hand_are_not_rendered(client, make_meeting, bad):
    # Straight into the database, as an admin edit or an old import might have left it.
    meeting = make_meeting(conference_url=bad, url=bad, feedback_url=bad, weekday=1, start_time="19:00")
    page = client.get(meeting.get_absolute_url()).content.decode()
    for fragment in ("javascript:", "JAVASCRIPT:", "data:text", "vbscript:", "evil.example"):
        assert f'href="{fragment}' not in page and fragment not in page
    api = client.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert api["join"] is None or api["join"]["url"] is None
    assert api["source"]["feedback_url"] is None
    ics = client.get(meeting.get_absolute_url() + ".ics")
    assert ics.status_code == 200
    assert b"javascript" not in ics.content.lower() and b"evil.example" not in ics.content
