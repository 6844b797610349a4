"""Liveness (`/health`, the seed's exact body) and readiness (`/health/ready`)."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "healthy", "service": settings.APP_NAME, "version": settings.APP_VERSION})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_cache() -> str:
    if "django_redis" in settings.CACHES["default"]["BACKEND"]:
        # The cache itself swallows Redis errors by design; ask Redis directly.
        from django_redis import get_redis_connection

        get_redis_connection("default").ping()
        return "ok"
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", 5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was written")
    return "ok"


def _check_task_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from community_service.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _check_outbox() -> str:
    # Informational unless events are stuck for longer than OUTBOX_LAG_ALERT_SECONDS.
    from community_service.outbox.selectors import outbox_lag

    limit = settings.OUTBOX_LAG_ALERT_SECONDS
    age = outbox_lag().oldest_pending_age_seconds
    if limit and age > limit:
        raise RuntimeError(f"oldest pending event is {age:.0f} s old (limit {limit} s)")
    return "ok"


READINESS_CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "task_broker": _check_task_broker,
    "outbox": _check_outbox,
}


def _outbox_lag() -> dict[str, float | int] | None:
    from community_service.outbox.selectors import outbox_lag

    try:
        return outbox_lag().as_dict()
    except Exception:  # the database check already reports why
        return None


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    down: list[str] = []
    for name, check in READINESS_CHECKS.items():
        try:
            checks[name] = check()
        except Exception as exc:  # a readiness probe reports every failure, whatever it is
            logger.warning("readiness check failed", extra={"check": name, "error": str(exc)})
            checks[name] = f"down: {exc.__class__.__name__}"
            down.append(name)
    body = {"status": "ready" if not down else "not_ready", "checks": checks, "down": down, "outbox": _outbox_lag()}
    return JsonResponse(body, status=503 if down else 200)
