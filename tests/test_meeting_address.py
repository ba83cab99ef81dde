"""The meeting page reads its meeting by address with one hand-written statement
(``search.rows.meeting_at``); what it gives must be what the ORM gives.

The instances are real models filled through Django's own converters, so the checks here are:
every concrete field of the meeting, its program and its source equal the ORM's (JSON decoded,
times aware, booleans booleans), on whichever database the run uses; the program and the source
come with it (no further query); and the whole page is the same byte for byte either way.
"""

import re

import pytest
from django.db.models import Model

from commonground.meetings.models import Meeting, Source
from commonground.search import rows
from commonground.web import views
from tests.test_result_rows import _dress_up


def _fields(instance: Model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def _orm(source: str, key: str):
    return Meeting.objects.select_related("program", "source").filter(source__slug=source, key=key).first()


@pytest.mark.slow
@pytest.mark.django_db
def test_every_field_is_the_same_as_through_the_orm(demo_meetings, django_assert_num_queries):
    demo_meetings(120)
    picked = _dress_up()
    for meeting in Meeting.objects.filter(pk__in=picked + [picked[-1] + 50]).select_related("source"):
        with django_assert_num_queries(1):
            found = rows.meeting_at(meeting.source.slug, meeting.key)
            program, source = found.program, found.source
        expected = _orm(meeting.source.slug, meeting.key)
        assert type(found) is Meeting and _fields(found) == _fields(expected), meeting.pk
        assert _fields(program) == _fields(expected.program)
        assert _fields(source) == _fields(expected.source)
        assert found._state.db == expected._state.db and found._state.adding is False
        assert found.has_others is Meeting.objects.filter(duplicate_of=meeting.pk).exists()
        for name, value in _fields(found).items():
            assert type(value) is type(getattr(expected, name)), name
    dated = rows.meeting_at(Meeting.objects.get(pk=picked[0]).source.slug, Meeting.objects.get(pk=picked[0]).key)
    assert dated.updated_at.tzinfo is not None and dated.attendance_mode == "hybrid"
    assert dated.source.health() == _orm(dated.source.slug, dated.key).source.health() == "failing"


@pytest.mark.django_db
def test_an_address_that_is_not_there_is_none(demo_meetings):
    demo_meetings(10)
    meeting = Meeting.objects.select_related("source").first()
    other = Source.objects.create(name="Another intergroup", format="meeting-guide")
    assert rows.meeting_at(meeting.source.slug, meeting.key).pk == meeting.pk
    assert rows.meeting_at(other.slug, meeting.key) is None
    assert rows.meeting_at(meeting.source.slug, meeting.key + "x") is None
    assert rows.meeting_at("", "") is None


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_page_is_the_same_either_way(demo_meetings, client, monkeypatch, language):
    demo_meetings(120)
    picked = _dress_up()
    pages = {}
    for how in ("statement", "orm"):
        if how == "orm":
            monkeypatch.setattr(rows, "meeting_at", _orm)
        for meeting in Meeting.objects.filter(pk__in=picked[:8]).select_related("source"):
            response = client.get(
                meeting.get_absolute_url() + "?now=2026-03-08T06:30:00Z", HTTP_ACCEPT_LANGUAGE=language
            )
            assert response.status_code == 200
            body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
            pages.setdefault(meeting.pk, []).append(body)
    assert all(a == b for a, b in pages.values())
    assert views.rows is rows  # the view reads through the module patched above
