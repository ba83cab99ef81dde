"""A whole BMLT root is read in pages sorted by id (issue 29), as BMLT's responsible-use guide asks:
``sort_keys=id_bigint&page_size=N&page_num=K`` until a page comes back short. Unlike paging by
service body, it reads the meetings of a body the root does not list, and it says who is asking
(``callingApp``). An old server that ignores paging is read once, never twice."""

import pytest
from bmlt_standin import StandInBMLT
from test_bmlt_paging import BODIES, FORMATS, MEETINGS, meeting

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting


@pytest.fixture
def standin(settings):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    settings.BMLT_PAGE_SIZE = 150
    servers = []

    def start(meetings=MEETINGS, **options):
        server = StandInBMLT(meetings, FORMATS, BODIES, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def searches(server) -> list[dict]:
    return [h for h in server.hits if h["switcher"] == "GetSearchResults"]


@pytest.mark.django_db
def test_a_root_is_read_in_pages_sorted_by_id_until_one_comes_back_short(standin):
    server = standin(max_results=150)  # asked for all 400 at once, it fails, as big servers do
    report = import_location(server.url)
    assert not report.errors and report.added == 400 and Meeting.objects.count() == 400
    assert [(h["page"], h["sort"]) for h in searches(server)] == [
        ("1", "id_bigint"),
        ("2", "id_bigint"),
        ("3", "id_bigint"),
    ]
    assert {h["calling_app"] for h in server.hits} == {"commonground"}


@pytest.mark.django_db
def test_meetings_of_a_body_the_root_does_not_list_are_read(standin):
    orphans = [meeting(n, "77") for n in range(500, 510)]  # body 77 is in no GetServiceBodies answer
    report = import_location(standin(meetings=MEETINGS + orphans).url)
    assert report.added == 410 and Meeting.objects.filter(key__in=[str(n) for n in range(500, 510)]).count() == 10


@pytest.mark.django_db
def test_an_old_server_that_ignores_paging_is_read_once(standin):
    server = standin(pages=False)
    assert import_location(server.url).added == 400
    assert len(searches(server)) == 1  # the first answer held more than a page: it was everything


@pytest.mark.django_db
def test_an_old_server_with_exactly_a_page_of_meetings_is_not_read_twice(standin):
    server = standin(meetings=MEETINGS[:150], pages=False)
    report = import_location(server.url)
    assert report.added == 150 and not report.warnings
    assert len(searches(server)) == 2  # the second page repeated the first: the server does not page


@pytest.mark.slow
@pytest.mark.django_db
def test_one_failed_page_fails_the_root_and_keeps_what_was_stored(standin):
    import_location(standin().url, name="Root")
    before = set(Meeting.objects.values_list("key", "name"))
    report = import_location(standin(max_results=100).url, name="Root")
    assert report.failed and "(page 1 of the meetings, 150 a page: nothing was imported)" in report.errors[0]["message"]
    assert set(Meeting.objects.values_list("key", "name")) == before
