"""Charts for private pages, drawn on the server as SVG with pygal, with no script in them.

Both private apps draw with this: one style, one set-up, and ``svg`` to render. The SVGs are
served as images (``<img>``), so pygal's tooltip script could never run; it is taken out of the
file as well. Every chart has the same numbers as a table beside it on its page.
"""

from __future__ import annotations

import re

from pygal.graph.graph import Graph
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#666",
    colors=("#2f5d8a", "#b5651d", "#3a7d44"),
    font_family="sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    title_font_size=18,
    legend_font_size=14,
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def set_up(chart: Graph, title: str) -> Graph:
    """No script, no XML declaration, one size, the title, labels upright and never cut."""
    chart.config.js = []
    chart.config.disable_xml_declaration = True
    chart.title = title
    chart.show_legend = False
    chart.width, chart.height = 720, 360
    chart.x_label_rotation = 0
    chart.truncate_label = -1
    return chart


def svg(chart: Graph) -> bytes:
    """The chart as SVG bytes. pygal always writes a <script> with its tooltip settings: it is taken
    out, with any other."""
    return SCRIPT.sub("", chart.render()).encode()
