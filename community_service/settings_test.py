"""Test settings: production settings (DEBUG=false) pointed at this machine's services.

Every value can still be overridden from the environment (e.g. DATABASE_URL in CI).
It sits beside the settings package, not in it: importing community_service.settings.test
would run the package's __init__ (every setting) before this file could set the environment.
"""

import os

_TEST_ENV = {
    # Neither a developer's .env nor a running `make run`'s var/dev.env leaks into the tests.
    "ENV_FILE": "none",
    "DEBUG": "false",
    "SECRET_KEY": "test-secret-key-not-for-production-0123456789",
    "JWT_SECRET_KEY": "test-jwt-secret-key-not-for-production-0123456789",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/community_service",
    # Threaded concurrency tests need one real connection per thread, not a shared pool.
    "DB_POOL_ENABLED": "false",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "SECURE_SSL_REDIRECT": "false",
    "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
    "THROTTLE_ANON_RATE": "100000/min",
    "THROTTLE_USER_RATE": "100000/min",
    "THROTTLE_AUTH_RATE": "100000/min",
    "EVENT_BROKER_TYPE": "log",
    "MEDIA_ROOT": "/tmp/community-service-test-media",
    "THROTTLE_API_KEY_RATE": "100000/min",
    # Webhook tests deliver to a real HTTP listener on loopback.
    "WEBHOOK_ALLOW_HTTP": "true",
    "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
    # Two callers: `test-suite` (every method, acts for users) and `indexer` (reads posts, as
    # itself); their secrets are in tests/grpc_api/conftest.py.
    "GRPC_CREDENTIALS_FILE": os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                          "tests", "grpc_api", "credentials.json"),
}
for _key, _value in _TEST_ENV.items():
    os.environ.setdefault(_key, _value)

from community_service.settings import *  # noqa: E402,F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
