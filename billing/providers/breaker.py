"""The circuit breaker around provider calls (seed 003), shared by every process of a deployment.

pybreaker's CircuitRedisStorage keeps the state, the failure count and the opening time
in Redis, so when one worker sees the provider fail BILLING_BREAKER_FAIL_MAX times in a
row, every worker stops calling it for BILLING_BREAKER_RESET_SECONDS; then one trial call
(half-open) closes it again or re-opens it. Without Redis the state is in Django's cache
(breaker_storage.py): under `make run` the file cache in CACHE_DIR, which the server and
`manage.py reset_payment_breaker` in another terminal share. A declined card is an answer,
not a failure: only ProviderUnavailable (and any other exception from the call) counts.
"""

import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pybreaker
import redis
from django.conf import settings

from billing.providers.base import ProviderUnavailable
from billing.providers.breaker_storage import CircuitCacheStorage
from community_service.exceptions import ServiceUnavailable

logger = logging.getLogger("billing.breaker")
T = TypeVar("T")

_breakers: dict[tuple, pybreaker.CircuitBreaker] = {}
_retry_redis_at: dict[tuple, float] = {}
REDIS_RETRY_SECONDS = 30.0


class _LogListener(pybreaker.CircuitBreakerListener):
    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: object, new_state: object) -> None:
        logger.warning("payment provider breaker %s", getattr(new_state, "name", new_state),
                       extra={"provider": cb.name})


def _storage(name: str) -> tuple[pybreaker.CircuitBreakerStorage, bool]:
    if not settings.REDIS_URL:
        return CircuitCacheStorage(pybreaker.STATE_CLOSED, namespace=f"billing:breaker:{name}"), True
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
    namespace = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:billing:breaker:{name}"
    try:
        # fallback_circuit_state: while Redis itself is down, try the provider rather than refuse every payment.
        return pybreaker.CircuitRedisStorage(pybreaker.STATE_CLOSED, client, namespace=namespace), True
    except redis.RedisError:
        logger.exception("breaker state storage unreachable; using per-process state for now")
        return pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED), False


def breaker_for(name: str) -> pybreaker.CircuitBreaker:
    key = (name, settings.BILLING_BREAKER_FAIL_MAX, settings.BILLING_BREAKER_RESET_SECONDS, settings.REDIS_URL)
    breaker = _breakers.get(key)
    if breaker is not None and time.monotonic() < _retry_redis_at.get(key, math.inf):
        return breaker
    storage, durable = _storage(name)
    breaker = pybreaker.CircuitBreaker(
        fail_max=settings.BILLING_BREAKER_FAIL_MAX, reset_timeout=settings.BILLING_BREAKER_RESET_SECONDS,
        state_storage=storage, name=name, listeners=[_LogListener()],
    )
    _breakers[key] = breaker
    # A per-process fallback is used for a while, then Redis is tried again.
    _retry_redis_at[key] = math.inf if durable else time.monotonic() + REDIS_RETRY_SECONDS
    return breaker


def breaker_retry_after(name: str) -> int | None:
    """Seconds until the breaker lets a trial call through, or None when calls may go now."""
    breaker = breaker_for(name)
    if breaker.current_state != pybreaker.STATE_OPEN:
        return None
    opened_at = breaker._state_storage.opened_at  # pybreaker keeps it in the storage, not on the breaker
    if opened_at is None:
        return None
    left = (opened_at + timedelta(seconds=breaker.reset_timeout) - datetime.now(UTC)).total_seconds()
    return math.ceil(left) if left > 0 else None


def breaker_reset(name: str) -> str:
    """Close the breaker by hand (ops, tests) for every process that shares its storage;
    return the state it was in."""
    breaker = breaker_for(name)
    was = breaker.current_state
    breaker.close()
    return was


def _unavailable(name: str) -> ServiceUnavailable:
    retry_after = breaker_retry_after(name) or settings.BILLING_BREAKER_RESET_SECONDS
    return ServiceUnavailable("Payments are temporarily unavailable; nothing was charged. Retry later.",
                              code="payments_unavailable", retry_after=max(int(retry_after), 1))


def breaker_require_closed(name: str) -> None:
    """Refuse at once (503, Retry-After) while the breaker is open, before anything is written."""
    if breaker_retry_after(name) is not None:
        raise _unavailable(name)


def breaker_call(name: str, call: Callable[[], T]) -> T:
    """Run one provider call through the breaker. Raises ServiceUnavailable (503) when the
    breaker is open or the provider is unavailable; the call's own result otherwise."""
    breaker = breaker_for(name)
    try:
        # `calling()` runs the body outside pybreaker's lock, so payments are not serialised per process.
        with breaker.calling():
            return call()
    except (pybreaker.CircuitBreakerError, ProviderUnavailable) as exc:
        logger.warning("payment provider call failed", extra={"provider": name, "error": str(exc)})
        raise _unavailable(name) from exc
