"""Cache-aside helpers over Django's cache (Redis in production).

Redis is an optimisation, never a dependency: django-redis is configured to swallow and
log connection errors, so a miss and an outage look the same here and callers fall
back to PostgreSQL. List caches use a version token instead of pattern deletes: a write
bumps the version and every old list key simply stops being read (and expires).
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

from community_service.metrics import cache_observe

T = TypeVar("T")
_MISS = object()


def cache_get_or_set(key: str, compute: Callable[[], T], *, ttl: int,
                     valid: Callable[[object], bool] | None = None) -> T:
    """The cached value, or `compute()` stored for `ttl` seconds. A value `valid` rejects
    (e.g. one an older release stored in another shape) counts as a miss."""
    value = cache.get(key, _MISS)
    if value is not _MISS and valid is not None and not valid(value):
        value = _MISS
    cache_observe(key, hit=value is not _MISS)
    if value is not _MISS:
        return value
    value = compute()
    cache.set(key, value, ttl)
    return value


def cache_delete(*keys: str) -> None:
    cache.delete_many(list(keys))


def cache_version(namespace: str) -> str | None:
    """The current version token of a namespace, or None if the cache is unreachable."""
    key = f"{namespace}:version"
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key)
    return version


def cache_bump_version(namespace: str) -> None:
    cache.set(f"{namespace}:version", uuid.uuid4().hex, None)


def invalidate_around_commit(drop: Callable[[], None]) -> None:
    """Run a cache invalidation now and again after the transaction commits.

    Now: the writer's own later reads in this transaction see fresh data. After commit: a
    concurrent reader that re-cached the pre-commit row in between is corrected. A
    rollback leaves at worst a needless miss.
    """
    drop()
    transaction.on_commit(drop)
