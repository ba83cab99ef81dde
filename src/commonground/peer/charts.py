"""The workspace's charts: server-side SVG (pygal), script taken out, each with a table beside it."""

from __future__ import annotations

import pygal

from commonground.peer import barc
from commonground.private.charts import STYLE, set_up, svg


def barc_svg(rows, title: str, threshold_label: str) -> bytes:
    chart = set_up(pygal.Line(style=STYLE, range=(10, 60), dots_size=4, show_legend=True), title)
    chart.show_legend = True
    chart.x_labels = [d.isoformat() for d, _total in rows]
    chart.add(title, [total for _d, total in rows])
    chart.add(threshold_label, [barc.THRESHOLD] * len(rows), show_dots=False, stroke_style={"dasharray": "6, 4"})
    return svg(chart)


def month_bars(title: str, months: list[str], values: list[int | None]) -> bytes:
    """One bar a month; None (a suppressed count) draws no bar and writes no value."""
    chart = set_up(pygal.Bar(style=STYLE), title)
    chart.x_labels = months
    chart.add(title, values)
    return svg(chart)
