"""GET /api/v1/sources: every source with its format, countries, meetings, last good sync, status
(ok, stale, failing) and its last error in words (issue 29)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commonground.meetings.models import Meeting, Source, SyncStatus


@pytest.mark.django_db
def test_each_source_says_how_it_is(client, make_meeting, source, settings):
    now = timezone.now()
    source.countries, source.last_ok_at, source.last_sync_at = "US", now, now
    source.last_status = SyncStatus.OK
    source.save()
    make_meeting(name="Tuesday Night")
    Source.objects.create(
        name="Down root",
        format="bmlt",
        location="https://root.example.org/main_server/",
        countries="IE",
        registry_key="bmlt-roots:113",
        last_status=SyncStatus.FAILED,
        last_sync_at=now,
        last_ok_at=now - timedelta(days=2),
        last_error="The server answered 503 Service Unavailable.\nTraceback details that stay out",
    )
    Source.objects.create(
        name="Old feed",
        format="meeting-guide",
        last_status=SyncStatus.OK,
        last_ok_at=now - timedelta(hours=settings.SOURCE_WARN_HOURS + 1),
    )
    Source.objects.create(name="Never read", format="meeting-guide")
    response = client.get("/api/v1/sources")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    rows = {r["name"]: r for r in response.json()["results"]}
    assert list(rows) == ["Down root", "Never read", "Old feed", "Test intergroup"]
    assert rows["Test intergroup"] | {"last_ok_at": None} == {
        "name": "Test intergroup",
        "slug": source.slug,
        "format": "meeting-guide",
        "countries": ["US"],
        "meetings": Meeting.objects.filter(source=source).count(),
        "facilities": 0,
        "status": "ok",
        "last_ok_at": None,
        "last_error": "",
        "registry": "",
    }
    assert rows["Down root"]["status"] == "failing" and rows["Down root"]["countries"] == ["IE"]
    assert rows["Down root"]["last_error"] == "The server answered 503 Service Unavailable."
    assert rows["Down root"]["registry"] == "bmlt-roots:113"
    assert rows["Old feed"]["status"] == "stale" and rows["Never read"]["status"] == "stale"
    assert rows["Never read"]["last_ok_at"] is None


@pytest.mark.django_db
def test_a_disconnected_source_is_failing(client):
    Source.objects.create(
        name="Gone",
        format="csv",
        last_status=SyncStatus.FAILED,
        disconnected_at=timezone.now(),
        last_ok_at=timezone.now() - timedelta(days=30),
        last_error="Not found (404).",
    )
    (row,) = client.get("/api/v1/sources").json()["results"]
    assert row["status"] == "failing"
