"""A meeting's types in the page's language, and its root's own format names where we have no
mapping (issue 29): a Swedish root's "S" and "K" read as closed and women, shown in Spanish on a
Spanish page; its own "LJ" (no world id) is shown in the root's own words, never dropped."""

import json

import pytest

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting

FORMATS = [
    {
        "key_string": "S",
        "world_id": "CLOSED",
        "name_string": "Slutet möte",
        "format_type_enum": "O",
        "id": "1",
        "lang": "sv",
    },
    {"key_string": "K", "world_id": "W", "name_string": "Kvinnor", "format_type_enum": "FC3", "id": "2", "lang": "sv"},
    {
        "key_string": "LJ",
        "world_id": "",
        "name_string": "Levande ljus",
        "description_string": "Mötet hålls i levande ljus",
        "format_type_enum": "FC2",
        "lang": "sv",
        "id": "3",
    },
]


@pytest.fixture
def swedish_meeting(tmp_path):
    row = {
        "id_bigint": "4711",
        "meeting_name": "Lördagsgruppen",
        "weekday_tinyint": "7",
        "start_time": "18:00:00",
        "duration_time": "01:30:00",
        "time_zone": "Europe/Stockholm",
        "formats": "S,K,LJ",
        "location_text": "Kyrkan",
        "location_street": "Storgatan 1",
        "location_municipality": "Stockholm",
        "location_nation": "SE",
        "latitude": "59.3293",
        "longitude": "18.0686",
        "venue_type": "1",
        "published": "1",
    }
    (tmp_path / "GetSearchResults.json").write_text(json.dumps([row]))
    (tmp_path / "GetFormats.json").write_text(json.dumps(FORMATS))
    (tmp_path / "GetServiceBodies.json").write_text("[]")
    assert not import_location(str(tmp_path), name="NA Sverige").failed
    return Meeting.objects.get()


def about(page: str) -> str:
    return page.split('id="type-title"', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
def test_a_swedish_roots_formats_show_in_the_pages_language_and_its_own_words(client, swedish_meeting):
    english = about(client.get(swedish_meeting.get_absolute_url()).content.decode())
    assert "Closed" in english and "Women" in english
    assert '<li dir="auto" lang="sv" title="Mötet hålls i levande ljus">Levande ljus</li>' in english
    spanish = about(client.get(swedish_meeting.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode())
    assert "Cerrada" in spanish and "Mujeres" in spanish and "Closed" not in spanish
    assert "Levande ljus" in spanish  # no mapping: the root's own words, in every language
