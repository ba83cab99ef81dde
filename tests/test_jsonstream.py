"""The streamed JSON reader: arrays read as json.loads reads them however the windows fall, each
row's own text, and reading that text again in a worker."""

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.feeds import jsonstream
from commonground.feeds.jsonstream import DECODER, TextRow, iter_array, reread

numbers = st.one_of(st.integers(), st.integers(-(10**40), 10**40), st.floats(allow_nan=False, allow_infinity=False))
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=12))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
objects = st.dictionaries(st.text(max_size=6), values, max_size=6)
# What json.dumps never writes but a feed may hold: words and numbers the decoder keeps as text,
# escaped lone surrogates, keys given twice.
odd = st.sampled_from(
    [
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": 1e400}',
        '{"a": 1234567890123456789}',
        '{"a": 12345678901234567890123}',
        '{"a": "\\ud800"}',
        '{"a": 1, "a": 2}',
        '{"a": -0}',
        '{"a": -0.0}',
        '{"a": 1E5}',
        '{"a": "x\\u0000y"}',
        '{"a": 123456789012345678}',
        '{"a": -100000000000000000}',
        '{"n": "٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣٣"}',
        '{"a": [1.5e-320, 2.2250738585072014e-308]}',
    ]
)


@pytest.mark.slow
@given(st.one_of(objects.map(lambda o: json.dumps(o)), objects.map(lambda o: json.dumps(o, ensure_ascii=False)), odd))
@settings(max_examples=400, deadline=None)
def test_a_row_read_again_is_what_the_stream_read(text):
    assert repr(reread(text)) == repr(DECODER.decode(text))


@pytest.mark.slow
@given(st.lists(st.one_of(objects, values), max_size=12), st.sampled_from([", ", ",\n  ", ","]))
@settings(max_examples=150, deadline=None)
def test_each_object_keeps_its_own_text_across_windows(elements, separator):
    body = "[" + separator.join(json.dumps(e, ensure_ascii=False) for e in elements) + "]"
    real = jsonstream.READ_BYTES
    jsonstream.READ_BYTES = 7  # windows far smaller than an element: texts cut everywhere
    try:
        got = list(iter_array(io.BytesIO(body.encode()), "feed.json", keep_text=True))
    finally:
        jsonstream.READ_BYTES = real
    assert got == [DECODER.decode(json.dumps(e)) for e in elements]
    for element, value in zip(elements, got, strict=True):
        assert (type(value) is TextRow) == isinstance(element, dict)
        if type(value) is TextRow:
            assert value.text == json.dumps(element, ensure_ascii=False)


def test_without_keep_text_rows_are_plain():
    assert [type(v) for v in iter_array(io.BytesIO(b'[{"a": 1}, [2]]'), "f")] == [dict, list]


@pytest.mark.parametrize("read_bytes", [1, 2, 3, 5, 7])
def test_a_number_cut_by_the_window_is_read_whole(monkeypatch, read_bytes):
    body = '[{}, -1.3465560308665378e+16, 12.5, 1E-3, [7], 125, -0.25e2, {"a": 1}]'
    monkeypatch.setattr(jsonstream, "READ_BYTES", read_bytes)
    assert list(iter_array(io.BytesIO(body.encode()), "feed.json")) == json.loads(body)
