"""Cache settings: Redis through django-redis; files under `make run`, else local memory."""

from community_service.settings.core import env

REDIS_URL = env.str("REDIS_URL", default="")
CACHE_DEFAULT_TTL = env.int("CACHE_DEFAULT_TTL", default=300)
CACHE_ANALYTICS_TTL = env.int("CACHE_ANALYTICS_TTL", default=600)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": CACHE_DEFAULT_TTL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=""),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # Redis is an optimisation, not a dependency: when it is down, reads miss,
                # writes are skipped, and the error is logged instead of raised.
                "IGNORE_EXCEPTIONS": True,
                # A healthy Redis answers in a millisecond: wait little for a dead one, and after
                # a failure skip it for REDIS_BREAKER_SECONDS (community_service/cache/redis_breaker.py).
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.2),
                "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
                "CONNECTION_POOL_CLASS": "community_service.cache.redis_breaker.BreakerConnectionPool",
            },
        }
    }
elif CACHE_DIR := env.str("CACHE_DIR", default=""):
    # Without Redis, files one machine's processes share: `make run` sets var/cache, so a
    # command in a second terminal (rebuild_analytics, a breaker reset) reaches the server's cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_DIR,
            "TIMEOUT": CACHE_DEFAULT_TTL,
        }
    }
else:
    # One process's memory: nothing else sees it (a lone process, a test).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": CACHE_DEFAULT_TTL,
        }
    }
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "community_service.cache"
REDIS_BREAKER_SECONDS = env.float("REDIS_BREAKER_SECONDS", default=5.0)
