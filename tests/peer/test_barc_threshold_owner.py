"""The BARC-10 threshold has one owner (peer/barc.py): the chart's line and its label read it there."""

import re
from datetime import date
from pathlib import Path

from commonground.peer import barc
from commonground.peer.charts import barc_svg

PEER = Path(__file__).resolve().parents[2] / "src" / "commonground" / "peer"


def test_no_other_module_writes_the_threshold():
    written = [
        f"{path.name}:{n}"
        for path in sorted(PEER.rglob("*.py"))
        if path.name != "barc.py" and "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\b47\b", line)
    ]
    assert written == []


def test_the_charts_line_is_drawn_where_barc_says(monkeypatch):
    rows = [(date(2026, 1, 5), 30), (date(2026, 4, 5), 41)]
    as_studied = barc_svg(rows, "Total", "threshold")
    monkeypatch.setattr(barc, "THRESHOLD", 52)
    assert barc_svg(rows, "Total", "threshold") != as_studied  # the line moved with the owner's number
