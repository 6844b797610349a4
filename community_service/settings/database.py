"""Database settings (PostgreSQL only): the connection, its pool, prepared statements and the replica."""

from django.core.exceptions import ImproperlyConfigured

from community_service.settings.core import DEBUG, env

DATABASE_URL = env.str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/community_service")
DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=20)
# The seed's overflow: connections a process may open above DB_POOL_SIZE under a burst.
DB_MAX_OVERFLOW = env.int("DB_MAX_OVERFLOW", default=10)
DB_POOL_RECYCLE = env.int("DB_POOL_RECYCLE", default=3600)
# A pool is per process; 0 disables it (Django then opens a connection per request,
# which the threaded concurrency tests need: each thread gets its own connection).
DB_POOL_ENABLED = env.bool("DB_POOL_ENABLED", default=not DEBUG)
if not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL is required: postgres://USER:PASSWORD@HOST:5432/NAME.")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...).")
# Django's backend with psycopg's C loader for timestamps (community_service/db/postgresql/base.py).
DATABASES["default"]["ENGINE"] = "community_service.db.postgresql"
DATABASES["default"].setdefault("OPTIONS", {})
if DB_POOL_ENABLED:
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE + DB_MAX_OVERFLOW,
        "max_lifetime": DB_POOL_RECYCLE,
        "timeout": 10,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
# Hot reads by key (community_service/cache/compiled_reads.py) are prepared statements of each pooled
# or kept connection, from their second run there (1: preparing costs a round trip of its own).
# Django turns psycopg's prepared statements off (None) for poolers such as PgBouncer before
# 1.21 in transaction mode: set DB_PREPARED_STATEMENTS=false there. The ORM's own queries use
# client-side binding and are never prepared either way.
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 1 if DB_PREPARED_STATEMENTS else None
# Read replica (off by default): read-only selectors read there (community_service/db/router.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        # Tests read the primary under the replica's name (one test database).
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["community_service.db.router.ReplicaRouter"]
