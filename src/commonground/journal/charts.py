"""Trends from the check-ins, and the companion's charts of them (drawn with the private floor's
``charts``: SVG with no script). Each chart comes with the same numbers as a table on the page, for
screen readers and for anyone who prefers numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pygal

from commonground.journal.records import AttendanceData, CheckInData
from commonground.private.charts import STYLE, set_up, svg


@dataclass
class Trends:
    days: list[date]  # the last 30 local days, oldest first
    craving: list[int | None]
    mood: list[int | None]
    weeks: list[date]  # Mondays of the last 12 weeks
    meetings_per_week: list[int]
    streak: int  # consecutive days checked in, up to today (or yesterday, if today is not yet)


def trends(check_ins: list[CheckInData], attended: list[AttendanceData], today: date) -> Trends:
    by_day = {c.date: c for c in check_ins}
    days = [today - timedelta(days=n) for n in range(29, -1, -1)]
    craving = [by_day[d.isoformat()].craving if d.isoformat() in by_day else None for d in days]
    mood = [by_day[d.isoformat()].mood if d.isoformat() in by_day else None for d in days]
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=n) for n in range(11, -1, -1)]
    went = {c.date for c in check_ins if c.meeting} | {a.date for a in attended}
    per_week = [sum(1 for d in went if w <= date.fromisoformat(d) < w + timedelta(days=7)) for w in weeks]
    streak, day = 0, today if today.isoformat() in by_day else today - timedelta(days=1)
    while day.isoformat() in by_day:
        streak += 1
        day -= timedelta(days=1)
    return Trends(days, craving, mood, weeks, per_week, streak)


def line_svg(title: str, labels: list[str], values: list[int | None], *, low: int, high: int) -> bytes:
    chart = set_up(
        pygal.Line(
            style=STYLE,
            range=(low, high),
            allow_interruptions=True,
            dots_size=4,
            show_minor_x_labels=False,
            x_labels_major_every=7,
        ),
        title,
    )
    chart.x_labels = labels
    chart.add(title, values)
    return svg(chart)


def bar_svg(title: str, labels: list[str], values: list[int]) -> bytes:
    chart = set_up(pygal.Bar(style=STYLE, show_minor_x_labels=False, x_labels_major_every=2), title)
    chart.x_labels = labels
    chart.add(title, values)
    return svg(chart)
