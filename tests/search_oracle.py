"""A brute-force search, written for clarity, not speed: the engine must agree with it exactly."""

from __future__ import annotations

import math

from commonground.meetings.models import Meeting

EARTH_RADIUS_KM = 6371.0088
MODE_SETS = {
    "any": {"in_person", "online", "hybrid"},
    "in_person": {"in_person", "hybrid"},
    "online": {"online", "hybrid"},
    "hybrid": {"hybrid"},
}


def haversine(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(h, 1.0)))


def oracle(query):
    """(count, [(id, start or None, distance or None), ...] for the page) by checking every meeting."""
    matches = []
    for m in Meeting.objects.exclude(attendance_mode="inactive").select_related("program"):
        distance = None
        if query.has_place:
            if m.latitude is None:
                continue
            distance = haversine(query.latitude, query.longitude, m.latitude, m.longitude)
            if distance > query.radius_km:
                continue
        if m.attendance_mode not in MODE_SETS[query.mode]:
            continue
        if query.programs and m.program_id not in query.programs:
            continue
        if query.approach and m.program.approach != query.approach:
            continue
        if any(tag not in m.tags for tag in query.tags):
            continue
        if any(lang not in m.languages for lang in query.languages):
            continue
        if query.q and query.q.casefold() not in "\n".join((m.name, m.group, m.location, m.notes)).casefold():
            continue
        if query.has_time:
            start = m.next_start(query.window_start)
            if start is not None and start > query.window_end:
                continue
        else:
            start = m.next_start(query.now)
        matches.append((m, start, distance))

    def name_key(item):
        return (item[0].name.casefold(), item[0].pk)

    if query.sort == "nearest":
        matches.sort(key=lambda item: (round(item[2], 6), item[0].pk))
    elif query.sort == "soonest":
        # At the same minute, the nearer first (when a place was given), then by id.
        scheduled = sorted(
            (i for i in matches if i[1] is not None),
            key=lambda i: (i[1], round(i[2], 6) if i[2] is not None else 0.0, i[0].pk),
        )
        ongoing = sorted((i for i in matches if i[1] is None), key=name_key)
        matches = scheduled + ongoing
    else:
        matches.sort(key=name_key)
    page = matches[query.offset : query.offset + query.limit]
    return len(matches), [(m.pk, start, distance) for m, start, distance in page]
