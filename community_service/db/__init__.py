"""Database room: how the service talks to PostgreSQL beyond plain ORM calls.

Owns transactions under contention (`transactions.atomic_with_retry`, the lock order
helpers), the read-replica router (router.py, DATABASE_ROUTERS), the PostgreSQL backend
(postgresql/, the ENGINE of every database), migration operations the apps' migrations
use (migration_ops.py) and the denormalised-counter recount (counters.py). It imports only
settings and the domain errors (community_service.exceptions).
"""
