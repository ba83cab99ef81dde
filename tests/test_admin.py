import pytest
from django.urls import reverse

from commonground.feeds.demo import load_demo
from commonground.meetings.models import Meeting, Source


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.invalid", "correct horse battery")
    client.force_login(user)
    return client


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("model", ["catalog/program", "meetings/meeting", "meetings/source", "meetings/dataversion"])
def test_admin_lists_load_with_filters(staff_client, model):
    load_demo(30, seed=1)
    url = f"/admin/{model}/"
    response = staff_client.get(url)
    assert response.status_code == 200
    response = staff_client.get(url, {"q": "a"})
    assert response.status_code == 200


@pytest.mark.slow
@pytest.mark.django_db
def test_admin_change_pages_load(staff_client):
    load_demo(5, seed=1)
    meeting = Meeting.objects.first()
    source = Source.objects.first()
    assert staff_client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).status_code == 200
    assert staff_client.get(reverse("admin:meetings_source_change", args=[source.pk])).status_code == 200
    assert staff_client.get(reverse("admin:catalog_program_change", args=["aa"])).status_code == 200


@pytest.mark.django_db
def test_admin_filters_by_program_and_mode(staff_client):
    load_demo(40, seed=1)
    response = staff_client.get(
        "/admin/meetings/meeting/", {"program__code__exact": "aa", "attendance_mode__exact": "online"}
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_needs_a_login(client):
    response = client.get("/admin/meetings/meeting/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
