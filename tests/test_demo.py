"""The demo generator: deterministic, labelled, spread like real meeting lists."""

from collections import Counter

import pytest

from commonground.catalog.models import Program
from commonground.feeds.demo import DEMO_NOTE, DEMO_SOURCE_NAME, load_demo
from commonground.meetings.conference import provider_for
from commonground.meetings.models import DataVersion, Meeting, Source


def snapshot():
    fields = [
        "key",
        "program_id",
        "name",
        "weekday",
        "start_time",
        "timezone",
        "latitude",
        "longitude",
        "types",
        "languages",
        "attendance_mode",
        "conference_url",
        "content_hash",
    ]
    return list(Meeting.objects.order_by("key").values_list(*fields))


@pytest.mark.slow
@pytest.mark.django_db
def test_the_same_seed_gives_the_same_meetings():
    load_demo(400, seed=11)
    first = snapshot()
    load_demo(400, seed=11)
    assert snapshot() == first
    assert Meeting.objects.count() == 400


@pytest.mark.slow
@pytest.mark.django_db
def test_a_different_seed_gives_different_meetings():
    load_demo(200, seed=1)
    first = snapshot()
    load_demo(200, seed=2)
    assert snapshot() != first


@pytest.mark.django_db
def test_every_program_appears_and_everything_is_labelled_synthetic():
    load_demo(300, seed=3)
    programs = set(Meeting.objects.values_list("program_id", flat=True))
    # Every program that holds meetings; online medication treatment is a clinical service.
    assert programs == set(Program.objects.exclude(approach="clinical").values_list("code", flat=True))
    assert not Meeting.objects.exclude(notes=DEMO_NOTE).exists()
    assert set(Meeting.objects.values_list("source__name", flat=True)) == {DEMO_SOURCE_NAME}
    for url in Meeting.objects.exclude(conference_url="").values_list("conference_url", flat=True):
        assert url == "https://zoom.us/j/00000000000" and provider_for(url) == "Zoom"


@pytest.mark.slow
@pytest.mark.django_db
def test_distribution_looks_like_a_real_meeting_list():
    load_demo(3000, seed=7)
    modes = Counter(Meeting.objects.values_list("attendance_mode", flat=True))
    assert 0.15 < modes["online"] / 3000 < 0.27
    assert 0.06 < modes["hybrid"] / 3000 < 0.14
    countries = Counter(Meeting.objects.values_list("country", flat=True))
    assert countries.most_common(1)[0][0] == "USA"
    assert {"Canada", "United Kingdom", "Ireland", "Australia", "India", "Mexico", "Spain"} <= set(countries)
    hours = Counter(t.hour for t in Meeting.objects.filter(weekday__isnull=False).values_list("start_time", flat=True))
    evening = sum(hours[h] for h in range(17, 22))
    assert evening > sum(hours.values()) / 2, "evenings should dominate"
    assert Meeting.objects.filter(weekday__isnull=True).exists()
    assert not Meeting.objects.filter(timezone="").exists()
    # Spanish-language meetings in Mexico and Spain.
    assert Meeting.objects.filter(country="Mexico", languages=["es"]).exists()


@pytest.mark.django_db
def test_demo_bumps_the_data_version_and_records_the_source():
    before = DataVersion.current()
    load_demo(50, seed=1)
    assert DataVersion.current() == before + 1
    source = Source.objects.get(name=DEMO_SOURCE_NAME)
    assert source.last_counts["added"] == 50 and source.last_status == "ok"


@pytest.mark.django_db
def test_rows_match_what_the_model_would_save():
    """Bulk-written rows carry the same derived fields as Meeting.save() computes."""
    load_demo(60, seed=5)
    for meeting in Meeting.objects.select_related("program"):
        stored = (meeting.attendance_mode, meeting.tag_bits, meeting.content_hash)
        meeting.normalize()
        assert (meeting.attendance_mode, meeting.tag_bits, meeting.content_hash) == stored
