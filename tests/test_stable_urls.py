"""Meeting addresses that last: /meetings/<source>/<key>, the same after a re-import from scratch."""

import json

import pytest

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting, Source


@pytest.fixture
def feed(tmp_path):
    rows = [
        {
            "name": "Noon Hope",
            "slug": "noon hope/1",
            "day": 2,
            "time": "12:00",
            "timezone": "America/Denver",
            "formatted_address": "1 Main St, Denver, CO 80202, USA",
        }
    ]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(rows))
    return str(path)


@pytest.mark.slow
@pytest.mark.django_db
def test_a_meeting_keeps_its_address_through_a_reimport_from_scratch(client, feed):
    import_location(feed, name="Denver Central Office")
    first = Meeting.objects.get()
    url = first.get_absolute_url()
    assert url == "/meetings/denver-central-office/noon%20hope%2F1"
    assert client.get(url).status_code == 200
    Source.objects.all().delete()  # everything gone, then imported again
    import_location(feed, name="Denver Central Office")
    again = Meeting.objects.get()
    assert again.pk != first.pk and again.get_absolute_url() == url
    page = client.get(url)
    assert page.status_code == 200 and "Noon Hope" in page.content.decode()
    assert client.get(url + ".ics").status_code == 200
    assert "UID:denver-central-office/noon hope/1@commonground" in client.get(url + ".ics").content.decode()


@pytest.mark.django_db
def test_old_id_addresses_redirect_permanently(client, feed):
    import_location(feed, name="Denver Central Office")
    meeting = Meeting.objects.get()
    old = client.get(f"/meetings/{meeting.pk}?tz=America/New_York")
    assert old.status_code == 301 and old["Location"] == meeting.get_absolute_url() + "?tz=America/New_York"
    ics = client.get(f"/meetings/{meeting.pk}.ics")
    assert ics.status_code == 301 and ics["Location"] == meeting.get_absolute_url() + ".ics"
    assert client.get("/meetings/denver-central-office/nothing-here").status_code == 404


@pytest.mark.slow
@pytest.mark.django_db
def test_api_results_carry_the_lasting_address(client, feed):
    import_location(feed, name="Denver Central Office")
    result = client.get("/api/v1/meetings?near=Denver%2C+CO").json()["results"][0]
    assert result["url"] == Meeting.objects.get().get_absolute_url()
    page = client.get("/meetings?near=Denver%2C+CO").content.decode()
    assert f'href="{result["url"]}' in page


@pytest.mark.django_db
def test_the_api_answers_at_the_lasting_address_too(client, make_meeting):
    m = make_meeting(key="tuesday night/2", weekday=2, start_time="19:00")
    by_address = client.get("/api/v1/meetings/test-intergroup/tuesday%20night%2F2")
    assert by_address.status_code == 200, by_address.content
    assert by_address.json() == client.get(f"/api/v1/meetings/{m.pk}").json()
    missing = client.get("/api/v1/meetings/test-intergroup/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
