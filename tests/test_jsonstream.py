"""The streamed JSON reader reads an array the way json.loads does, however its windows fall."""

import io
import json

import pytest

from commonground.feeds import jsonstream
from commonground.feeds.jsonstream import iter_array


@pytest.mark.parametrize("read_bytes", [1, 2, 3, 5, 7])
def test_a_number_cut_by_the_window_is_read_whole(monkeypatch, read_bytes):
    body = '[{}, -1.3465560308665378e+16, 12.5, 1E-3, [7], 125, -0.25e2, {"a": 1}]'
    monkeypatch.setattr(jsonstream, "READ_BYTES", read_bytes)
    assert list(iter_array(io.BytesIO(body.encode()), "feed.json")) == json.loads(body)
