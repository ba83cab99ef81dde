"""The two kinds of feed trouble, kept apart on purpose.

- ``FeedError``: the *source* cannot be used (unreachable, not JSON, wrong shape, too big).
  Nothing is imported and the stored meetings stay exactly as they were.
- ``RowProblem``: one row is odd. A *warning* keeps the row (a field was cleaned or dropped);
  a *skip* leaves that row out. Neither stops the sync.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from commonground.feeds.text import cut, storable

# A key quoted in a stored warning is cut to this: a skipped row's key may be any length.
SHOWN_KEY = 300


@dataclass
class FeedError(Exception):
    code: str  # machine-readable: "not-found", "http", "timeout", "too-large", "encoding", "syntax", "shape",
    # "stopped" (the import's child process ended before it reported)
    message: str  # what a person can act on
    retry_after: int | None = None  # seconds the server asked us to wait (429, 503), if it said

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass
class RowProblem:
    row: int  # 1-based position in the feed
    key: str | None
    field: str | None
    message: str
    skipped: bool = False

    def as_dict(self) -> dict:
        """As stored (``Source.last_warnings``) and reported: a problem quotes what a feed sent,
        which may hold NUL or a lone surrogate, and neither database could store it."""
        shown = asdict(self)
        shown["message"] = storable(self.message)
        if self.key is not None:
            shown["key"] = cut(storable(self.key), SHOWN_KEY)
        return shown


class RowSkip(Exception):
    """Raised while normalising a row that cannot be imported on its own."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
