"""Run calls at once from threads, each on its own PostgreSQL connection (real concurrency)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connection

T = TypeVar("T")

# Each thread holds a connection: stay well inside max_connections, which other test
# sessions on the same server share.
MAX_THREADS = 40


def run_concurrently(calls: list[Callable[[], T]], *, max_threads: int = MAX_THREADS) -> list[T]:
    """Results in the order of `calls`. Use in `django_db(transaction=True)` tests."""

    def run(call: Callable[[], T]) -> T:
        try:
            return call()
        finally:
            connection.close()  # give this thread's connection back

    with ThreadPoolExecutor(max_workers=min(len(calls), max_threads)) as pool:
        return list(pool.map(run, calls))
