"""An online meeting two roots list in their own zones is one meeting (issue 29: BMLT roots list the
same virtual meeting again, each in its own zone): the same room at the same instant, not the same
clock reading."""

import json

import pytest

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting


def online(slug: str, time: str, zone: str, link: str = "https://us02web.zoom.us/j/5551234567") -> dict:
    return {
        "name": "Just for Today Online",
        "slug": slug,
        "day": 2,
        "time": time,
        "timezone": zone,
        "conference_url": link,
        "types": ["ONL"],
    }


@pytest.fixture
def two_roots(tmp_path):
    def write(a: dict, b: dict):
        for name, row in (("east", a), ("central", b)):
            (tmp_path / f"{name}.json").write_text(json.dumps([row]))
            import_location(str(tmp_path / f"{name}.json"), name=name, program="na")

    return write


@pytest.mark.django_db
def test_the_same_room_at_the_same_instant_in_two_zones_is_one_meeting(two_roots):
    two_roots(online("a", "20:00", "America/New_York"), online("b", "19:00", "America/Chicago"))
    second = Meeting.objects.get(source__name="central")
    assert second.duplicate_of == Meeting.objects.get(source__name="east")
    assert Meeting.objects.public().count() == 1


@pytest.mark.django_db
def test_the_same_room_an_hour_apart_is_two_meetings(two_roots):
    two_roots(online("a", "20:00", "America/New_York"), online("b", "20:00", "America/Chicago"))
    assert Meeting.objects.public().count() == 2


@pytest.mark.django_db
def test_two_rooms_at_the_same_instant_are_two_meetings(two_roots):
    two_roots(
        online("a", "20:00", "America/New_York"),
        online("b", "19:00", "America/Chicago", link="https://zoom.us/j/9998887777"),
    )
    assert Meeting.objects.public().count() == 2
