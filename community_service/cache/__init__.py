"""Cache room: Redis as an optimisation, never a dependency.

Owns the cache-aside helpers and version-token invalidation every app uses (aside.py),
hot one-row reads compiled once per process (compiled_reads.py) and the circuit breaker
that skips a dead Redis (redis_breaker.py, the cache's CONNECTION_POOL_CLASS). Above
observability (cache hits and misses are counted) and settings; below the HTTP layer.
"""
