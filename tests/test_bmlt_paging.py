"""A large BMLT server read one service body at a time (BMLT_PAGE_BY=service-body, for servers
without paging), still all-or-nothing. Paging by id, the default, is in test_bmlt_id_paging.py."""

import pytest
from bmlt_standin import StandInBMLT

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting, Source

# A region with three areas; one area has a sub-area (children must not be read twice).
BODIES = [
    {"id": "1", "parent_id": "0", "name": "Test Region", "type": "RS"},
    {"id": "10", "parent_id": "1", "name": "North Area", "type": "AS"},
    {"id": "11", "parent_id": "1", "name": "South Area", "type": "AS"},
    {"id": "12", "parent_id": "11", "name": "South Metro", "type": "MA"},
]
FORMATS = [{"key_string": "O", "name_string": "Open", "world_id": "OPEN", "format_type_enum": "O", "id": "17"}]


def meeting(n: int, body: str) -> dict:
    return {
        "id_bigint": str(n),
        "service_body_bigint": body,
        "weekday_tinyint": str(n % 7 + 1),
        "start_time": "19:00:00",
        "duration_time": "01:00:00",
        "time_zone": "America/New_York",
        "formats": "O",
        "published": "1",
        "meeting_name": f"Group {n}",
        "venue_type": "1",
        "location_text": "Hall",
        "location_street": f"{n} Main St",
        "location_municipality": "Albany",
        "location_province": "NY",
        "location_postal_code_1": "12207",
        "location_nation": "USA",
        "latitude": "42.65",
        "longitude": "-73.75",
    }


MEETINGS = [meeting(n, body) for n, body in zip(range(1, 401), ["1", "10", "11", "12"] * 100, strict=True)]


@pytest.fixture
def standin(settings):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    settings.BMLT_PAGE_BY = "service-body"
    servers = []

    def start(**options):
        server = StandInBMLT(MEETINGS, FORMATS, BODIES, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.mark.django_db
def test_a_server_that_cannot_answer_everything_at_once_is_read_in_pages(standin):
    server = standin(max_results=150)  # asked for all 400 at once, it fails, as big servers do
    report = import_location(server.url)
    assert not report.errors and report.added == 400
    pages = [h["services"] for h in server.hits if h["switcher"] == "GetSearchResults"]
    assert pages == [["1"], ["10"], ["11"], ["12"]]
    assert Meeting.objects.count() == 400
    assert Meeting.objects.get(key="4").regions == ["Test Region", "South Area", "South Metro"]


@pytest.mark.slow
@pytest.mark.django_db
def test_a_resync_of_the_same_pages_changes_nothing(standin):
    server = standin(max_results=150)
    import_location(server.url, name="Test region")
    again = import_location(server.url, name="Test region")
    assert (again.added, again.updated, again.removed) == (0, 0, 0) and not again.errors


@pytest.mark.slow
@pytest.mark.django_db
def test_one_failed_page_fails_the_source_and_keeps_what_was_stored(standin):
    import_location(standin(max_results=150).url, name="Test region")
    before = set(Meeting.objects.values_list("key", "name"))
    report = import_location(standin(max_results=150, fail_services=("11",)).url, name="Test region")
    assert report.failed
    message = report.errors[0]["message"]
    assert "Page 3 of 4 (service body 11)" in message and "nothing was imported" in message
    assert set(Meeting.objects.values_list("key", "name")) == before
    assert Source.objects.get(name="Test region").last_status == "failed"


@pytest.mark.slow
@pytest.mark.django_db
def test_a_url_with_its_own_filters_is_read_as_it_is(standin):
    server = standin()
    report = import_location(f"{server.url}client_interface/json/?switcher=GetSearchResults&services[]=10")
    assert report.added == 100
    assert [h["services"] for h in server.hits if h["switcher"] == "GetSearchResults"] == [["10"]]


@pytest.mark.slow
@pytest.mark.django_db
def test_paging_can_be_switched_off(standin, settings):
    settings.BMLT_PAGE_BY = "none"
    server = standin()
    assert import_location(server.url).added == 400
    assert [h["services"] for h in server.hits if h["switcher"] == "GetSearchResults"] == [[]]
