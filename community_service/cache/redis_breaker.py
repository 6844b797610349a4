"""A circuit breaker in front of Redis, so a dead Redis costs a request almost nothing.

Redis is an optimisation (cache, throttle counters, view buffers): when it is down every
request must still be served from PostgreSQL, and quickly. Without a breaker each cache
call would try to connect again and log a traceback; a request makes several of them.

With it, the first failure to connect, send or read trips the breaker for this process:
for REDIS_BREAKER_SECONDS every Redis call fails at once with BreakerOpen (no socket, no
log line), which django-redis's IGNORE_EXCEPTIONS turns into a cache miss. Then the next
call tries Redis again: success closes the breaker, another failure trips it again. The
cost of an outage is one connect timeout (REDIS_CONNECT_TIMEOUT) per process per window.

Home-made, though pybreaker is pinned (billing/providers/breaker.py wraps one provider
call with it), because Redis's breaker sits on the hot path and inside redis-py, where
pybreaker's model of one wrapped call does not fit:
- cost: every Redis round trip (a detail hit is one) passes the check. Measured in process
  (timeit, this VM): `breaker.check()` 0.03 µs; `CircuitBreaker.call` 1.3 µs, and it runs
  the call under the breaker's RLock, which would serialise a process's Redis I/O across
  threads; `calling()`, outside the lock, 3.4 µs. Twice per round trip (send, read).
- semantics: a round trip is three hooks (connect, send, read), not one callable: a send
  that succeeds before a read that times out must not count as pybreaker's half-open
  success, so only a fresh connection closes this breaker; and skipping must raise a
  redis ConnectionError (BreakerOpen) that django-redis's IGNORE_EXCEPTIONS and the
  throttle already treat as an outage, where pybreaker raises its CircuitBreakerError.
"""

import logging
import time
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings

logger = logging.getLogger("community_service.cache")


class BreakerOpen(redis.ConnectionError):
    """Redis was not tried: it failed moments ago (a redis ConnectionError, so callers that
    already survive an outage survive this too)."""


class _Breaker:
    def __init__(self) -> None:
        self.open_until = 0.0

    def check(self) -> None:
        if self.open_until and time.monotonic() < self.open_until:
            raise BreakerOpen("Redis skipped: it failed less than REDIS_BREAKER_SECONDS ago")

    def trip(self, error: BaseException) -> None:
        was_closed = not self.open_until
        self.open_until = time.monotonic() + settings.REDIS_BREAKER_SECONDS
        if was_closed:  # one line per outage, not one per request
            logger.warning("Redis unreachable; serving without it for %s s at a time",
                           settings.REDIS_BREAKER_SECONDS, extra={"error": f"{error.__class__.__name__}: {error}"})

    def close(self) -> None:
        if self.open_until:
            self.open_until = 0.0
            logger.warning("Redis reachable again")

    @property
    def is_open(self) -> bool:
        return bool(self.open_until) and time.monotonic() < self.open_until


breaker = _Breaker()
_FAILURES = (redis.ConnectionError, redis.TimeoutError, OSError)


# The mixin's super() is the redis-py connection class it is mixed into.
if TYPE_CHECKING:
    _ConnectionBase = redis.connection.AbstractConnection
else:
    _ConnectionBase = object


class _BreakerMixin(_ConnectionBase):
    """For redis-py connections: no network while the breaker is open; failures trip it."""

    def connect(self, *args: Any, **kwargs: Any) -> None:
        reconnecting = self._sock is None
        if reconnecting:
            breaker.check()
        try:
            super().connect(*args, **kwargs)
        except BreakerOpen:
            raise
        except _FAILURES as error:
            breaker.trip(error)
            raise
        if reconnecting:  # a fresh connection succeeded: Redis is back
            breaker.close()

    def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        breaker.check()  # an open pooled socket may lead to a hung server: skip it too
        try:
            super().send_packed_command(*args, **kwargs)
        except BreakerOpen:
            raise
        except _FAILURES as error:
            breaker.trip(error)
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().read_response(*args, **kwargs)
        except _FAILURES as error:
            breaker.trip(error)
            raise


class BreakerConnection(_BreakerMixin, redis.Connection):
    pass


class BreakerSSLConnection(_BreakerMixin, redis.SSLConnection):
    pass


class BreakerUnixDomainSocketConnection(_BreakerMixin, redis.UnixDomainSocketConnection):
    pass


_WITH_BREAKER = {
    redis.Connection: BreakerConnection,
    redis.SSLConnection: BreakerSSLConnection,
    redis.UnixDomainSocketConnection: BreakerUnixDomainSocketConnection,
}


class BreakerConnectionPool(redis.ConnectionPool):
    """django-redis's CONNECTION_POOL_CLASS: the usual pool, its connections behind the breaker."""

    def __init__(self, connection_class: type = redis.Connection, **kwargs: Any) -> None:
        super().__init__(connection_class=_WITH_BREAKER.get(connection_class, connection_class), **kwargs)


class SkipBreakerNoise(logging.Filter):
    """Drops django-redis's per-call "Exception ignored" tracebacks while the breaker is open
    (the trip already logged the outage once)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(getattr(error, "__cause__", None), BreakerOpen)
