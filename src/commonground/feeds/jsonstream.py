"""Read a JSON array one element at a time, from a file, in bounded memory.

A million-meeting feed parsed with ``json.loads`` is a million dicts at once (3 GB). Here the
standard library's own decoder reads one element at a time from a sliding text window, so
memory stays near the size of one meeting whatever the size of the feed, and every rule of
``json.loads`` still holds (strict syntax, the same error positions).

Numbers no meeting field needs (over 18 digits, or outside the float range) are kept as their
text, so the row check that reads the field rejects that one row with a reason, instead of the
whole feed failing on Python's 4,300-digit ``int`` limit or on ``1e400`` becoming infinity.
"""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Iterator
from typing import BinaryIO

import orjson

from commonground.feeds.errors import FeedError
from commonground.feeds.fetch import encoding_error

READ_BYTES = 1024 * 1024
MAX_INT_DIGITS = 18
MAX_ELEMENT_CHARS = 16 * 1024 * 1024  # one meeting larger than this is not a meeting
_WHITESPACE = " \t\n\r"


def _int(text: str):
    return int(text) if len(text) <= MAX_INT_DIGITS else text


def _float(text: str):
    number = float(text)
    return number if math.isfinite(number) else text


def _constant(name: str):
    return name  # NaN and Infinity are not JSON; the word is left for the row check to refuse


DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)
# UTF-8 with every ASCII digit and minus sign made "0", every other byte a space (no byte of a
# multi-byte character is ASCII): a run of MAX_INT_DIGITS + 1 zeros in it may be a number ``_int``
# keeps as text (its sign counts), which orjson would not.
_DIGITS_ONLY = bytes(48 if 48 <= c <= 57 or c == 45 else 32 for c in range(256))
_LONG_DIGITS = b"0" * (MAX_INT_DIGITS + 1)


class TextRow(dict):
    """An object element of the array, with its own JSON ``text``: the text is what its raw
    digest is made of, and all a worker process needs to read it again (``reread``), far
    cheaper to send than the dict."""

    __slots__ = ("text",)


def reread(text: str):
    """The value of an element's JSON ``text`` that ``iter_array`` read already: what the
    decoder above makes of it. orjson reads it (three times faster) unless the text holds
    something it reads otherwise: a long run of digits, or what it refuses (NaN, 1e400, a lone
    surrogate), which goes to the decoder."""
    if _LONG_DIGITS not in text.encode("utf-8", "surrogatepass").translate(_DIGITS_ONLY):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return DECODER.decode(text)


def loads(text: str, location: str):
    """``json.loads`` with the number rules above and errors as FeedError."""
    try:
        return DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise _syntax(location, exc) from None
    except RecursionError:
        raise FeedError("syntax", f"{location} nests JSON too deeply to be a meeting feed.") from None
    except ValueError as exc:
        raise FeedError("syntax", f"{location} is not valid JSON: {str(exc)[:200]}.") from None


def _syntax(location: str, exc: json.JSONDecodeError, line_offset: int = 0) -> FeedError:
    return FeedError(
        "syntax", f"{location} is not valid JSON: {exc.msg} at line {exc.lineno + line_offset}, column {exc.colno}."
    )


class _Text:
    """UTF-8 text from a binary file, in a window that grows on demand and drops what was read."""

    def __init__(self, stream: BinaryIO, location: str):
        self.stream, self.location = stream, location
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buffer, self.pos, self.eof = "", 0, False
        self.bytes_read, self.lines_dropped, self.first = 0, 0, True

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(READ_BYTES)
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise encoding_error(
                self.location, chunk[exc.start] if exc.start < len(chunk) else 0, self.bytes_read + exc.start
            ) from None
        self.bytes_read += len(chunk)
        if self.first:
            text, self.first = text.removeprefix("\ufeff"), False
        if not chunk:
            self.eof = True
        if self.pos > READ_BYTES:  # drop what has been read, keeping line numbers right
            self.lines_dropped += self.buffer.count("\n", 0, self.pos)
            self.buffer, self.pos = self.buffer[self.pos :], 0
        self.buffer += text
        return bool(chunk)

    def skip_space(self) -> str:
        """The next non-blank character (without consuming it), or "" at the end."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""


def iter_array(stream: BinaryIO, location: str, *, keep_text: bool = False) -> Iterator:
    """Each element of the JSON array in ``stream``; FeedError for anything that is not one.
    With ``keep_text``, an object comes as a ``TextRow`` that holds its JSON text."""
    text = _Text(stream, location)
    first = text.skip_space()
    if first != "[":
        if first == "":
            raise FeedError("shape", f"{location} is empty.")
        _refuse_non_array(text, location)
    text.pos += 1
    if text.skip_space() == "]":
        text.pos += 1
        _expect_end(text, location)
        return
    while True:
        if text.skip_space() == "":
            raise FeedError(
                "syntax", f"{location} is not valid JSON: the array is never closed (the file may be cut short)."
            )
        yield _element(text, location, keep_text)
        separator = text.skip_space()
        if separator == ",":
            text.pos += 1
            continue
        if separator == "]":
            text.pos += 1
            _expect_end(text, location)
            return
        if separator == "":
            raise FeedError(
                "syntax", f"{location} is not valid JSON: the array is never closed (the file may be cut short)."
            )
        line = text.lines_dropped + text.buffer.count("\n", 0, text.pos) + 1
        raise FeedError("syntax", f"{location} is not valid JSON: Expecting ',' delimiter at line {line}.")


def _element(text: _Text, location: str, keep_text: bool = False):
    while True:
        try:
            value, end = DECODER.raw_decode(text.buffer, text.pos)
        except json.JSONDecodeError as exc:
            # Perhaps the element is only cut by the window: read more and try again.
            if not text.eof and len(text.buffer) - text.pos < MAX_ELEMENT_CHARS and text.more():
                continue
            raise _syntax(location, exc, text.lines_dropped) from None
        except RecursionError:
            raise FeedError("syntax", f"{location} nests JSON too deeply to be a meeting feed.") from None
        except ValueError as exc:
            raise FeedError("syntax", f"{location} is not valid JSON: {str(exc)[:200]}.") from None
        if (
            not text.eof
            and len(text.buffer) - end <= 2
            and text.buffer[text.pos] in "-0123456789"
            and not text.buffer[end:].strip("+-.eE")
        ):
            # A number at the end of the window may continue in the next chunk: "12" of "125",
            # or "1.5" of "1.5e+16" with "e+" left over.
            if text.more():
                continue
        if keep_text and type(value) is dict:  # (reading more may have moved the window: pos is right now)
            value = TextRow(value)
            value.text = text.buffer[text.pos : end]
        text.pos = end
        return value


def _expect_end(text: _Text, location: str) -> None:
    if text.skip_space() != "":
        raise FeedError("syntax", f"{location} is not valid JSON: there is more after the closing bracket.")


def _refuse_non_array(text: _Text, location: str) -> None:
    while text.more() and len(text.buffer) < 4 * READ_BYTES:
        pass
    head = text.buffer[text.pos :]
    # A small body is parsed whole, so broken JSON is called broken; a big one starting with
    # "{" is taken for what it looks like, a wrapper object.
    value = loads(head, location) if text.eof else {}
    if isinstance(value, dict):
        hint = ' (it has a "meetings" list; point at a feed that is just the array)' if '"meetings"' in head else ""
        raise FeedError(
            "shape", f"{location} holds a JSON object, but a Meeting Guide feed is an array of meetings{hint}."
        )
    kind = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}.get(
        type(value), "value"
    )
    raise FeedError("shape", f"{location} holds a JSON {kind}, but a Meeting Guide feed is an array of meetings.")
