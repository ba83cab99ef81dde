"""SMS length, counted as a phone counts it, and text made safe to send.

A message is GSM-7 when every character is in the GSM 03.38 basic set or its extension table (an
extension character takes two septets: the escape and itself); one segment holds 160 septets, a
part of a longer message 153, and an escape pair is never split. Any other character makes the
whole message UCS-2: 70 UTF-16 units in one segment, 67 per part, a surrogate pair never split.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = frozenset("^{}\\[~]|€\f")
MAX_SEGMENTS = 3
_TAG = re.compile(r"<[^>]{0,200}>")
# Typographic characters that have a plain GSM form: kept readable, and the message stays GSM-7.
_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "})


@dataclass(frozen=True)
class Length:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm(text: str) -> bool:
    return all(ch in BASIC or ch in EXTENSION for ch in text)


def measure(text: str) -> Length:
    if is_gsm(text):
        sizes = [2 if ch in EXTENSION else 1 for ch in text]
        single, part, encoding = 160, 153, "GSM-7"
    else:
        sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, part, encoding = 70, 67, "UCS-2"
    units = sum(sizes)
    if units <= single:
        return Length(encoding, units, 1 if text else 0)
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return Length(encoding, units, segments)


def fits(text: str, segments: int = MAX_SEGMENTS) -> bool:
    return measure(text).segments <= segments


def to_gsm(text: str) -> str:
    """Letters with an accent GSM-7 lacks (á, í, ó, ú, ç ...) written without it, so one such letter
    does not turn the whole message into UCS-2 (less than half the room); other characters stay."""
    out = []
    for ch in text.translate(_PLAIN):
        if ch in BASIC or ch in EXTENSION:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(base if base and is_gsm(base) else ch)
    return "".join(out)


def clean(value: object, limit: int = 60) -> str:
    """Feed text made fit for a message: no markup, no control or format characters, one line, short."""
    text = _TAG.sub(" ", str(value or ""))
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
