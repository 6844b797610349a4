"""Read replica routing: read-only selectors read from DATABASE_REPLICA_URL when it is set.

A selector opts in by building its queryset from `replica_reads(Model.objects)`, which
hints the router; everything else (writes, locks, reads inside a transaction, RBAC
resolution, cached lists) stays on the primary. Replica rows lag the primary by the
replication delay, so only reads that tolerate that (feeds, search) opt in; a read whose
result is cached would keep the lag for the cache's TTL, so cached lists do not.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Manager, Model

REPLICA = "replica"
_HINT = "read_only"


def replica_reads(manager: Manager) -> Manager:
    """`manager`, marked so the router may serve its reads from the replica."""
    # Hints reach the router as given; the stubs expect model instances only.
    return manager.db_manager(hints={_HINT: True})  # type: ignore[dict-item]


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Installed always; without a replica configured it routes nothing."""

    def db_for_read(self, model: type[Model], **hints: object) -> str | None:
        if not hints.get(_HINT) or not replica_configured():
            return None
        # Inside a transaction the caller may read what it just wrote: the primary has it.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        # Even for rows that were read from the replica.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool | None:
        # The replica gets its schema by replication.
        return False if db == REPLICA else None
