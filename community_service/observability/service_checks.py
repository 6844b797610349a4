"""Checks of every service the app depends on, for `check_services` (and container healthchecks).

Readiness (/health/ready) uses a subset: it leaves out the event broker and storage,
because the outbox rides out a broker outage and only uploads need storage, and a web
replica should not be taken out of rotation for either. An operator asks about all of them.
"""

import os
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import default_storage

from community_service.observability.health import READINESS_CHECKS


def _check_event_broker() -> str:
    timeout = settings.OUTBOX_PUBLISH_TIMEOUT
    if settings.EVENT_BROKER_TYPE == "kafka":
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({"bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS,
                             "log_level": 0,  # the check says what failed; no per-retry stderr lines
                             # Connection and security options apply to the admin client too.
                             **{key: value for key, value in settings.KAFKA_PRODUCER_CONFIG.items()
                                if key.startswith(("security.", "sasl.", "ssl."))}})
        brokers = admin.list_topics(timeout=timeout).brokers
        return f"ok (kafka, {len(brokers)} broker(s))"
    if settings.EVENT_BROKER_TYPE == "rabbitmq":
        from kombu import Connection

        with Connection(settings.RABBITMQ_URL, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
        return "ok (rabbitmq)"
    return f"ok ({settings.EVENT_BROKER_TYPE}: nothing to reach)"


def _check_storage() -> str:
    if settings.S3_ENDPOINT:
        client = default_storage.connection.meta.client  # type: ignore[attr-defined]  # S3Storage here
        client.head_bucket(Bucket=settings.S3_BUCKET)
        return f"ok (s3 bucket {settings.S3_BUCKET})"
    root = settings.MEDIA_ROOT
    os.makedirs(root, exist_ok=True)
    probe = os.path.join(root, f".check-{uuid.uuid4().hex}")
    with open(probe, "w") as handle:
        handle.write("ok")
    os.remove(probe)
    return f"ok (files in {root})"


SERVICE_CHECKS: dict[str, Callable[[], str]] = {
    **READINESS_CHECKS,
    "event_broker": _check_event_broker,
    "storage": _check_storage,
}


def services_check(names: list[str] | None = None) -> dict[str, tuple[bool, str]]:
    """Run the named checks (all by default): name -> (up, what it said)."""
    results = {}
    for name in names or list(SERVICE_CHECKS):
        try:
            results[name] = (True, SERVICE_CHECKS[name]())
        except Exception as exc:  # a health check reports every failure, whatever it is
            results[name] = (False, f"down: {exc.__class__.__name__}: {exc}"[:300])
    return results
