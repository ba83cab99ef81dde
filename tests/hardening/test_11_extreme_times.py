"""Item 11: `now` at the calendar's edges and Unicode digits answer 400 in the error shape, not 500."""

import subprocess

import pytest

from tests.test_cli import EXE

EDGES = [
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59+00:00",
    "1969-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
]


@pytest.fixture
def meeting_id(demo_meetings):
    from commonground.meetings.models import Meeting

    demo_meetings(30)
    return Meeting.objects.filter(weekday__isnull=False).first()


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("now", EDGES)
def test_item11_now_at_the_edges_is_a_400_everywhere(client, meeting_id, now):
    meeting, meeting_id = meeting_id, meeting_id.pk
    api = [
        f"/api/v1/meetings?now={now}&starting_within=60",
        f"/api/v1/meetings?now={now}&day=1&tz=Pacific/Kiritimati",
        f"/api/v1/meetings/{meeting_id}?now={now}",
        f"/api/v1/fit?now={now}&goal=abstinence",
    ]
    for url in api:
        response = client.get(url.replace("+", "%2B"))
        assert response.status_code == 400, (url, response.status_code)
        error = response.json()["error"]
        assert error["field"] == "now" and "1970" in error["message"]
    pages = [
        f"/meetings?now={now}&starting_within=60",
        f"{meeting.get_absolute_url()}?now={now}",
        f"{meeting.get_absolute_url()}.ics?now={now}",
        f"/fit/results?now={now}&goal=abstinence",
    ]
    for url in pages:
        response = client.get(url.replace("+", "%2B"))
        assert response.status_code in (200, 400), (url, response.status_code)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("day", ["²", "٣", "７", "6.0", "-0"])
def test_item11_a_unicode_digit_day_is_a_400(client, meeting_id, day):
    api = client.get("/api/v1/meetings", {"day": day, "time_from": "18:00"})
    assert api.status_code == 400 and api.json()["error"]["field"] == "day"
    page = client.get("/meetings", {"day": day, "time_from": "18:00"})
    assert page.status_code == 400


@pytest.mark.slow
def test_item11_the_cli_says_so_too(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "COMMONGROUND_VAR_DIR": str(tmp_path / "var"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [EXE, "search", "--now", "9999-12-31T23:59:59-12:00", "--starting-within", "60"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "1970" in result.stderr and "Traceback" not in result.stderr
