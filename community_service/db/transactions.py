"""Transactions under contention: row locks in the documented order, and bounded retries.

Every service takes its row locks in one order (docs/architecture.md, "Lock order"), so two
writes on the same rows queue instead of deadlocking. PostgreSQL can still abort a
transaction with a deadlock (40P01: two locks taken out of order somewhere, or implicitly)
or a serialization failure (40001: a lost write race under REPEATABLE READ/SERIALIZABLE).
Either leaves nothing behind, so the whole use case can simply run again:
`atomic_with_retry` does that a bounded number of times, with jittered backoff, and then
raises `WriteContention` (503 with Retry-After), never a 500.
"""

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar, overload

import psycopg
from django.db import OperationalError, connection, models, transaction

from community_service.exceptions import WriteContention

logger = logging.getLogger("community_service.db")

P = ParamSpec("P")
R = TypeVar("R")

# SQLSTATEs after which the whole transaction can run again.
RETRYABLE_SQLSTATES = {"40P01": "deadlock_detected", "40001": "serialization_failure"}
# SQLSTATEs of a database that is gone or going (a restart, a failover): class 08 (connection
# exception), admin/crash shutdown, and "cannot connect now" while it starts up.
UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03")
ATTEMPTS = 4  # one run and three retries
BACKOFF_BASE = 0.01  # seconds; the cap of the n-th wait doubles: 10, 20, 40 ms ...
BACKOFF_CAP = 0.2


def transient_sqlstate(exc: BaseException | None) -> str | None:
    """The SQLSTATE of a deadlock or serialization failure behind `exc` (Django wraps the
    driver's error, so the causes are walked), else None."""
    seen = 0
    while exc is not None and seen < 5:
        state = getattr(exc, "sqlstate", None)
        if state in RETRYABLE_SQLSTATES:
            return state
        exc, seen = exc.__cause__, seen + 1
    return None


def database_unavailable(exc: BaseException | None) -> bool:
    """True if `exc` says the database could not be reached or dropped the connection (it is
    restarting or down), as opposed to refusing this statement. psycopg reports a failed
    connection, a closed socket and the pool's timeout without a SQLSTATE."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            state = exc.sqlstate
            return state is None or state.startswith("08") or state in UNAVAILABLE_SQLSTATES
        exc, seen = exc.__cause__, seen + 1
    return False


def _backoff(attempt: int) -> float:
    """Full jitter: a random wait up to a cap that doubles per attempt, so the two sides of a
    deadlock do not come back in lockstep."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))


@overload
def atomic_with_retry(func: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def atomic_with_retry(*, attempts: int | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def atomic_with_retry(func: Callable[P, R] | None = None, /, *, attempts: int | None = None) -> Any:
    """`transaction.atomic` for a service, which runs the service again after a deadlock or
    serialization failure, up to `attempts` runs in all (default ATTEMPTS, read at call
    time), then raises WriteContention.

    Only the outermost transaction retries: inside another one (a service called by a
    service) the error aborts the caller's transaction too, so it propagates to the
    caller's own retry. The decorated function must be safe to run again: it re-reads the
    rows it locks and does not mutate its arguments (copy a `data` dict before popping).
    """

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            if connection.in_atomic_block:
                with transaction.atomic():
                    return service(*args, **kwargs)
            runs = attempts or ATTEMPTS
            for attempt in range(1, runs + 1):
                try:
                    with transaction.atomic():
                        return service(*args, **kwargs)
                except OperationalError as exc:
                    state = transient_sqlstate(exc)
                    if state is None:
                        raise
                    context = {"service": service.__qualname__, "attempt": attempt, "attempts": runs,
                               "sqlstate": state, "error": RETRYABLE_SQLSTATES[state]}
                    if attempt == runs:
                        logger.warning("transaction gave up under write contention", extra=context)
                        raise WriteContention() from exc
                    logger.info("transaction retried after write contention", extra=context)
                    time.sleep(_backoff(attempt))
            raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

        return run

    return decorate(func) if func is not None else decorate


def lock_rows(queryset: "models.QuerySet[Any]") -> list[Any]:
    """Lock the rows of `queryset` FOR NO KEY UPDATE in primary-key order; return their pks.

    NO KEY UPDATE is the lock a counter UPDATE takes; unlike FOR UPDATE it does not block
    the KEY SHARE lock that PostgreSQL's foreign-key check takes on a parent row when a
    child row (a post under a community, a comment under a post) is inserted.
    """
    return list(queryset.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))


def lock_key_share(model: type[models.Model], pks: Iterable[Any]) -> set[Any]:
    """Take FOR KEY SHARE on rows a new row will reference; return the pks that still exist.

    It is the lock the foreign-key check would take at commit, taken now: a concurrent
    delete of the parent either finished first (the pk is missing from the result) or
    waits for this transaction and then sees the new child (and cascades to it).
    """
    wanted = sorted({pk for pk in pks if pk is not None}, key=str)
    if not wanted:
        return set()
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column or "")  # a concrete model's pk has its column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {column} = ANY(%s) ORDER BY {column} FOR KEY SHARE", [wanted]
        )
        return {row[0] for row in cursor.fetchall()}
