"""Past one machine: the finder's public reads go to PostgreSQL read replicas, everything else to
the primary (see docs/deploy.md).

``DATABASE_REPLICA_URLS`` (comma-separated) adds the replicas as the aliases ``replica1``,
``replica2`` ... Only processes that serve the web (``commonground.wsgi``) read from them; the
CLI's imports, syncs and publishing always read the primary, because they write what they read.

What a web worker reads from a replica, and why that is safe:

- only the public finder data: meetings, sources, the data version, the catalog;
- never the private data (the companion, the peer workspace), sessions, accounts or the audit:
  a person who just saved a check-in must see it, and replication lag must never hide it;
- never inside a transaction on the primary, such as an admin edit: that reads its own writes;
- one replica per process, chosen once, so the data version a worker reads and the meetings it
  then shows come from the same copy.

Writes always go to the primary, and only the primary is migrated.
"""

from __future__ import annotations

import os
import random

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# The apps whose tables hold public, re-derivable data: a replica a second behind is harmless.
PUBLIC_APPS = frozenset({"meetings", "catalog"})

_enabled = False
_chosen: str | None = None


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def use_replicas(enabled: bool = True) -> None:
    """Let this process read public data from a replica (web serving), or stop it (tests)."""
    global _enabled, _chosen
    _enabled, _chosen = enabled, None


def _replica() -> str | None:
    global _chosen
    if _chosen is None:
        aliases = replica_aliases()
        if aliases:
            # One per process; the pid spreads a node's workers over the replicas.
            _chosen = aliases[(os.getpid() + random.randrange(len(aliases))) % len(aliases)]
    return _chosen


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _enabled or model._meta.app_label not in PUBLIC_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a transaction that writes reads what it wrote
        return _replica() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS
