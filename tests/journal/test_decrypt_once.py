"""A page decrypts each private record at most once, and finding today's check-in reads only the
newest few, never every check-in a person ever made."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model

from commonground.journal.context import RECENT_ROWS
from commonground.journal.models import CheckIn
from commonground.private import crypto

NOW = datetime(2031, 5, 20, 18, 0, tzinfo=UTC)  # 13:00 in Chicago, 20 May
DAYS = 120


@pytest.fixture
def counted(monkeypatch):
    """How many times each model's field was decrypted."""
    seen: Counter = Counter()
    real = crypto.decrypt

    def counting(value, aad):
        seen[aad.decode().removeprefix("commonground:")] += 1
        return real(value, aad)

    monkeypatch.setattr(crypto, "decrypt", counting)
    return seen


@pytest.fixture
def long_history(person):
    with time_machine.travel(NOW, tick=False):
        client = person()
    user = get_user_model().objects.get(username=client.username)
    first = date(2031, 5, 20) - timedelta(days=DAYS - 1)
    CheckIn.objects.bulk_create(
        CheckIn(
            user=user,
            data={
                "date": (first + timedelta(days=n)).isoformat(),
                "mood": 3,
                "craving": n % 11,
                "meeting": n % 3 == 0,
                "note": "",
            },
        )
        for n in range(DAYS - 1)
    )  # every day but today
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/me/", "/me/checkin", "/me/help?from=checkin"])
def test_finding_todays_check_in_reads_only_the_newest_rows(long_history, counted, path):
    with time_machine.travel(NOW, tick=False):
        assert long_history.get(path).status_code == 200
    assert 0 < counted["journal.CheckIn.data"] <= RECENT_ROWS, counted


@pytest.mark.django_db
def test_todays_check_in_is_found_and_edited_not_made_twice(long_history, counted):
    with time_machine.travel(NOW, tick=False):
        assert long_history.post("/me/checkin", {"mood": "4", "craving": "1"}).status_code == 302
        assert long_history.post("/me/checkin", {"mood": "5", "craving": "0"}).status_code == 302
    today = [c.data for c in CheckIn.objects.all() if c.data.date == "2031-05-20"]
    assert [(c.mood, c.craving) for c in today] == [(5, 0)]


@pytest.mark.slow
@pytest.mark.django_db
def test_the_trends_page_reads_each_check_in_once_for_the_page_and_its_three_charts(long_history, counted):
    with time_machine.travel(NOW, tick=False):
        page = long_history.get("/me/trends").content.decode()
    assert page.count("data:image/svg+xml;base64,") == 3
    assert counted["journal.CheckIn.data"] == DAYS - 1, counted
