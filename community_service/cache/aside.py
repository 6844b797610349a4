"""Cache-aside helpers over Django's cache (Redis in production).

Redis is an optimisation, never a dependency: django-redis is configured to swallow and
log connection errors, so a miss and an outage look the same here and callers fall
back to PostgreSQL. List caches use a version token instead of pattern deletes: a write
bumps the version and every old list key simply stops being read (and expires).
"""

import uuid
from collections.abc import Callable
from typing import TypeVar, cast

from django.core.cache import cache
from django.db import transaction

from community_service.observability.metrics import cache_observe

T = TypeVar("T")
_MISS = object()


def cache_get_or_set(key: str, compute: Callable[[], T], *, ttl: int,
                     valid: Callable[[object], bool] | None = None, prefetched: dict | None = None,
                     only_if_absent: bool = False) -> T:
    """The cached value, or `compute()` stored for `ttl` seconds. A value `valid` rejects
    (e.g. one an older release stored in another shape) counts as a miss. `prefetched` is the
    request's raw values already read with its throttle (community_service/api/throttling.py).
    `only_if_absent`: store the computed value only where no value is (for keys whose writers
    store the committed value after commit, so a reader's older copy never replaces it)."""
    value = _read(key, prefetched)
    if value is not _MISS and valid is not None and not valid(value):
        value = _MISS
    cache_observe(key, hit=value is not _MISS)
    if value is not _MISS:
        return cast(T, value)
    computed = compute()
    (cache.add if only_if_absent else cache.set)(key, computed, ttl)
    return computed


def _read(key: str, prefetched: dict | None) -> object:
    if prefetched is None or key not in prefetched:
        return cache.get(key, _MISS)
    raw = prefetched.pop(key)  # once: a later read in the request goes to Redis again
    return _MISS if raw is None else cache.client.decode(raw)  # type: ignore[attr-defined]  # django-redis


def request_prefetched(request: object) -> dict | None:
    """The raw cache values read with this request's throttle, if any (a DRF or Django request)."""
    return getattr(getattr(request, "_request", request), "cache_prefetch", None)


def cache_delete(*keys: str) -> None:
    cache.delete_many(list(keys))


def cache_version_key(namespace: str) -> str:
    return f"{namespace}:version"


def cache_version(namespace: str, *, prefetched: dict | None = None) -> str | None:
    """The current version token of a namespace, or None if the cache is unreachable."""
    key = cache_version_key(namespace)
    version = _read(key, prefetched)
    if version is _MISS:
        version = None
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key)
    return cast(str | None, version)


def cache_bump_version(namespace: str) -> None:
    cache.set(cache_version_key(namespace), uuid.uuid4().hex, None)


def invalidate_around_commit(drop: Callable[[], object]) -> None:
    """Run a cache invalidation now and again after the transaction commits.

    Now: the writer's own later reads in this transaction see fresh data. After commit: a
    concurrent reader that re-cached the pre-commit row in between is corrected. A
    rollback leaves at worst a needless miss.
    """
    drop()
    transaction.on_commit(drop)
