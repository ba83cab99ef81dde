"""Signed webhook requests (Twilio's HMAC-SHA1 over the URL and the sorted POST fields), a test key
for the numbers' hash, and a few meetings around New York: in person soon, online now with a dial-in."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from commonground.meetings import schedule
from commonground.meetings.models import DataVersion, Meeting, Source
from commonground.search import engine

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://phone.example.org"
CALLER = "+12125550188"
SPANISH_CALLER = "+13055550177"
NY = "America/New_York"


def signature(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    """As Twilio computes it: the URL, then each POST field name and value, sorted by name."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


@pytest.fixture(autouse=True)
def phone_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PHONE_PUBLIC_URL = PUBLIC
    settings.PHONE_HASH_KEY = "dGVzdC1vbmx5LXBob25lLWhhc2gta2V5LWZvci1jZyE"
    settings.PHONE_RATE_PER_NUMBER = "50/h"
    cache.clear()
    from commonground.phone import finder

    finder._program_words.cache_clear()
    yield
    cache.clear()


class Phone:
    def __init__(self, number: str = CALLER):
        self.number = number
        self.client = Client()

    def post(self, path: str, fields: dict[str, str], *, sign: bool = True, bad: bool = False):
        params = {"From": self.number, "To": "+15005550006", **fields}
        headers = {}
        if sign:
            sig = signature(PUBLIC + path, params)
            headers["HTTP_X_TWILIO_SIGNATURE"] = ("A" + sig[1:]) if bad else sig
        return self.client.post(path, params, **headers)

    def text(self, body: str) -> str:
        response = self.post("/phone/sms", {"Body": body, "MessageSid": "SM" + "0" * 32})
        assert response.status_code == 200, response.content
        from xml.etree import ElementTree

        root = ElementTree.fromstring(response.content)
        return "\n".join(m.text or "" for m in root.iter("Message"))

    def call(self, path: str = "/phone/voice", **fields: str):
        return self.post(path, {"CallSid": "CA" + "1" * 32, **fields})


@pytest.fixture
def phone():
    return Phone()


def _meeting(source, i, *, minutes, name, mode="in_person", lat=40.7506, lng=-73.9972, **extra):
    start = (datetime.now(UTC) + timedelta(minutes=minutes)).astimezone(schedule.zone(NY))
    fields = {
        "conference_url": "https://zoom.us/j/85012345678" if mode == "online" else "",
        "approximate": mode == "online",
        "address": "" if mode == "online" else f"{i} W 34th St",
        "location": "" if mode == "online" else "St Mark's Hall",
        "latitude": None if mode == "online" else lat,
        "longitude": None if mode == "online" else lng,
    }
    fields.update(extra)
    return Meeting(
        program_id=extra.pop("program_id", "aa") if "program_id" in extra else "aa",
        source=source,
        key=f"k{i}",
        slug=f"k{i}",
        name=name,
        weekday=schedule.spec_weekday(start.date()),
        start_time=time(start.hour, start.minute),
        duration_minutes=60,
        timezone=NY,
        **{k: v for k, v in fields.items() if k != "program_id"},
    )


@pytest.fixture
def meetings(db):
    source = Source.objects.create(name="phone-test", slug="phone-test", format="meeting-guide")
    rows = [
        _meeting(source, 1, minutes=30, name="Hope <b>Group</b>\x07"),
        _meeting(source, 2, minutes=90, name="Serenity at Noon", program_id="na"),
        _meeting(source, 3, minutes=150, name="Early Birds"),
        _meeting(source, 4, minutes=210, name="Late Night Living"),
        _meeting(
            source,
            5,
            minutes=20,
            name="Online Daily Reflections",
            mode="online",
            conference_phone="+1 646 558 8656,,85012345678#",
        ),
        _meeting(
            source,
            6,
            minutes=40,
            name="SMART Online Tools",
            mode="online",
            program_id="smart",
            conference_url="https://zoom.us/j/9876543210",
            conference_url_notes="Meeting ID: 987 654 3210",
        ),
    ]
    for row in rows:
        row.normalize_with_table("spec")
    Meeting.objects.bulk_create(rows)
    DataVersion.bump()
    engine.reset()
    yield rows
    engine.reset()
