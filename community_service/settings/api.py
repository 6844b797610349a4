"""HTTP API settings: CORS, proxies, DRF (throttles, pagination, errors), the OpenAPI schema and Idempotency-Key."""

from django.core.exceptions import ImproperlyConfigured

from community_service.settings.core import APP_VERSION, DEBUG, env

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

# How many proxies of ours stand in front of the app (nginx in docker-compose: 1). Throttles
# and view counts believe X-Forwarded-For only that far; 0 ignores it (clients can forge it).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# What a shared cache (the shipped nginx, a CDN) may keep of an anonymous answer about a public
# object (community_service/api/http_cache.py): fresh this many seconds (s-maxage: the
# staleness a reader may see after a write), then served stale while one refresh runs.
HTTP_CACHE_SHARED_SECONDS = env.int("HTTP_CACHE_SHARED_SECONDS", default=5)
HTTP_CACHE_STALE_SECONDS = env.int("HTTP_CACHE_STALE_SECONDS", default=30)
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
        # Each personal API key, on top of its owner's `user` budget.
        "api_key": env.str("THROTTLE_API_KEY_RATE", default="300/min"),
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
        "Authenticate with `Authorization: Bearer <access token>` from `POST /api/v1/auth/token`, "
        "or with a personal API key (`Authorization: Bearer cs_live_...`, from `POST /api/v1/me/api-keys`)."
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
        {"name": "integrations", "description": "Personal API keys (scoped, shown once, revocable)."},
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

# Idempotency-Key results are kept at least this long (Stripe: 24 hours).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
if IDEMPOTENCY_KEY_TTL_HOURS < 24:
    raise ImproperlyConfigured("IDEMPOTENCY_KEY_TTL_HOURS must be at least 24.")
# A key still in progress after this long belongs to a request that died; a retry takes it over.
IDEMPOTENCY_IN_PROGRESS_TIMEOUT = env.int("IDEMPOTENCY_IN_PROGRESS_TIMEOUT", default=600)
