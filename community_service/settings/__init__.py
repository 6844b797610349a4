"""Settings room: everything read from the environment (12-factor), one module per concern.

DJANGO_SETTINGS_MODULE=community_service.settings assembles the modules below in this
order; a module that needs another's value imports it by name from that module, never
through this package. Variable names follow the specification (seed 000): APP_NAME,
DEBUG, WORKERS_COUNT, DATABASE_URL, DB_POOL_SIZE, DB_POOL_RECYCLE, REDIS_URL,
CACHE_DEFAULT_TTL, CACHE_ANALYTICS_TTL, JWT_SECRET_KEY, JWT_ALGORITHM, EVENT_BROKER_TYPE,
KAFKA_BOOTSTRAP_SERVERS, RABBITMQ_URL, S3_*. Each variable is documented where it is read,
and every one is listed in .env.example (tests/platform/test_configuration.py checks both
ways). The test settings are settings/test.py (community_service.settings_test imports it).

- core: the environment file, identity, secrets, hosts, apps, middleware, i18n, security
- database: PostgreSQL, its pool and the read replica
- cache: Redis (or files, or memory) and its breaker
- auth: passwords, JWT, login throttling, password reset, email change, mail
- api: CORS, proxies, DRF, the OpenAPI schema, Idempotency-Key
- events: the domain-event broker and the outbox
- notifications: mentions, fan-out batches, notification mail
- domain: the apps' tunable business rules
- billing: payment providers and webhooks
- grpc: the internal gRPC API
- webhooks: outbound webhooks (SSRF guard, retries, signing)
- search: the default search language
- media: uploads, signed URLs, static files
- background: Celery and the beat schedule
- observability: /metrics and logging
"""

# In the order above (core first), not alphabetical.
# ruff: noqa: I001
from community_service.settings.core import *  # noqa: F403
from community_service.settings.database import *  # noqa: F403
from community_service.settings.cache import *  # noqa: F403
from community_service.settings.auth import *  # noqa: F403
from community_service.settings.api import *  # noqa: F403
from community_service.settings.events import *  # noqa: F403
from community_service.settings.notifications import *  # noqa: F403
from community_service.settings.domain import *  # noqa: F403
from community_service.settings.billing import *  # noqa: F403
from community_service.settings.grpc import *  # noqa: F403
from community_service.settings.webhooks import *  # noqa: F403
from community_service.settings.search import *  # noqa: F403
from community_service.settings.media import *  # noqa: F403
from community_service.settings.background import *  # noqa: F403
from community_service.settings.observability import *  # noqa: F403
