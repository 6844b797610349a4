"""Settings, read from the environment (12-factor).

Variable names follow the specification (seed 000): APP_NAME, DEBUG, WORKERS_COUNT,
DATABASE_URL, DB_POOL_SIZE, DB_POOL_RECYCLE, REDIS_URL, CACHE_DEFAULT_TTL,
CACHE_ANALYTICS_TTL, JWT_SECRET_KEY, JWT_ALGORITHM, EVENT_BROKER_TYPE,
KAFKA_BOOTSTRAP_SERVERS, RABBITMQ_URL, S3_*. Every variable is listed in .env.example.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables the environment leaves unset come from one file (the environment always wins):
# - var/dev.env while `make run` serves: it writes DEBUG=true and the DATABASE_URL of its
#   embedded PostgreSQL there and removes the file on exit, so `.venv/bin/python manage.py ...`
#   in a second terminal talks to the same database with the same settings;
# - otherwise .env (production values; see .env.example). `make run` never reads .env.
# ENV_FILE names another file; ENV_FILE=none reads none (the test settings).
DEV_ENV_FILE = BASE_DIR / "var" / "dev.env"
ENV_FILE = env.str("ENV_FILE", default="") or str(DEV_ENV_FILE if DEV_ENV_FILE.exists() else BASE_DIR / ".env")
if ENV_FILE != "none" and Path(ENV_FILE).exists():
    environ.Env.read_env(ENV_FILE, overwrite=False)

APP_NAME = env.str("APP_NAME", default="community-service")
APP_VERSION = env.str("APP_VERSION", default="1.0.0")
DEBUG = env.bool("DEBUG", default=False)
WORKERS_COUNT = env.int("WORKERS_COUNT", default=4)

# --- Secrets -------------------------------------------------------------------------
# Development defaults exist so `make run` and the tests start without a .env file;
# with DEBUG=false the service refuses to start while any of them is still in use.
_DEV_SECRET = "dev-insecure-change-me-this-is-not-a-secret"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
# Rotation: the previous SECRET_KEY still verifies sessions and signed links until removed.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
JWT_SECRET_KEY = env.str("JWT_SECRET_KEY", default=_DEV_SECRET)
JWT_ALGORITHM = env.str("JWT_ALGORITHM", default="HS256")
if not DEBUG:
    for _name, _value in (("SECRET_KEY", SECRET_KEY), ("JWT_SECRET_KEY", JWT_SECRET_KEY)):
        if not _value or _value == _DEV_SECRET or _value == "change-me" or len(_value) < 32:
            raise ImproperlyConfigured(
                f"{_name} must be set to a random value of at least 32 characters when DEBUG=false."
            )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- CORS (django-cors-headers): browser apps on other origins -------------------------
# Exact origins allowed to call the API from a browser, e.g. https://app.example.com; none by
# default. Tokens travel in the Authorization header, never in cookies: credentials stay off.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/(api|health)(/.*)?$"
# Browsers may reuse a preflight answer this long (seconds) instead of asking before each call.
CORS_PREFLIGHT_MAX_AGE = env.int("CORS_PREFLIGHT_MAX_AGE", default=86400)
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "idempotency-key", "if-none-match",
                      "x-request-id"]
CORS_EXPOSE_HEADERS = ["etag", "retry-after", "x-request-id", "x-response-time"]

# --- Applications --------------------------------------------------------------------
INSTALLED_APPS = [
    "community_service.admin_site.ConsoleAdminConfig",  # django.contrib.admin, with the moderators' landing page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "community_service",
    "members",
    "communities",
    "content",
    "events",
    "billing",
    "analytics",
]

MIDDLEWARE = [
    "community_service.api.middleware.RequestContextMiddleware",
    "community_service.observability.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before CommonMiddleware, so a preflight is answered before any redirect or view.
    "corsheaders.middleware.CorsMiddleware",
    # Under /api/ every error is the JSON error body, Django's debug pages included (inside
    # CORS, so a browser app on another origin can read the error it replaces).
    "community_service.api.errors.ApiErrorMiddleware",
    # Anonymous reads of a public community by id: answered from the cache here, before the
    # session/auth middleware, URL resolution and DRF (members/fast_reads.py says what it checks).
    "members.fast_reads.CommunityReadMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "community_service.urls"
WSGI_APPLICATION = "community_service.wsgi.application"
AUTH_USER_MODEL = "members.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database (PostgreSQL only) --------------------------------------------------------
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

# --- Cache (Redis through django-redis; files under `make run`, else local memory) ------
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_DEFAULT_TTL = env.int("CACHE_DEFAULT_TTL", default=300)
CACHE_ANALYTICS_TTL = env.int("CACHE_ANALYTICS_TTL", default=600)
# Analytics dashboards: default and longest `?from=&to=` range (days), and how often beat
# recomputes the recent rollups (seconds).
ANALYTICS_DEFAULT_DAYS = env.int("ANALYTICS_DEFAULT_DAYS", default=30)
ANALYTICS_MAX_DAYS = env.int("ANALYTICS_MAX_DAYS", default=366)
ANALYTICS_ROLLUP_SECONDS = env.float("ANALYTICS_ROLLUP_SECONDS", default=300.0)
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

# --- Auth ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list("PASSWORD_HASHERS", default=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": JWT_ALGORITHM,
    "SIGNING_KEY": JWT_SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # The seed's claim set: sub is the user's UUID.
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_OBTAIN_SERIALIZER": "members.serializers.auth.TokenObtainInputSerializer",
    "TOKEN_REFRESH_SERIALIZER": "members.serializers.auth.TokenRefreshInputSerializer",
}
if SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] > timedelta(minutes=15):
    raise ImproperlyConfigured("JWT_ACCESS_TOKEN_MINUTES must be at most 15.")

# Password reset by email (POST /auth/password-reset): the mail's link is this template, the
# client app's page, given the account's `uid` and a one-use `token` (Django's token generator:
# void once the password changes or the user logs in, or after PASSWORD_RESET_TIMEOUT seconds).
PASSWORD_RESET_URL = env.str("PASSWORD_RESET_URL", default="http://localhost:3000/reset-password?uid={uid}&token={token}")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# At most one reset mail per account per this many seconds, however often it is asked for.
PASSWORD_RESET_MAIL_INTERVAL_SECONDS = env.int("PASSWORD_RESET_MAIL_INTERVAL_SECONDS", default=60)
# Email change (POST /auth/email): the link mailed to the new address is this template, the
# client app's page, given a signed `token` valid EMAIL_CHANGE_TIMEOUT seconds; at most one
# such mail per account per EMAIL_CHANGE_MAIL_INTERVAL_SECONDS.
EMAIL_CHANGE_URL = env.str("EMAIL_CHANGE_URL", default="http://localhost:3000/confirm-email?token={token}")
EMAIL_CHANGE_TIMEOUT = env.int("EMAIL_CHANGE_TIMEOUT", default=86400)
EMAIL_CHANGE_MAIL_INTERVAL_SECONDS = env.int("EMAIL_CHANGE_MAIL_INTERVAL_SECONDS", default=60)
# Outgoing mail: smtp+tls://user:password@host:587 in production; the console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Community Service <no-reply@localhost>")

# --- REST framework ------------------------------------------------------------------
# How many proxies of ours stand in front of the app (nginx in docker-compose: 1). Throttles
# and view counts believe X-Forwarded-For only that far; 0 ignores it (clients can forge it).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# Failed logins per account (from any address) before that account refuses logins for the
# rest of the window: guessing one password from many addresses gains nothing.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=300)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["members.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "community_service.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["community_service.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "community_service.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "community_service.api.exception_handler.exception_handler",
    # One class, one Redis round trip: anon or user, plus the view's throttle_scope (GCRA in Lua).
    "DEFAULT_THROTTLE_CLASSES": ["community_service.api.throttling.RateThrottle"],
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON_RATE", default="120/min"),
        "user": env.str("THROTTLE_USER_RATE", default="600/min"),
        # Credential endpoints get a tight budget against password guessing.
        "auth": env.str("THROTTLE_AUTH_RATE", default="20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # OPTIONS introspection is not part of the API (the OpenAPI schema is): answer 405.
    "DEFAULT_METADATA_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Community Service API",
    # Say only what exists: extend this and TAGS as each app lands.
    "DESCRIPTION": (
        "Communities, members, roles and permissions (Discord-style hierarchy), channels, posts, "
        "threaded comments, reactions, media attachments, events (meetups with RSVP, a waitlist and "
        "calendar feeds), reports and the moderation audit log; paid "
        "subscription levels, subscriptions, donations and gated posts (Idempotency-Key for safe retries); "
        "community, post and member analytics dashboards. "
        "Authenticate with `Authorization: Bearer <access token>` from `POST /api/v1/auth/token`."
    ),
    # Swagger UI shows tags in this order: as a reader meets them, moderators' tools last.
    "TAGS": [
        {"name": "auth", "description": "Register, log in, refresh and revoke tokens."},
        {"name": "communities", "description": "Create, find and manage communities."},
        {"name": "members", "description": "Join, leave and manage members; join requests."},
        {"name": "roles", "description": "Roles and their permissions."},
        {"name": "channels", "description": "Channels of a community and their permission overwrites."},
        {"name": "posts", "description": "Feeds, posts, pinning and pre-moderation."},
        {"name": "comments", "description": "Threaded comments on posts."},
        {"name": "reactions", "description": "Likes on posts and comments."},
        {"name": "media", "description": "Uploads attached to posts and comments."},
        {"name": "events", "description": "Meetups: scheduling, RSVP with a waitlist, participants, iCalendar."},
        {"name": "search", "description": "Search across communities and posts."},
        {"name": "subscriptions", "description": "Paid subscription levels and subscriptions."},
        {"name": "donations", "description": "Donations, totals and top donors."},
        {"name": "analytics", "description": "Community, post and member dashboards."},
        {"name": "billing", "description": "Payment provider webhooks (HMAC-signed)."},
        {"name": "moderation", "description": "Bans, mutes, reports and the audit log (moderators)."},
    ],
    "VERSION": APP_VERSION,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "community_service.api.schema.close_page_envelopes",
        "community_service.api.schema.blank_strings_any_of",
        "community_service.api.schema.non_empty_query_arrays",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # allow/deny of channel overwrites share one choice set: name it once.
    "ENUM_NAME_OVERRIDES": {
        "ChannelOverwriteCodeEnum": "content.serializers.channels.OVERWRITE_CODES",
        "ReportStatusEnum": "content.models.ReportStatus",
        "SubscriptionStatusEnum": "billing.models.SubscriptionStatus",
        # Donations and payments share one set: pending, completed, failed, refunded.
        "PaymentStatusEnum": "billing.models.PaymentStatus",
        "RegistrationStatusEnum": "events.models.RegistrationStatus",
        # An event's status in a community's list and in /me/events (the name it had first).
        "EventOutputStatusEnum": "events.models.EventStatus",
        # Used by both the plain and the search-result components of communities and posts.
        "CommunityStatusEnum": "communities.models.CommunityStatus",
        "PostStatusEnum": "content.models.PostStatus",
    },
}

# --- Events and Celery ---------------------------------------------------------------
EVENT_BROKER_TYPE = env.str("EVENT_BROKER_TYPE", default="log")
KAFKA_BOOTSTRAP_SERVERS = env.str("KAFKA_BOOTSTRAP_SERVERS", default="localhost:9092")
KAFKA_TOPIC_PREFIX = env.str("KAFKA_TOPIC_PREFIX", default="community-service.")
RABBITMQ_URL = env.str("RABBITMQ_URL", default="amqp://guest:guest@localhost:5672/")
RABBITMQ_EXCHANGE = env.str("RABBITMQ_EXCHANGE", default="community-service.events")
# Extra librdkafka producer options as JSON, e.g. {"security.protocol": "SASL_SSL", ...}.
KAFKA_PRODUCER_CONFIG = env.json("KAFKA_PRODUCER_CONFIG", default={})
# Outbox (docs/events.md): how long a publish waits for broker confirmation, relay batches,
# backoff, and when a message the broker keeps refusing is given up on (status failed).
OUTBOX_PUBLISH_TIMEOUT = env.float("OUTBOX_PUBLISH_TIMEOUT", default=5.0)
OUTBOX_RELAY_BATCH_SIZE = env.int("OUTBOX_RELAY_BATCH_SIZE", default=500)
OUTBOX_RELAY_INTERVAL_SECONDS = env.float("OUTBOX_RELAY_INTERVAL_SECONDS", default=5.0)
OUTBOX_RELAY_MIN_AGE_SECONDS = env.float("OUTBOX_RELAY_MIN_AGE_SECONDS", default=3.0)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_BACKOFF_BASE_SECONDS = env.float("OUTBOX_BACKOFF_BASE_SECONDS", default=1.0)
OUTBOX_BACKOFF_MAX_SECONDS = env.float("OUTBOX_BACKOFF_MAX_SECONDS", default=300.0)
OUTBOX_LOCK_WAIT_SECONDS = env.float("OUTBOX_LOCK_WAIT_SECONDS", default=2.0)
OUTBOX_BREAKER_SECONDS = env.float("OUTBOX_BREAKER_SECONDS", default=5.0)
# /health/ready turns 503 when the oldest pending event is older than this (0: never).
OUTBOX_LAG_ALERT_SECONDS = env.int("OUTBOX_LAG_ALERT_SECONDS", default=900)
# Published rows are kept this long (for audits and replays), then pruned daily.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker (the embedded default) tasks run inline in the calling process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = "UTC"
# Comments and post views (content/services/comments.py, view_counts.py).
COMMENT_MAX_DEPTH = env.int("COMMENT_MAX_DEPTH", default=5)  # levels of replies under a root comment
POST_VIEW_DEDUPE_SECONDS = env.int("POST_VIEW_DEDUPE_SECONDS", default=3600)  # one view per viewer per window
POST_VIEWS_FLUSH_SECONDS = env.float("POST_VIEWS_FLUSH_SECONDS", default=10.0)
# How often events move scheduled → ongoing → completed (events/tasks.py).
EVENT_STATUS_INTERVAL_SECONDS = env.float("EVENT_STATUS_INTERVAL_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # Publishes what the after-commit path could not (broker or worker was down).
    "outbox-relay": {"task": "outbox.relay", "schedule": OUTBOX_RELAY_INTERVAL_SECONDS,
                     "options": {"expires": OUTBOX_RELAY_INTERVAL_SECONDS}},
    "outbox-prune": {"task": "outbox.prune", "schedule": 24 * 3600.0},
    # Moves view counts buffered in Redis into Post.view_count.
    "post-views-flush": {"task": "content.post_views_flush", "schedule": POST_VIEWS_FLUSH_SECONDS,
                         "options": {"expires": POST_VIEWS_FLUSH_SECONDS}},
    # Recomputes today's and yesterday's analytics rollups (idempotent).
    "analytics-rollup": {"task": "analytics.rollup_recent", "schedule": ANALYTICS_ROLLUP_SECONDS,
                         "options": {"expires": ANALYTICS_ROLLUP_SECONDS}},
    "event-statuses-advance": {"task": "events.statuses_advance", "schedule": EVENT_STATUS_INTERVAL_SECONDS,
                               "options": {"expires": EVENT_STATUS_INTERVAL_SECONDS}},
}

# --- Billing (docs/billing.md) ---------------------------------------------------------
# Providers by name -> class path; the sandbox moves no money (make run, tests).
BILLING_PROVIDERS = {"sandbox": "billing.providers.sandbox.SandboxProvider",
                     **env.json("BILLING_PROVIDERS", default={})}
BILLING_DEFAULT_PROVIDER = env.str("BILLING_DEFAULT_PROVIDER", default="sandbox")
BILLING_SANDBOX_WEBHOOK_SECRET = env.str("BILLING_SANDBOX_WEBHOOK_SECRET", default="sandbox-webhook-secret")
# A signed webhook older (or newer) than this is refused, so a captured one cannot be replayed later.
BILLING_WEBHOOK_TOLERANCE_SECONDS = env.int("BILLING_WEBHOOK_TOLERANCE_SECONDS", default=300)
# Upper limit of one donation or level price, in any currency.
BILLING_MAX_AMOUNT = env.str("BILLING_MAX_AMOUNT", default="10000.00")
# Seed 003: the breaker opens after 5 consecutive failures and half-opens after 30 seconds.
BILLING_BREAKER_FAIL_MAX = env.int("BILLING_BREAKER_FAIL_MAX", default=5)
BILLING_BREAKER_RESET_SECONDS = env.int("BILLING_BREAKER_RESET_SECONDS", default=30)
BILLING_EXPIRY_INTERVAL_SECONDS = env.float("BILLING_EXPIRY_INTERVAL_SECONDS", default=60.0)
BILLING_TOP_DONORS = env.int("BILLING_TOP_DONORS", default=10)  # per currency
# Idempotency-Key results are kept at least this long (Stripe: 24 hours).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
if IDEMPOTENCY_KEY_TTL_HOURS < 24:
    raise ImproperlyConfigured("IDEMPOTENCY_KEY_TTL_HOURS must be at least 24.")
# A key still in progress after this long belongs to a request that died; a retry takes it over.
IDEMPOTENCY_IN_PROGRESS_TIMEOUT = env.int("IDEMPOTENCY_IN_PROGRESS_TIMEOUT", default=600)
CELERY_BEAT_SCHEDULE.update({
    # Ends subscriptions past expires_at (subscription.ended); `manage.py expire_subscriptions` by hand.
    "billing-expire-subscriptions": {"task": "billing.subscriptions_expire",
                                     "schedule": BILLING_EXPIRY_INTERVAL_SECONDS,
                                     "options": {"expires": BILLING_EXPIRY_INTERVAL_SECONDS}},
    "idempotency-prune": {"task": "idempotency.prune", "schedule": 3600.0},
})
# --- Internal gRPC API (manage.py grpcserver; docs/api.md, "gRPC") ---------------------
GRPC_HOST = env.str("GRPC_HOST", default="[::]")
GRPC_PORT = env.int("GRPC_PORT", default=50051)
GRPC_WORKERS = env.int("GRPC_WORKERS", default=10)  # threads, each with its own DB connection
GRPC_MAX_CONCURRENT_RPCS = env.int("GRPC_MAX_CONCURRENT_RPCS", default=100)  # beyond: RESOURCE_EXHAUSTED
GRPC_GRACE_SECONDS = env.float("GRPC_GRACE_SECONDS", default=10.0)  # calls in flight may finish on SIGTERM
# Internal callers send `authorization: Bearer <token>`; grpcserver refuses to start without one.
GRPC_SERVICE_TOKEN = env.str("GRPC_SERVICE_TOKEN", default="")
# Servicers, by dotted path to `register(server) -> service name` (as URLconfs are included).
GRPC_SERVICES = [
    "content.grpc_api.posts.register",
    "content.grpc_api.communities.register",
]

# --- Search (community_service/search/query.py) ------------------------------------------------
# Language (ISO 639-1 code, or `und` for no stemming) of new communities that do not name one.
SEARCH_DEFAULT_LANGUAGE = env.str("SEARCH_DEFAULT_LANGUAGE", default="en")

# Who may create communities: everyone, staff, or granted (communities.services.community_create_allowed).
COMMUNITY_CREATE_POLICY = env.str("COMMUNITY_CREATE_POLICY", default="everyone")
if COMMUNITY_CREATE_POLICY not in ("everyone", "staff", "granted"):
    raise ImproperlyConfigured("COMMUNITY_CREATE_POLICY must be everyone, staff or granted.")

# --- Content rules ------------------------------------------------------------------------
# Community-wide cap on pinned posts.
MAX_PINNED_POSTS = env.int("MAX_PINNED_POSTS", default=5)

# --- Media (S3-compatible or local files) ----------------------------------------------
# Largest attachment accepted (bytes); larger uploads get a 413.
MEDIA_MAX_UPLOAD_BYTES = env.int("MEDIA_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Uploads above this size stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Form and multipart bodies without their files (files are capped by MEDIA_MAX_UPLOAD_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
S3_ENDPOINT = env.str("S3_ENDPOINT", default="")
S3_ACCESS_KEY = env.str("S3_ACCESS_KEY", default="")
S3_SECRET_KEY = env.str("S3_SECRET_KEY", default="")
S3_BUCKET = env.str("S3_BUCKET", default="community-media")
S3_REGION = env.str("S3_REGION", default="us-east-1")
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Media URLs are signed and expire (community_service/media.py): never a permanent public URL.
MEDIA_URL_TTL = env.int("MEDIA_URL_TTL", default=3600)
# Behind nginx: the internal location that serves MEDIA_ROOT (deploy/nginx.conf); empty: the app streams files.
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "community_service.media.SignedFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if S3_ENDPOINT:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": S3_ENDPOINT,
            "access_key": S3_ACCESS_KEY,
            "secret_key": S3_SECRET_KEY,
            "bucket_name": S3_BUCKET,
            "region_name": S3_REGION,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": MEDIA_URL_TTL,
        },
    }

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security (production) -------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health", r"^metrics$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Metrics ------------------------------------------------------------------------------
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404 (off).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Logging: one JSON object per line (LOG_FORMAT=text: plain lines, as `make run` sets) ---
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "community_service.observability.logging.JsonFormatter"},
                   "text": {"()": "community_service.observability.logging.TextFormatter"}},
    "filters": {"redis_breaker": {"()": "community_service.cache.redis_breaker.SkipBreakerNoise"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request middleware logs each request once, with its duration.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Redis errors: one line when the breaker trips, not a traceback per cache call.
        "community_service.cache": {"filters": ["redis_breaker"]},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run inline (no broker): kombu's "no hostname" warning and a line per task say nothing.
    LOGGING["loggers"].update({"kombu.connection": {"level": "ERROR"}, "celery.app.trace": {"level": "WARNING"}})
