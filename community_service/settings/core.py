"""Core settings: the environment file, the service's identity, secrets, hosts, the
installed apps and middleware, templates, internationalisation and production security.

Read first (community_service/settings/__init__.py): every other settings module takes `env`,
BASE_DIR and DEBUG from here. Every variable is listed in .env.example.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]

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
    # Outermost: decides every answer's Cache-Control and Vary, the fast path's and errors' too.
    "community_service.api.http_cache.SharedCacheMiddleware",
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
        # The console's admin/base_site.html: the admin app comes first in INSTALLED_APPS (its
        # config is the console's), so among app directories Django's own would win.
        "DIRS": [BASE_DIR / "community_service" / "console_templates"],
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
