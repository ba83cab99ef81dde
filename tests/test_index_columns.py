"""The index's small integer columns (program, mode, local week minute, tags) equal the database's
values for every meeting, whichever way they travel from the database (they arrive packed in one
integer per row, search/build.py), on whichever database the run uses."""

import random

import pytest

from commonground.meetings import types
from commonground.meetings.models import Meeting
from commonground.search import build


@pytest.mark.slow
@pytest.mark.django_db
def test_every_meeting_s_small_columns_are_the_database_s(demo_meetings):
    demo_meetings(300)
    rng = random.Random(5)
    ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
    every_tag = types.tag_bits(types.TAGS)
    Meeting.objects.filter(pk=ids[0]).update(tag_bits=every_tag, attendance_mode="hybrid")
    Meeting.objects.filter(pk=ids[1]).update(tag_bits=types.tag_bits([types.TAGS[-1]]), weekday=None, start_time=None)
    Meeting.objects.filter(pk=ids[2]).update(weekday=6, start_time="23:59", attendance_mode="online", tag_bits=0)
    Meeting.objects.filter(pk=ids[3]).update(weekday=0, start_time="00:00")
    for pk in ids[4:80]:
        Meeting.objects.filter(pk=pk).update(tag_bits=rng.getrandbits(len(types.TAGS)))
    columns = build.read_columns()
    programs = columns.program_codes
    expected = {m.pk: m for m in Meeting.objects.exclude(attendance_mode="inactive").filter(duplicate_of=None)}
    assert sorted(expected) == columns.ids.tolist()
    for i, pk in enumerate(columns.ids.tolist()):
        m = expected[pk]
        week = (
            -1
            if m.weekday is None or m.start_time is None
            else m.weekday * 1440 + m.start_time.hour * 60 + m.start_time.minute
        )
        assert (
            programs[columns.program[i]],
            int(columns.mode[i]),
            int(columns.week_minute[i]),
            int(columns.tags[i]),
        ) == (m.program_id, build.MODE_CODES[m.attendance_mode], week, m.tag_bits), pk
    position = {pk: i for i, pk in enumerate(columns.ids.tolist())}
    assert int(columns.tags[position[ids[0]]]) == every_tag
    assert int(columns.week_minute[position[ids[1]]]) == build.NO_TIME
    assert int(columns.week_minute[position[ids[2]]]) == 6 * 1440 + 23 * 60 + 59


@pytest.mark.django_db
def test_every_meeting_s_source_and_name_are_the_database_s(demo_meetings):
    """The source rides above the id in one integer, and the name is read off the search text."""
    from commonground.meetings.models import Source

    demo_meetings(60)
    other = Source.objects.create(name="other", location="/tmp/x.json", format="meeting_guide")
    ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
    Meeting.objects.filter(pk__in=ids[:20]).update(source=other)
    Meeting.objects.filter(pk=ids[0]).update(name="STRAẞE Σίσυφος Group", group="Line\ngroup", notes="")
    Meeting.objects.filter(pk=ids[1]).update(name="ﬁrst light")  # a ligature casefold makes two letters
    columns = build.read_columns()
    expected = {m.pk: m for m in Meeting.objects.exclude(attendance_mode="inactive").filter(duplicate_of=None)}
    names = sorted({m.name.casefold() for m in expected.values()})
    for i, pk in enumerate(columns.ids.tolist()):
        assert int(columns.source[i]) == expected[pk].source_id, pk
        assert names[int(columns.name_key[i]) >> 32] == expected[pk].name.casefold(), pk


@pytest.mark.django_db
def test_ids_too_large_for_the_packing_are_refused(demo_meetings):
    from commonground.meetings.models import Source

    demo_meetings(3)
    Source.objects.create(
        id=1 << (63 - build.PACKED_SOURCE), name="far", location="/tmp/far.json", format="meeting_guide"
    )
    with pytest.raises(OverflowError, match="too large"):
        build.read_columns()
