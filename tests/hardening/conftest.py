import json

import pytest


@pytest.fixture
def feed_path(tmp_path):
    """Write rows as a Meeting Guide feed file (or raw text) and return its path."""
    counter = iter(range(10**6))

    def write(rows, *, raw: str | None = None, suffix=".json"):
        path = tmp_path / f"feed-{next(counter)}{suffix}"
        path.write_text(raw if raw is not None else json.dumps(rows), encoding="utf-8")
        return str(path)

    return write


def good_row(slug="good", **changes):
    row = {
        "name": "Good Group",
        "slug": slug,
        "day": 1,
        "time": "19:00",
        "timezone": "America/Chicago",
        "formatted_address": "1 Main St, Dallas, TX 75201, USA",
        "types": ["O"],
    }
    row.update(changes)
    return row
