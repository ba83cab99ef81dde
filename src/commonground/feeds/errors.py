"""The two kinds of feed trouble, kept apart on purpose.

- ``FeedError``: the *source* cannot be used (unreachable, not JSON, wrong shape, too big).
  Nothing is imported and the stored meetings stay exactly as they were.
- ``RowProblem``: one row is odd. A *warning* keeps the row (a field was cleaned or dropped);
  a *skip* leaves that row out. Neither stops the sync.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class FeedError(Exception):
    code: str  # machine-readable: "not-found", "http", "timeout", "too-large", "encoding", "syntax", "shape",
    # "stopped" (the import's child process ended before it reported)
    message: str  # what a person can act on

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
        return asdict(self)


class RowSkip(Exception):
    """Raised while normalising a row that cannot be imported on its own."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
