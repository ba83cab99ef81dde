"""BMLT import, from a directory of saved answers and from a (local) root server."""

import json

import pytest

from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting, Source


def check_bronx(report):
    assert (report.added, report.skipped) == (113, 0) and not report.errors
    meetings = Meeting.objects.all()
    assert set(meetings.values_list("timezone", flat=True)) == {"America/New_York"}
    assert set(meetings.values_list("program_id", flat=True)) == {"na"}


@pytest.mark.django_db
def test_the_bronx_sample_from_a_directory(samples):
    check_bronx(import_location(str(samples / "bmlt-bronx")))
    assert Source.objects.get().format == "bmlt"


@pytest.mark.django_db
def test_the_bronx_sample_from_a_root_server(samples, settings):
    from bmlt_standin import StandInBMLT

    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True  # the stand-in listens on loopback
    load = lambda name: json.loads((samples / "bmlt-bronx" / f"{name}.json").read_text())  # noqa: E731
    server = StandInBMLT(load("GetSearchResults"), load("GetFormats"), load("GetServiceBodies"))
    try:
        report = import_location(server.url)
    finally:
        server.close()
    check_bronx(report)
    assert Source.objects.get().format == "bmlt"


@pytest.mark.django_db
def test_formats_map_through_world_ids_to_na_codes(samples):
    import_location(str(samples / "bmlt-bronx"))
    m = Meeting.objects.get(key="2")  # "Nothing Macho": formats M,O,St
    assert m.types == ["M", "O", "STEP"]
    assert m.tags == ["open", "men", "study"]
    assert m.weekday == 6  # weekday_tinyint 7 = Saturday
    assert (m.start_time.strftime("%H:%M"), m.duration_minutes) == ("14:00", 90)
    assert m.slug == "nothing-macho-2"


@pytest.mark.django_db
def test_service_bodies_become_the_region_path_and_spanish_is_a_language(samples):
    import_location(str(samples / "bmlt-bronx"))
    assert Meeting.objects.get(key="2").regions == ["Greater New York Region", "Bronx Area Service"]
    spanish = Meeting.objects.filter(regions=["Metro Area de Habla Hispana"])
    assert spanish.exists()
    assert Meeting.objects.filter(languages=["es"]).count() >= 20


@pytest.mark.django_db
def test_venue_types_and_unpublished_meetings(tmp_path, samples):
    folder = tmp_path / "bmlt"
    folder.mkdir()
    base = json.loads((samples / "bmlt-bronx" / "GetSearchResults.json").read_text())[0]
    rows = [
        {
            **base,
            "id_bigint": "901",
            "venue_type": "2",
            "virtual_meeting_link": "https://zoom.us/j/123456789",
            "location_street": "",
        },
        {**base, "id_bigint": "902", "venue_type": "3", "virtual_meeting_link": "https://zoom.us/j/123456780"},
        {**base, "id_bigint": "903", "published": "0"},
        {**base, "id_bigint": "904", "weekday_tinyint": "9"},
    ]
    (folder / "GetSearchResults.json").write_text(json.dumps(rows))
    (folder / "GetFormats.json").write_text((samples / "bmlt-bronx" / "GetFormats.json").read_text())
    report = import_location(str(folder))
    assert report.added == 2 and report.skipped == 2
    assert Meeting.objects.get(key="901").attendance_mode == "online"
    assert Meeting.objects.get(key="902").attendance_mode == "hybrid"
    reasons = {p.key: p.message for p in report.warnings if p.skipped}
    assert "unpublished" in reasons["903"]
    assert reasons["904"] == "weekday_tinyint '9' is outside 1–7 (1 = Sunday)"


@pytest.mark.django_db
def test_a_directory_without_results_is_a_clear_error(tmp_path):
    report = import_location(str(tmp_path), format="bmlt")
    assert report.errors[0]["code"] == "not-found"
