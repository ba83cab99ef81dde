"""Crisis words: does a text (a check-in's note, a text message) say a person may be in danger?

The phrases are data (``crisis_words.toml``: a reviewed list in English and Spanish). Matching is
deliberately generous: lower case, accents and punctuation removed, apostrophes unified, whole words.
Showing the crisis line to someone who did not need it costs little; missing one costs much.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent / "crisis_words.toml"


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes dropped, every other non-letter a space, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’ʼ`´]", "", text)
    text = re.sub(r"[^\w]+|_", " ", text)
    return " ".join(text.split())


@cache
def _pattern(path: Path = WORDS_FILE) -> re.Pattern[str]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    phrases = {normalise(p) for lang in ("en", "es") for p in data.get(lang, {}).get("phrases", [])}
    phrases.discard("")
    if not phrases:
        raise ValueError(f"{path.name} lists no crisis phrases")
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?:^| )(?:{alternatives})(?: |$)")


def is_crisis_text(text: str) -> bool:
    if not text or not text.strip():
        return False
    return _pattern().search(normalise(text)) is not None
