"""Failed logins counted per account, so rotating client addresses buys no extra guesses.

The per-address throttle (THROTTLE_AUTH_RATE) stops one client; this stops many clients
aiming at one account. The count lives in the shared cache in fixed windows of
LOGIN_FAILURE_WINDOW_SECONDS: after LOGIN_FAILURE_LIMIT failures the account refuses logins
until the window ends. A stranger can therefore keep someone out for at most one window
(5 minutes by default), never for good, and tokens already issued keep working. With the
cache unreachable nothing is counted (like the throttles): logins still work.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled


def _window() -> tuple[str, float]:
    """The current window's key suffix and the seconds left in it."""
    length = settings.LOGIN_FAILURE_WINDOW_SECONDS
    now = time.time()
    return str(int(now // length)), length - now % length


def _key(email: str, window: str) -> str:
    # Hashed: the key names no address, and any string the client sends is a safe key.
    digest = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    return f"login-failures:{digest}:{window}"


def login_attempt_check(*, email: str) -> None:
    """Raise Throttled (429 with Retry-After) while the account is over its failure budget."""
    window, left = _window()
    failures = cache.get(_key(email, window)) or 0
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        raise Throttled(
            wait=math.ceil(left),
            detail=f"Too many failed logins for this account; try again in {math.ceil(left)} seconds.",
        )


def login_failure_record(*, email: str) -> None:
    window, left = _window()
    key = _key(email, window)
    cache.add(key, 0, math.ceil(left) + 1)
    try:
        cache.incr(key)
    except ValueError:  # the window expired between add and incr: the next window starts at zero
        pass


def login_failures_clear(*, email: str) -> None:
    """A correct password ends the run of failures (only its owner can send one)."""
    window, _ = _window()
    cache.delete(_key(email, window))
