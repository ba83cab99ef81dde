"""A search result read as a plain row (search/rows.py) equals the one read through the models.

Searches read their page of meetings with one hand-written statement instead of the ORM. These
tests build every result both ways and compare them field by field, on whichever database the
run uses (CI runs SQLite and PostgreSQL): JSON decoded, times aware, booleans booleans, and the
source's health and the other listings the same.
"""

from datetime import UTC, datetime, timedelta

import pytest

from commonground.meetings.models import DataVersion, Meeting, Source
from commonground.search import rows
from commonground.search.query import parse_query
from commonground.search.results import jsonable, meeting_result, other_listings

NOW = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # the morning US clocks spring forward


def _dress_up():
    """Give the demo data the values a plain row could get wrong."""
    meetings = list(Meeting.objects.order_by("pk")[:40])
    first = Source.objects.get()
    second = Source.objects.create(name="Second intergroup", format="meeting-guide")
    third = Source.objects.create(name="Third intergroup", format="tsml-csv")
    Meeting.objects.filter(pk__in=[m.pk for m in meetings[20:30]]).update(source=second)
    Source.objects.filter(pk=first.pk).update(
        last_status="failed", last_ok_at=NOW - timedelta(days=5), feedback_url="https://example.org/feedback"
    )
    Source.objects.filter(pk=second.pk).update(disconnected_at=NOW - timedelta(days=20))
    Meeting.objects.filter(pk=meetings[0].pk).update(
        conference_url="https://us02web.zoom.us/j/123456789",
        conference_url_notes="Password: serenity",
        conference_phone="+1 646 558 8656",
        attendance_mode="hybrid",
        updated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    Meeting.objects.filter(pk=meetings[1].pk).update(weekday=None, start_time=None, updated_at=None)
    Meeting.objects.filter(pk=meetings[2].pk).update(
        approximate=True, latitude=None, longitude=None, languages=["es", "en"], types=["O", "X", "LGBTQ"]
    )
    Meeting.objects.filter(pk=meetings[3].pk).update(feedback_url="mailto:secretary@example.org")
    # Two other listings of meetings[4], by other sources.
    Meeting.objects.filter(pk__in=[meetings[5].pk, meetings[6].pk]).update(duplicate_of=meetings[4])
    Meeting.objects.filter(pk=meetings[5].pk).update(source=third)
    return [m.pk for m in meetings]


@pytest.mark.django_db
def test_every_result_field_is_the_same_read_either_way(demo_meetings):
    demo_meetings(300)
    picked = _dress_up()
    ids = picked + list(Meeting.objects.order_by("-pk").values_list("pk", flat=True)[:60])
    query = parse_query({"tz": "America/Denver", "now": NOW.isoformat()})
    plain = rows.fetch(ids)
    models = Meeting.objects.select_related("program", "source").in_bulk(ids)
    assert plain.keys() == models.keys() == set(ids)
    also_plain, also_models = other_listings(plain.values()), other_listings(models.values())
    assert also_plain == also_models
    assert any(len(listed) == 2 for listed in also_plain.values())
    for pk in ids:
        row, meeting = plain[pk], models[pk]
        assert row.next_start(NOW) == meeting.next_start(NOW)
        from_row = meeting_result(row, row.next_start(NOW), 1.5, query, also_plain[pk])
        from_model = meeting_result(meeting, meeting.next_start(NOW), 1.5, query, also_models[pk])
        assert from_row == from_model, pk
        assert jsonable(from_row) == jsonable(from_model)
    healths = {plain[pk].source.health(NOW) for pk in ids}
    assert {"failing", "disconnected", "ok"} <= healths
    dated = plain[picked[0]]
    assert dated.updated_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC) and dated.changed_at.tzinfo is not None
    assert plain[picked[2]].approximate is True and plain[picked[2]].languages == ["es", "en"]


@pytest.mark.django_db
def test_a_missing_id_is_left_out_and_no_ids_is_no_query(demo_meetings, django_assert_num_queries):
    demo_meetings(20)
    pk = Meeting.objects.values_list("pk", flat=True).first()
    assert set(rows.fetch([pk, 10**9])) == {pk}
    with django_assert_num_queries(0):
        assert rows.fetch([]) == {}


@pytest.mark.django_db
def test_decoded_json_is_never_shared_between_rows(demo_meetings):
    demo_meetings(20)
    a, b = list(Meeting.objects.values_list("pk", flat=True)[:2])
    Meeting.objects.filter(pk__in=[a, b]).update(languages=["en"])
    first = rows.fetch([a])[a]
    first.languages.append("xx")
    first.program.translations["zz"] = {}
    again = rows.fetch([a, b])
    assert again[a].languages == again[b].languages == ["en"]
    assert "zz" not in again[a].program.translations


@pytest.mark.django_db
def test_the_data_version_reads_the_same_as_through_the_orm(db):
    DataVersion.bump()
    DataVersion.bump()
    version, changed_at = DataVersion.current_with_time()
    row = DataVersion.objects.values_list("version", "changed_at").get(pk="meetings")
    assert (version, changed_at) == row and changed_at.tzinfo is not None
    assert DataVersion.current_with_time("nothing-here") == (0, None)


@pytest.mark.django_db
def test_a_page_no_other_source_lists_needs_no_second_statement(demo_meetings, django_assert_num_queries):
    demo_meetings(30)
    ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True)[:10])
    plain = rows.fetch(ids)
    assert not any(row.has_others for row in plain.values())
    with django_assert_num_queries(0):
        assert other_listings(plain.values()) == {pk: [] for pk in ids}
    other = Source.objects.create(name="Another intergroup", format="meeting-guide")
    elsewhere = Meeting.objects.order_by("-pk").first()
    Meeting.objects.filter(pk=elsewhere.pk).update(duplicate_of_id=ids[3], source=other)
    plain = rows.fetch(ids)
    assert [pk for pk, row in plain.items() if row.has_others] == [ids[3]]
    with django_assert_num_queries(1):
        also = other_listings(plain.values())
    assert also == other_listings(Meeting.objects.filter(pk__in=ids))
    assert [listed["source"] for listed in also[ids[3]]] == ["Another intergroup"]
