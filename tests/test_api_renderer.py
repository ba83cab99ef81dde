"""The API's orjson renderer answers the same JSON values as ninja's standard-library renderer,
for every kind of answer: searches, one meeting, programs, fit, places, errors and the schema."""

import json
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.utils.translation import gettext_lazy
from ninja.renderers import JSONRenderer

from commonground.api.renderers import FastJSONRenderer
from commonground.api.views import api
from commonground.meetings.models import Meeting

PATHS = [
    "/api/v1/meetings?mode=online&limit=30&now=2026-03-08T06:30:00Z",
    "/api/v1/meetings?near=Denver%2C+CO&starting_within=720&now=2026-11-01T07:30:00Z",
    "/api/v1/programs",
    "/api/v1/fit?goal=abstinence&spirituality=secular&medication=moud&near=Tulsa%2C+OK",
    "/api/v1/places?q=Portland",
    "/api/v1/meetings?day=9",
    "/api/v1/meetings/999999999",
    "/api/v1/openapi.json",
]


@pytest.mark.slow
@pytest.mark.django_db
def test_every_answer_is_the_same_json_either_way(client, demo_meetings, monkeypatch):
    demo_meetings(300)
    one = Meeting.objects.order_by("pk").first()
    paths = [*PATHS, f"/api/v1/meetings/{one.pk}?tz=Asia/Kathmandu"]
    ours = {}
    # One instant for both rounds: "minutes until it starts" must not cross a minute between them.
    with time_machine.travel(datetime.now(UTC), tick=False):
        for path in paths:
            response = client.get(path)
            ours[path] = (response.status_code, response["Content-Type"], json.loads(response.content))
        monkeypatch.setattr(api, "renderer", JSONRenderer())
        for path in paths:
            response = client.get(path)
            assert (response.status_code, response["Content-Type"], json.loads(response.content)) == ours[path], path
    assert ours[paths[0]][2]["results"], "the search found meetings"
    assert {status for status, _, _ in ours.values()} >= {200, 400, 404}


def test_values_outside_json_keep_djangos_form():
    data = {
        "at": datetime(2026, 3, 8, 7, 0, 0, 123456, tzinfo=UTC),
        "day": date(2026, 3, 8),
        "time": time(19, 30),
        "label": gettext_lazy("Online"),
        7: "a number as a key",
        "text": "Alcohólicos Anónimos",
    }
    ours = json.loads(FastJSONRenderer().render(None, data, response_status=200))
    theirs = json.loads(JSONRenderer().render(None, data, response_status=200))
    assert ours == theirs
    assert ours["at"] == "2026-03-08T07:00:00.123Z"
