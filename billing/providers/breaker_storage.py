"""pybreaker's state storage on Django's cache, for deployments without Redis.

Under `make run` without REDIS_URL the default cache is the file cache in CACHE_DIR that the
server and every `manage.py` in a second terminal share, so a breaker opened by the server is
seen by `manage.py reset_payment_breaker`, and the reset is seen by the server. With the
local-memory cache (no Redis, no CACHE_DIR) it is one process's state, as pybreaker's own
CircuitMemoryStorage would be.

What the cache can promise (docs/billing.md, "Circuit breaker"):
- Each key is written whole (the file cache writes a temporary file and renames it), so a
  reader never sees half a value.
- Counters use the backend's atomic `incr` where it has one (local memory, Redis). The file
  cache has none: two processes failing at the same moment may both write n + 1 (last writer
  wins), so the breaker can open one failure late; it still opens.
- State and opening time are plain writes, last writer wins; pybreaker's own transitions
  (open on the n-th failure, half-open after the timeout) are the same whichever process wins.
- The keys never expire, but a cache can still lose them (`cache.clear()`, the file cache
  culling past MAX_ENTRIES): a missing state reads as closed, as pybreaker's Redis storage
  falls back to closed, so the provider is tried rather than every payment refused.
"""

from datetime import UTC, datetime

import pybreaker
from django.core.cache import BaseCache, caches


class CircuitCacheStorage(pybreaker.CircuitBreakerStorage):
    """A breaker's state, failure and success counters and opening time in a Django cache."""

    def __init__(self, state: str, *, namespace: str, alias: str = "default") -> None:
        super().__init__("django-cache")
        self._alias = alias
        self._namespace = namespace
        # add(): a process starting up must not close a breaker another process opened.
        self._cache.add(self._key("state"), state, timeout=None)

    @property
    def _cache(self) -> BaseCache:
        # Looked up on each use: Django's cache connections are per thread.
        return caches[self._alias]

    def _key(self, name: str) -> str:
        return f"{self._namespace}:{name}"

    def _increment(self, name: str) -> None:
        key, cache = self._key(name), self._cache
        if type(cache).incr is BaseCache.incr:
            # No atomic increment in this backend (the file cache): read, add one, write; last writer wins.
            cache.set(key, (cache.get(key) or 0) + 1, timeout=None)
            return
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or lost): the first failure
            if not cache.add(key, 1, timeout=None):
                cache.incr(key)

    @property
    def state(self) -> str:
        return self._cache.get(self._key("state")) or pybreaker.STATE_CLOSED

    @state.setter
    def state(self, state: str) -> None:
        self._cache.set(self._key("state"), state, timeout=None)

    def increment_counter(self) -> None:
        self._increment("fail_counter")

    def reset_counter(self) -> None:
        self._cache.set(self._key("fail_counter"), 0, timeout=None)

    def increment_success_counter(self) -> None:
        self._increment("success_counter")

    def reset_success_counter(self) -> None:
        self._cache.set(self._key("success_counter"), 0, timeout=None)

    @property
    def counter(self) -> int:
        return int(self._cache.get(self._key("fail_counter")) or 0)

    @property
    def success_counter(self) -> int:
        return int(self._cache.get(self._key("success_counter")) or 0)

    @property
    def opened_at(self) -> datetime | None:
        timestamp = self._cache.get(self._key("opened_at"))
        return datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else None

    @opened_at.setter
    def opened_at(self, now: datetime) -> None:
        # Only forward, as pybreaker's Redis storage does: a late writer with an older clock
        # must not shorten the wait another process started. Not atomic here (see above).
        key, timestamp = self._key("opened_at"), now.timestamp()
        current = self._cache.get(key)
        if current is None or timestamp > current:
            self._cache.set(key, timestamp, timeout=None)
