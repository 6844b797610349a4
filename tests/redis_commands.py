"""Which Redis commands a piece of code sends: round trips are the cost of a cache hit."""

from collections.abc import Callable
from typing import Any

import redis


def redis_commands(monkeypatch: Any, call: Callable[[], object]) -> list[str]:
    """The commands (EVALSHA, GET, ...) `call()` sends to Redis, in order, one per round trip
    (the client pipelines nothing here)."""
    sent: list[str] = []
    real = redis.Redis.execute_command

    def counting(self: redis.Redis, *args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return real(self, *args, **options)

    with monkeypatch.context() as patched:
        patched.setattr(redis.Redis, "execute_command", counting)
        call()
    return sent
