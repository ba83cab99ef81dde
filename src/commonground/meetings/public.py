"""Which meetings are public: the one owner of that rule.

A listing is public when

- its source is connected: a source whose feed has failed for ``SOURCE_DISCONNECT_DAYS`` is
  disconnected, and its meetings leave search and the feeds until a good sync (docs/feeds.md,
  "Freshness"); and
- no other source's listing stands for it: a meeting two sources list is shown once, as the
  listing of the source registered first (``Meeting.duplicate_of``, set by ``duplicates.py``);
- and, unless ``inactive=True`` is asked, it is not inactive (temporarily closed with no online
  option): inactive meetings never match a search (docs/search.md), nor go out in the BMLT
  answers, nor are counted on the pages; the Meeting Guide feed alone carries them, marked
  inactive as its spec says.

The rule is written once, as ORM conditions (``conditions``). ``Meeting.objects.public()`` filters
by them, and ``public_where`` compiles the same conditions into a WHERE clause for the readers
that read the table with a cursor (the search index, the feed writer), so the two cannot drift
(tests/test_public_meetings.py). A meeting's own page, by its address, stays for every listing:
this rule is about lists and counts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection as default_connection
from django.db import models
from django.db.models import BigIntegerField, F, Func, Q
from django.db.models.lookups import IsNull

from commonground.meetings.modes import AttendanceMode

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper


def disconnected() -> Q:
    """The sources whose meetings are not public, having failed to sync for too long (a condition
    on ``Source``; ``feeds/health.py`` sets ``disconnected_at`` and a good sync clears it)."""
    return Q(disconnected_at__isnull=False)


def conditions(*, inactive: bool = False, duplicate_index: bool = True) -> list[Any]:
    """The rule as conditions on ``Meeting``, ANDed.

    ``duplicate_index=False`` writes the duplicate test as ``+duplicate_of_id IS NULL``: the same
    test, which keeps a planner from walking the duplicate index (nearly every row's is NULL) where
    another index finds the rows (``search/build.py``'s read of a few sources).
    """
    source = apps.get_model("meetings", "Source")  # by name, as the model's own foreign keys say it
    duplicate = (
        F("duplicate_of_id")
        if duplicate_index
        else Func(F("duplicate_of_id"), template="+%(expressions)s", output_field=BigIntegerField())
    )
    out = [IsNull(duplicate, True), ~Q(source_id__in=source.objects.filter(disconnected()).values("id"))]
    if not inactive:
        # TextChoices is untyped here, so mypy takes the member for its (value, label) tuple.
        out.append(~Q(attendance_mode=AttendanceMode.INACTIVE.value))  # type: ignore[attr-defined]
    return out


class MeetingQuerySet(models.QuerySet[Any]):  # type: ignore[misc]  # Django is untyped here
    def public(self, *, inactive: bool = False) -> MeetingQuerySet:
        """The public listings (see the module's doc); ``inactive=True``: inactive ones too."""
        found: MeetingQuerySet = self.filter(*conditions(inactive=inactive))
        return found


def public_where(
    connection: BaseDatabaseWrapper | None = None, *, inactive: bool = False, duplicate_index: bool = True
) -> tuple[str, list[Any]]:
    """``(sql, params)``: the rule as a WHERE clause over the meetings table, unaliased, for a raw
    reader on ``connection`` (the default one when None). Columns are qualified by the table's name."""
    sql, params = _compiled((connection or default_connection).alias, inactive, duplicate_index)
    return sql, list(params)


@lru_cache(maxsize=32)
def _compiled(alias: str, inactive: bool, duplicate_index: bool) -> tuple[str, tuple[Any, ...]]:
    query = (
        apps.get_model("meetings", "Meeting")
        .objects.using(alias)
        .filter(*conditions(inactive=inactive, duplicate_index=duplicate_index))
        .query
    )
    sql, params = query.get_compiler(alias).compile(query.where)
    return sql, tuple(params)
