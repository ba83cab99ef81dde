"""TSML / Google Sheets CSV import."""

import pytest

from commonground.feeds.errors import FeedError
from commonground.feeds.importing import import_location
from commonground.feeds.tsml_csv.reader import parse
from commonground.meetings.models import Meeting


@pytest.fixture
def report(db, samples):
    return import_location(str(samples / "tsml-template-san-jose.csv"))


def test_the_san_jose_template_gives_36_meetings_in_los_angeles(report):
    assert (report.added, report.skipped) == (36, 0) and not report.errors
    meetings = Meeting.objects.filter(source__name="tsml-template-san-jose.csv")
    assert meetings.count() == 36
    assert set(meetings.values_list("timezone", flat=True)) == {"America/Los_Angeles"}
    assert set(meetings.values_list("program_id", flat=True)) == {"aa"}


def test_type_names_become_codes_and_tags(report):
    m = Meeting.objects.get(key="the-shared-gift")
    assert m.types == ["C", "W"] and m.tags == ["closed", "women"]
    assert Meeting.objects.get(key="after-work-topic-meeting").types == ["O", "X"]
    assert Meeting.objects.get(key="spiritual-step-study").types == ["O", "ST"]  # "Step Meeting" alias


def test_twelve_hour_times_and_weekday_names(report):
    m = Meeting.objects.get(key="life-on-lifes-terms")
    assert (m.weekday, m.start_time.strftime("%H:%M")) == (1, "18:45")


def test_online_and_temporary_closure(report):
    m = Meeting.objects.get(key="underground-book-study")
    assert m.attendance_mode == "online" and m.temporarily_closed
    assert m.conference_phone == "8005551212"
    assert "ONL" not in m.types and "TC" in m.types


def test_regions_contacts_and_run_together_updated_dates(report):
    m = Meeting.objects.get(key="after-work-topic-meeting")
    assert m.regions == ["San Jose", "West San Jose"]
    assert m.extra["venmo"] == "@sample-venmo"
    assert m.updated_at.isoformat() == "2020-04-04T16:50:58+00:00"
    assert m.coordinates_source == "postal_code" and 37 < m.latitude < 38


def test_malformed_csv_is_a_structured_error():
    with pytest.raises(FeedError) as info:
        list(parse(b'Name,Day,Time\n"Unclosed quote,Monday,7:00 PM\n', "bad.csv").rows)  # found while reading
    assert info.value.code == "syntax"


def test_a_sheet_without_the_needed_columns_says_what_is_missing():
    with pytest.raises(FeedError) as info:
        parse(b"Foo,Bar\n1,2\n", "other.csv")
    assert info.value.code == "shape" and "Name, Day and Time" in info.value.message


def test_the_id_column_is_the_slug_and_days_can_be_listed():
    feed = parse(
        b'ID,Name,Day,Time,Address,Timezone\n7,Noon,"Monday, Friday",12:00 PM,'
        b'"1 A St, Reno, NV 89501, USA",America/Los_Angeles\n',
        "sheet.csv",
    )
    row = next(iter(feed.rows))
    assert row["slug"] == "7" and row["formatted_address"].startswith("1 A St")


@pytest.mark.django_db
def test_several_days_in_one_cell_become_several_meetings(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(
        'ID,Name,Day,Time,Address,Timezone\n7,Noon,"Monday, Friday",12:00 PM,'
        '"1 A St, Reno, NV 89501, USA",America/Los_Angeles\n'
    )
    report = import_location(str(path))
    assert report.added == 2
    assert sorted(Meeting.objects.values_list("key", "weekday")) == [("7-1", 1), ("7-5", 5)]


@pytest.mark.django_db
def test_a_published_sheet_url_imports_like_the_file(samples, http_server):
    http_server.add("/sheet?output=csv", (samples / "tsml-template-san-jose.csv").read_bytes(), content_type="text/csv")
    report = import_location(f"{http_server.url}/sheet?output=csv")
    assert (report.added, report.skipped) == (36, 0) and not report.errors
