"""Whole-list BMLT answers as files: written once per data version and address, then served.

The whole list (every meeting of a root, as crouton asks for it first) is too large to make per
request: 200 MB of JSON at 200,000 meetings. It is written once, from the version's material
(``store.py``), plain and as a raw deflate stream, and every later request is a file read.

A JSONP answer wraps the list in a call of a function the client names anew on every request,
and ``get_used_formats`` in an object with the formats, so neither can be compressed in advance,
and compressing per request cost seconds. Instead the
stored deflate stream is spliced between the compressed call's start and end: deflate blocks
made from a fresh state never refer back past their own start, a sync flush ends them on a byte
boundary, and the gzip trailer's CRC-32 is combined from the parts' (``crc32_combine``, as zlib
does). The client receives one ordinary gzip member.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import patch_vary_headers

from commonground.locks import file_lock

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
LEVEL = 5  # as the Meeting Guide feed: nearly level 9's size at a third of its time
BLOCK = 1 << 20


def whole_list(material, key: list, write) -> Path:
    """The file of the answer named by ``key``, written by ``write(out)`` on first need (one
    writer at a time; others wait for it and then read the same file)."""
    folder = material.folder / "answers"
    folder.mkdir(exist_ok=True)
    path = folder / (hashlib.sha256(orjson.dumps(key)).hexdigest()[:32] + ".json")
    meta = path.with_name(path.name + ".meta")
    if meta.exists():
        return path
    with file_lock(folder / (path.name + ".lock"), wait=True, what="another worker writing this answer", notify=None):
        if meta.exists():
            return path
        tmp = folder / f".{path.name}.{os.getpid()}.tmp"
        writer = _Writer(tmp)
        try:
            write(writer.write)
        finally:
            writer.close()
        os.replace(tmp, path)
        os.replace(str(tmp) + ".deflate", path.with_name(path.name + ".deflate"))
        meta.write_text(json.dumps({"crc": writer.crc, "size": writer.size}))
    return path


class _Writer:
    def __init__(self, path: Path):
        self.plain = open(path, "wb")  # noqa: SIM115
        self.packed = open(str(path) + ".deflate", "wb")  # noqa: SIM115
        self.deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self.crc, self.size = 0, 0

    def write(self, data: bytes) -> None:
        self.plain.write(data)
        self.packed.write(self.deflate.compress(data))
        self.crc, self.size = zlib.crc32(data, self.crc), self.size + len(data)

    def close(self) -> None:
        self.packed.write(self.deflate.flush(zlib.Z_SYNC_FLUSH))  # byte-aligned, and not the last block
        self.plain.close()
        self.packed.close()


@dataclass
class WholeList:
    """A whole list's file, and what goes around it in this answer (``get_used_formats``' object)."""

    path: Path
    before: bytes = b""
    after: bytes = b""


def response(request, whole: WholeList, callback: str | None):
    """The file as the answer: plain, or gzipped from the stored stream; for JSONP, wrapped in the call."""
    path = whole.path
    before = (b"/**/" + callback.encode() + b"(" if callback else b"") + whole.before
    after = whole.after + (b");" if callback else b"")
    kind = "application/javascript; charset=utf-8" if callback else "application/json"
    if "gzip" in request.headers.get("Accept-Encoding", "").lower():
        meta = json.loads(path.with_name(path.name + ".meta").read_text())
        answer = StreamingHttpResponse(
            _gzip(path.with_name(path.name + ".deflate"), meta, before, after), content_type=kind
        )
        answer["Content-Encoding"] = "gzip"
    elif before or after:
        answer = StreamingHttpResponse(_plain(path, before, after), content_type=kind)
    else:
        answer = FileResponse(open(path, "rb"), content_type=kind)  # noqa: SIM115
    patch_vary_headers(answer, ["Accept-Encoding"])
    return answer


def _plain(path: Path, before: bytes, after: bytes) -> Iterator[bytes]:
    yield before
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            yield block
    yield after


def _gzip(deflated: Path, meta: dict, before: bytes, after: bytes) -> Iterator[bytes]:
    def blocks():
        with open(deflated, "rb") as fh:
            while block := fh.read(BLOCK):
                yield block

    return gzip_around(blocks(), meta["crc"], meta["size"], before, after)


def deflate(data: bytes) -> bytes:
    """A raw deflate stream of ``data`` that another can follow (sync-flushed, no last block)."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH)


def gzip_around(deflated, crc: int, size: int, before: bytes, after: bytes) -> Iterator[bytes]:
    """One gzip member of ``before`` + the data (given as its ``deflate`` stream, its CRC-32 and
    length) + ``after``: only the two ends are compressed here."""
    yield GZIP_HEADER + (deflate(before) if before else b"")
    yield from deflated
    end = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    crc = crc32_combine(crc32_combine(zlib.crc32(before), crc, size), zlib.crc32(after), len(after))
    size = len(before) + size + len(after)
    yield (
        end.compress(after)
        + end.flush(zlib.Z_FINISH)
        + crc.to_bytes(4, "little")
        + (size & 0xFFFFFFFF).to_bytes(4, "little")
    )


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, row) for row in matrix]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from A's, B's and B's length (zlib's crc32_combine)."""
    if length2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four
    while True:  # apply len2 zero bytes to crc1, one bit of len2 at a time
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2
