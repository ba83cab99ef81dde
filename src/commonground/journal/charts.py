"""Trends from the check-ins, drawn on the server as SVG with pygal (no script in the SVG).

Each chart comes with the same numbers as a table on the page, for screen readers and for
anyone who prefers numbers. The SVGs are served as images (``<img>``), so even pygal's own
tooltip script could never run; we also take it out of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pygal
from pygal.style import Style

STYLE = Style(background="white", plot_background="white", foreground="#222", foreground_strong="#111",
              foreground_subtle="#666", colors=("#2f5d8a", "#b5651d", "#3a7d44"), font_family="sans-serif",
              label_font_size=14, major_label_font_size=14, title_font_size=18, legend_font_size=14)


@dataclass
class Trends:
    days: list[date]  # the last 30 local days, oldest first
    craving: list[int | None]
    mood: list[int | None]
    weeks: list[date]  # Mondays of the last 12 weeks
    meetings_per_week: list[int]
    streak: int  # consecutive days checked in, up to today (or yesterday, if today is not yet)


def trends(check_ins: list[dict], attended: list[dict], today: date) -> Trends:
    by_day = {c["date"]: c for c in check_ins}
    days = [today - timedelta(days=n) for n in range(29, -1, -1)]
    craving = [by_day[d.isoformat()]["craving"] if d.isoformat() in by_day else None for d in days]
    mood = [by_day[d.isoformat()]["mood"] if d.isoformat() in by_day else None for d in days]
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=n) for n in range(11, -1, -1)]
    went = {c["date"] for c in check_ins if c.get("meeting")} | {a["date"] for a in attended}
    per_week = [sum(1 for d in went if w <= date.fromisoformat(d) < w + timedelta(days=7)) for w in weeks]
    streak, day = 0, today if today.isoformat() in by_day else today - timedelta(days=1)
    while day.isoformat() in by_day:
        streak += 1
        day -= timedelta(days=1)
    return Trends(days, craving, mood, weeks, per_week, streak)


def _config(chart, title: str):
    chart.config.js = []  # no script, ever
    chart.config.disable_xml_declaration = True
    chart.title = title
    chart.show_legend = False
    chart.width, chart.height = 720, 360
    chart.x_label_rotation = 0
    chart.truncate_label = -1
    return chart


def line_svg(title: str, labels: list[str], values: list[int | None], *, low: int, high: int) -> bytes:
    chart = _config(pygal.Line(style=STYLE, range=(low, high), allow_interruptions=True, dots_size=4,
                               show_minor_x_labels=False, x_labels_major_every=7), title)
    chart.x_labels = labels
    chart.add(title, values)
    return _no_script(chart.render())


def _no_script(svg: str) -> bytes:
    """pygal always writes a <script> with its tooltip settings: take it out (and any other)."""
    return SCRIPT.sub("", svg).encode()


SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def bar_svg(title: str, labels: list[str], values: list[int]) -> bytes:
    chart = _config(pygal.Bar(style=STYLE, show_minor_x_labels=False, x_labels_major_every=2), title)
    chart.x_labels = labels
    chart.add(title, values)
    return _no_script(chart.render())
