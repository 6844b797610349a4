"""Observability settings: the /metrics token and logging (one JSON object per line;
LOG_FORMAT=text: plain lines, as `make run` sets)."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from community_service.settings.background import CELERY_TASK_ALWAYS_EAGER
from community_service.settings.core import env

# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404 (off).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")


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
