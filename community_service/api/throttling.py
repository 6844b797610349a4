"""Rate limits in one Redis round trip per request, whatever the rate.

DRF's AnonRateThrottle and UserRateThrottle each keep a pickled list of every request in
the window and GET and SET it: two round trips per class, both classes on every request,
work that grows with the rate and a race between the GET and the SET (two concurrent
requests both see room). Here one throttle class decides every scope that applies to a
request in a single Lua script (atomic in Redis, so exact under concurrency):

- `anon` for anonymous callers (keyed by client address, X-Forwarded-For believed only as
  far as NUM_PROXIES says: DRF's own `get_ident`), or `user` for authenticated ones (user id),
  never both;
- plus the view's `throttle_scope` (e.g. `auth` on credential endpoints), keyed the same way;
- plus `api_key` (keyed by the key's id) for a request made with a personal API key, which
  thus has a budget of its own inside its owner's.

The algorithm is GCRA (the generic cell rate algorithm): per key Redis stores one number,
the theoretical arrival time (TAT) in microseconds of Redis' own clock. A rate of N per
period P lets a burst of exactly N through from rest, then one request every P/N; a refused
request changes nothing and learns how long to wait (Retry-After). O(1) time and memory.

A request is let through only when every scope allows it; then all of them count it.
A view may name cache keys it is about to read (`cache_prefetch_keys(request)`): the same
script GETs them, so a cache hit costs one Redis round trip in all (see cache_get_or_set).
Redis is an optimisation, not a dependency: when it is unreachable (or the breaker in
community_service/cache/redis_breaker.py is open) requests pass unthrottled. Without Redis at all
(the embedded default cache), the same algorithm runs over Django's cache, not atomically.
"""

import functools
import math
import time
from typing import Any

import redis
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

# KEYS: the n scope keys, then cache keys the view will read (prefetch). ARGV: n, then for
# each scope key its emission interval and burst, in microseconds. Returns
# {1 or 0 (allowed), microseconds to wait, value of each prefetched key (or nil)}.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = tonumber(ARGV[1])
local new = {}
local wait = 0
for i = 1, n do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local next_tat = tat + interval
  if next_tat - now > burst then
    local w = next_tat - now - burst
    if w > wait then wait = w end
  end
  new[i] = next_tat
end
if wait > 0 then return {0, string.format('%.0f', wait)} end
for i = 1, n do
  redis.call('SET', KEYS[i], string.format('%.0f', new[i]), 'PX', math.ceil((new[i] - now) / 1000) + 1)
end
local reply = {1, '0'}
for i = n + 1, #KEYS do
  reply[i - n + 2] = redis.call('GET', KEYS[i])
end
return reply
"""

_MICRO = 1_000_000
_script: Any = None  # the registered script: EVALSHA, and EVAL once per Redis server that lacks it


def _redis_client(backend: Any) -> Any | None:
    """django-redis' raw client of a cache backend, or None when the cache is not Redis."""
    client = getattr(backend, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client else None


@functools.cache
def _gcra_args(rate: str) -> tuple[int, int]:
    """(emission interval, burst) in microseconds for a rate such as "120/min"."""
    num_requests, duration = SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]  # uses no self
    assert num_requests and duration, "scopes() yields only scopes that have a rate"
    interval = math.ceil(duration * _MICRO / num_requests)
    return interval, interval * num_requests


class RateThrottle(SimpleRateThrottle):
    """Every applicable scope of a request, decided in one Redis round trip (see the module).

    Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (DRF's THROTTLE_RATES table)."""

    cache_format = "throttle:%(scope)s:%(ident)s"

    def __init__(self) -> None:  # rates are looked up per scope, per request
        self.wait_seconds: float | None = None

    def scopes(self, request: Request, view: Any) -> list[tuple[str, str]]:
        """The (scope, ident) pairs that apply: anon or user, plus the view's throttle_scope."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident, applicable = str(user.pk), ["user"]
        else:
            ident, applicable = self.get_ident(request), ["anon"]
        view_scope = getattr(view, "throttle_scope", None)
        if view_scope:
            applicable.append(view_scope)
        pairs = [(scope, ident) for scope in applicable if self.THROTTLE_RATES.get(scope)]
        key_id = getattr(getattr(request, "auth", None), "key_id", None)  # members' KeyGrant
        if key_id is not None and self.THROTTLE_RATES.get("api_key"):
            pairs.append(("api_key", str(key_id)))
        return pairs

    def allow_request(self, request: Request, view: Any) -> bool:
        global _script
        self.wait_seconds = None
        if getattr(getattr(request, "_request", None), "throttle_decided", False):
            return True  # a fast path before the view already counted this request (members/views)
        pairs = self.scopes(request, view)
        prefetch = getattr(view, "cache_prefetch_keys", None)
        prefetch_keys = prefetch(request) if prefetch else []
        if not pairs and not prefetch_keys:
            return True
        keys, args = [], [len(pairs)]
        for scope, ident in pairs:
            keys.append(self.cache_format % {"scope": scope, "ident": ident})
            args += _gcra_args(self.THROTTLE_RATES[scope])
        # The cache backend once: each attribute of the `cache` proxy looks it up again.
        backend = caches[DEFAULT_CACHE_ALIAS]
        try:
            client = _redis_client(backend)
            if client is None:
                if not pairs:
                    return True
                allowed, wait_us = _gcra_over_django_cache(keys, args[1:])
            else:
                if _script is None:
                    _script = client.register_script(_GCRA)
                made = [backend.make_key(key) for key in [*keys, *prefetch_keys]]
                allowed, wait_us, *values = _script(keys=made, args=args, client=client)
                if prefetch_keys and int(allowed):
                    # The view's cache reads, answered by the same round trip (cache_get_or_set).
                    request._request.cache_prefetch = dict(  # type: ignore[attr-defined]  # our own attribute
                        zip(prefetch_keys, values, strict=False))
        except (redis.RedisError, OSError):
            return True  # Redis down: serve unthrottled rather than not at all
        if int(allowed):
            return True
        self.wait_seconds = int(wait_us) / _MICRO
        return False

    def wait(self) -> float | None:
        return self.wait_seconds


def _gcra_over_django_cache(keys: list[str], args: list[int]) -> tuple[int, int]:
    """The script's algorithm over a non-Redis Django cache (local development): not atomic."""
    now = int(time.time() * _MICRO)
    stored = cache.get_many(keys)
    wait, new = 0, {}
    for i, key in enumerate(keys):
        interval, burst = args[2 * i], args[2 * i + 1]
        next_tat = max(stored.get(key) or 0, now) + interval
        wait = max(wait, next_tat - now - burst)
        new[key] = next_tat
    if wait > 0:
        return 0, wait
    for key, tat in new.items():
        cache.set(key, tat, math.ceil((tat - now) / _MICRO) + 1)
    return 1, 0


class ThrottleFirstMixin:
    """Decide the throttle before the permission checks (DRF decides it after them), so its
    one Redis round trip also brings the cache entries those checks read, named by the view's
    `cache_prefetch_keys` (a community's detail entry, its RBAC version). A request a
    permission then refuses has counted against its caller's rate, as a refused login does."""

    def check_permissions(self, request: Request) -> None:
        self.check_throttles(request)  # type: ignore[attr-defined]  # APIView's, next in the MRO
        request._request.throttle_decided = True  # type: ignore[attr-defined]  # read by RateThrottle
        super().check_permissions(request)  # type: ignore[misc]  # APIView's
