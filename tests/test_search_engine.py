"""The search engine against a brute-force oracle, and the named edge cases."""

import math
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_oracle import oracle

from commonground.meetings import schedule
from commonground.meetings.models import DataVersion, Meeting, Source
from commonground.search import engine
from commonground.search.query import parse_query

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Santiago",
    "Asia/Kolkata",
    "UTC",
    "America/St_Johns",
    "Pacific/Chatham",
    "America/Phoenix",
]
CENTRES = [
    (40.75, -73.99),
    (51.5, -0.12),
    (-33.87, 151.21),
    (27.7, 85.3),
    (-31.55, 159.08),
    (0.0, 179.9),
    (69.65, 18.96),
]
PROGRAMS = ["aa", "na", "smart", "cr", "al-anon", "rd"]
NAMES = ["Hope", "hope", "Serenity", "Zeta Group", "Éclair", "Noon"]
TYPES = ["O", "C", "W", "M", "D", "SP", "X", "LGBTQ", "BE"]
NOWS = [
    datetime(2026, 3, 8, 6, 40, tzinfo=UTC),  # New York spring forward
    datetime(2026, 11, 1, 5, 20, tzinfo=UTC),  # New York fall back
    datetime(2026, 3, 29, 0, 50, tzinfo=UTC),  # London
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),  # Sydney and Lord Howe spring forward
    datetime(2026, 4, 4, 14, 40, tzinfo=UTC),  # Sydney and Lord Howe fall back
    datetime(2026, 9, 5, 23, 50, tzinfo=UTC),  # Santiago midnight gap
    datetime(2026, 6, 15, 12, 0, tzinfo=UTC),
]

# Distances and start times cluster at the edges of the query's radius and window, where bugs hide.
EDGE_KM = [0.0, 4.9, 5.1, 39.9, 40.1, 119.5, 120.5, 499.0, 501.0]
EDGE_MINUTES = [-11, -10, -9, 0, 1, 29, 30, 31, 89, 90, 91, 599, 600, 601, 24 * 60, 3 * 24 * 60 + 5]

meeting_st = st.fixed_dictionaries(
    {
        "zone": st.sampled_from(ZONES),
        "centre": st.one_of(st.sampled_from(CENTRES), st.none()),
        "distance": st.one_of(st.sampled_from(EDGE_KM), st.sampled_from(EDGE_KM), st.floats(0, 600)),
        "bearing": st.floats(0, 360),
        "weekday": st.one_of(st.none(), st.integers(0, 6)),
        "minute": st.integers(0, 1439),
        "relative": st.one_of(
            st.sampled_from(EDGE_MINUTES), st.sampled_from(EDGE_MINUTES), st.integers(-300, 3000), st.none()
        ),
        "duration": st.sampled_from([None, 60, 90]),
        "mode": st.sampled_from(["in_person", "online", "hybrid", "inactive"]),
        "program": st.sampled_from(PROGRAMS),
        "name": st.sampled_from(NAMES),
        "types": st.lists(st.sampled_from(TYPES), max_size=3, unique=True),
        "language": st.sampled_from([[], ["es"], ["en"], ["en", "es"]]),
    }
)


def destination(lat, lng, km, bearing):
    """The point ``km`` away from (lat, lng) on ``bearing`` degrees (great circle)."""
    d, b, p1, l1 = km / 6371.0088, math.radians(bearing), math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), ((math.degrees(l2) + 180) % 360) - 180


def make(i, spec, source, now):
    lat = lng = None
    if spec["centre"] is not None:
        lat, lng = destination(*spec["centre"], spec["distance"], spec["bearing"])
    weekday, minute = spec["weekday"], spec["minute"]
    if weekday is not None and spec["relative"] is not None:
        local = (now + timedelta(minutes=spec["relative"])).astimezone(schedule.zone(spec["zone"]))
        weekday, minute = schedule.spec_weekday(local.date()), local.hour * 60 + local.minute
    mode = spec["mode"]
    fields = {
        "conference_url": "https://zoom.us/j/1234567890" if mode in ("online", "hybrid") else "",
        "approximate": mode == "online" or (mode == "inactive" and i % 2 == 0),
        "address": "" if mode == "online" else "1 Main St",
        "temporarily_closed": mode == "inactive",
    }
    start = time(minute // 60, minute % 60) if weekday is not None else None
    return Meeting(
        program_id=spec["program"],
        source=source,
        key=f"k{i}",
        slug=f"k{i}",
        name=spec["name"],
        weekday=weekday,
        start_time=start,
        duration_minutes=spec["duration"],
        timezone=spec["zone"],
        latitude=lat,
        longitude=lng,
        types=spec["types"],
        languages=spec["language"],
        notes="ring the bell" if i % 3 == 0 else "",
        **fields,
    )


FILTERS = {
    "tz": st.sampled_from(ZONES),
    "mode": st.sampled_from(["any", "in_person", "online", "hybrid"]),
    "program": st.lists(st.sampled_from(PROGRAMS), min_size=1, max_size=3),
    "approach": st.sampled_from(["twelve-step", "secular", "faith-based"]),
    "type": st.lists(st.sampled_from(["open", "closed", "women", "discussion", "wheelchair"]), min_size=1, max_size=2),
    "language": st.sampled_from(["es", "en"]),
    "q": st.sampled_from(["hope", "HOPE", "bell", "éc", "zeta g"]),
    "sort": st.sampled_from(["soonest", "name", "nearest"]),
    "limit": st.sampled_from(["1", "3", "200"]),
    "offset": st.sampled_from(["0", "1", "5"]),
}


@st.composite
def query_st(draw):
    """A query with a place and/or a time most of the time, and at most two other filters."""
    q = {}
    if draw(st.integers(0, 3)):
        q["place"] = (draw(st.sampled_from(CENTRES)), draw(st.sampled_from(["5", "40", "120", "500"])))
    if draw(st.integers(0, 3)):
        q["time"] = draw(
            st.one_of(
                st.tuples(st.just("within"), st.sampled_from(["30", "90", "600", "10080"])),
                st.tuples(
                    st.just("day"),
                    st.sampled_from(["0", "3", "6", "today", "tomorrow"]),
                    st.sampled_from(["", "00:00", "18:00", "22:30"]),
                    st.sampled_from(["", "02:00", "21:00", "23:59"]),
                ),
            )
        )
    for name in draw(
        st.lists(st.sampled_from(sorted(FILTERS)), max_size=draw(st.sampled_from([0, 0, 1, 2])), unique=True)
    ):
        q[name] = draw(FILTERS[name])
    return q


def to_params(q, now):
    params = {"now": now.isoformat()}
    if "place" in q:
        (lat, lng), radius = q["place"]
        params.update(lat=str(lat), lng=str(lng), radius_km=radius)
    if "time" in q:
        if q["time"][0] == "within":
            params["starting_within"] = q["time"][1]
        else:
            _, day, start, end = q["time"]
            params["day"] = day
            if start:
                params["time_from"] = start
            if end:
                params["time_to"] = end
    for name in ("tz", "mode", "approach", "language", "q", "limit", "offset"):
        if name in q:
            params[name] = q[name]
    for name in ("program", "type"):
        if name in q:
            params[name] = ",".join(q[name])
    if q.get("sort") and (q["sort"] != "nearest" or "place" in q):
        params["sort"] = q["sort"]
    return params


@pytest.mark.django_db
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    meetings=st.lists(meeting_st, min_size=5, max_size=40),
    q=query_st(),
    now=st.sampled_from(NOWS),
    shift=st.integers(0, 7 * 24 * 60),
)
@pytest.mark.slow
def test_the_engine_agrees_with_the_oracle(meetings, q, now, shift):
    now = now + timedelta(minutes=shift % 180 if shift % 2 else shift)
    with transaction.atomic():
        source = Source.objects.create(name="property", format="meeting-guide")
        rows = [make(i, spec, source, now) for i, spec in enumerate(meetings)]
        for row in rows:
            row.normalize_with_table("spec")
        Meeting.objects.bulk_create(rows)
        DataVersion.bump()
        query = parse_query(to_params(q, now))
        page = engine.search(query)
        expected_count, expected = oracle(query)
        got = [(r["id"], r["starts_at"], r["distance_km"]) for r in page.results]
        want = [(pk, start, round(d, 2) if d is not None else None) for pk, start, d in expected]
        assert page.count == expected_count
        assert got == want
        # The per-program counts the fit finder uses agree with the count.
        assert sum(engine.program_counts(query).values()) == expected_count
        transaction.set_rollback(True)
    engine.reset()
