"""Sending webhooks: from the outbox subscriber to the signed HTTP request and its retries.

# Why this is long: one path from an event to a logged attempt, with its retries, the
# per-endpoint limit and auto-disable, reads best in one place.

- `webhooks_on_event` is the `webhooks` outbox subscriber: for each event of a community it
  writes one WebhookDelivery per active endpoint wanting the type (body: the Kafka envelope,
  its payload filtered by settings.WEBHOOK_PAYLOAD_FILTER, the access policy) and enqueues
  `webhooks.deliver` after commit. It only writes rows, so it runs exactly once per event.
- `delivery_attempt` makes one attempt (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
  `webhook-signature` = `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per valid
  secret during a rotation's overlap), to the pinned address the SSRF guard checked, with
  WEBHOOK_TIMEOUT_SECONDS, no redirects; logs it (WebhookAttempt); on failure schedules the
  next one (WEBHOOK_BACKOFF_* with +-20% jitter, WEBHOOK_MAX_ATTEMPTS over about three days),
  which beat's `webhooks.sweep` sends when due. Order per endpoint is not promised.
- At most WEBHOOK_MAX_IN_FLIGHT attempts per endpoint run at once (counted under the
  endpoint's row lock), so a slow endpoint holds up only itself.
- An endpoint whose every attempt failed for WEBHOOK_DISABLE_AFTER_DAYS is disabled, and its
  creator and the community's owner are mailed.
"""

import base64
import hashlib
import hmac
import http.client
import json
import logging
import random
import secrets
import socket
import ssl
import time
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from community_service.exceptions import ValidationFailed
from community_service.outbox.envelope import envelope_build
from community_service.outbox.models import OutboxEvent
from community_service.webhooks.guard import Target, check_url
from community_service.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)

logger = logging.getLogger("community_service.webhooks")

SUBSCRIBER_NAME = "webhooks"
SECRET_PREFIX = "whsec_"
EXCERPT_BYTES = 500
# An attempt marked sending longer than this was lost (a worker died): it no longer counts.
STALE_SENDING = timedelta(minutes=5)


# --- Secrets and signatures (Standard Webhooks) -------------------------------------------------


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    found = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        found.append(endpoint.previous_secret)
    return found


def headers_for(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime) -> dict[str, str]:
    msg_id = f"msg_{delivery.pk.hex}"
    timestamp = int(now.timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, msg_id, timestamp, delivery.body)
                                      for secret in signing_secrets(endpoint, now)),
        "content-type": "application/json",
        "user-agent": f"{settings.APP_NAME}-webhooks",
    }


# --- From the outbox ------------------------------------------------------------------------


def webhook_body(event: OutboxEvent) -> str:
    envelope = envelope_build(event)
    envelope["payload"] = import_string(settings.WEBHOOK_PAYLOAD_FILTER)(event.event_type, dict(event.payload))
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)


def webhooks_on_event(event: OutboxEvent) -> None:
    """The `webhooks` subscriber: a delivery per active endpoint of the community wanting the type."""
    if event.community_id is None:
        return
    endpoints = list(WebhookEndpoint.objects.filter(community_id=event.community_id, is_active=True).filter(
        Q(event_types=[]) | Q(event_types__contains=[event.event_type])))
    if not endpoints:
        return
    body = webhook_body(event)
    now = timezone.now()
    created = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event_id=event.event_id, event_type=event.event_type, body=body,
                         next_attempt_at=now) for endpoint in endpoints],
        ignore_conflicts=True)
    ids = [str(delivery.pk) for delivery in created]
    transaction.on_commit(lambda: deliveries_enqueue(ids))


def deliveries_enqueue(ids: list[str]) -> None:
    for delivery_id in ids:
        try:
            webhook_deliver_task.apply_async(args=[delivery_id], retry=False)
        except Exception as exc:  # task broker boundary: beat's sweep sends it when due
            logger.warning("could not enqueue a webhook delivery", extra={"delivery_id": delivery_id,
                                                                         "error": repr(exc)})


# --- One attempt -----------------------------------------------------------------------------


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address the guard checked, whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _post(target: Target, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """One POST, no redirects followed: (status, the answer's first bytes)."""
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target, settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(EXCERPT_BYTES)
    finally:
        connection.close()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: exponential, capped, with +-20% jitter."""
    seconds = min(settings.WEBHOOK_BACKOFF_BASE_SECONDS * 3 ** max(attempts - 1, 0),
                  settings.WEBHOOK_BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311  (jitter, not a secret)


def _claim(delivery_id: str) -> WebhookDelivery | None:
    """Mark the delivery sending if it is due and its endpoint has room; None otherwise."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status != WebhookDeliveryStatus.PENDING:
            return None
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        if not endpoint.is_active:
            return None
        in_flight = WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDeliveryStatus.SENDING,
                                                   sending_since__gt=now - STALE_SENDING).count()
        if in_flight >= settings.WEBHOOK_MAX_IN_FLIGHT:
            return None  # the sweep sends it when the endpoint has room
        delivery.status, delivery.sending_since = WebhookDeliveryStatus.SENDING, now
        delivery.save(update_fields=["status", "sending_since"])
        delivery.endpoint = endpoint
        return delivery


def delivery_attempt(delivery_id: str) -> WebhookAttempt | None:
    """One attempt of a due delivery (see the module); None when it was not due or had no room."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    now = timezone.now()
    started = time.monotonic()
    status_code: int | None = None
    excerpt, error = b"", ""
    try:
        target = check_url(endpoint.url)  # again: DNS may have changed since registration
        status_code, excerpt = _post(target, headers_for(endpoint, delivery, now), delivery.body.encode())
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}" + (" (redirects are not followed)" if 300 <= status_code < 400 else "")
    except ValidationFailed as exc:
        error = f"refused: {exc.detail}"
    except (OSError, http.client.HTTPException) as exc:  # timeouts, refused connections, TLS, bad answers
        error = repr(exc)
    latency = int((time.monotonic() - started) * 1000)
    return _record(delivery, endpoint, status_code=status_code, excerpt=excerpt, error=error, latency=latency)


@transaction.atomic
def _record(delivery: WebhookDelivery, endpoint: WebhookEndpoint, *, status_code: int | None, excerpt: bytes,
            error: str, latency: int) -> WebhookAttempt:
    now = timezone.now()
    succeeded = not error
    attempt = WebhookAttempt.objects.create(
        delivery=delivery, endpoint=endpoint, succeeded=succeeded, status_code=status_code, latency_ms=latency,
        response_excerpt=excerpt.decode(errors="replace")[:EXCERPT_BYTES], error=error[:500])
    delivery.attempts += 1
    delivery.sending_since = None
    if succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = WebhookDeliveryStatus.SUCCEEDED, now, None
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    else:
        give_up = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
        delivery.status = WebhookDeliveryStatus.FAILED if give_up else WebhookDeliveryStatus.PENDING
        delivery.next_attempt_at = None if give_up else now + backoff(delivery.attempts)
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
        _disable_if_failing_too_long(endpoint.pk, now)
    delivery.save(update_fields=["attempts", "status", "next_attempt_at", "delivered_at", "sending_since"])
    logger.info("webhook attempt", extra={"endpoint_id": str(endpoint.pk), "delivery_id": str(delivery.pk),
                                          "succeeded": succeeded, "status_code": status_code, "latency_ms": latency})
    return attempt


def _disable_if_failing_too_long(endpoint_id: Any, now: datetime) -> None:
    cutoff = now - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    disabled = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True, failing_since__lte=cutoff).update(
        is_active=False, disabled_reason=f"Every delivery failed for {settings.WEBHOOK_DISABLE_AFTER_DAYS:g} days.")
    if disabled:
        endpoint = WebhookEndpoint.objects.select_related("community__owner", "created_by").get(pk=endpoint_id)
        transaction.on_commit(lambda: _tell_managers(endpoint))


def _tell_managers(endpoint: WebhookEndpoint) -> None:
    community: Any = endpoint.community
    people = {person.email for person in (community.owner, endpoint.created_by)
              if person is not None and person.is_active and not getattr(person, "is_bot", False)}
    if not people:
        return
    send_mail(
        subject=f"Webhook disabled in {community.name}",
        message=(f"Every delivery to {endpoint.url} failed for {settings.WEBHOOK_DISABLE_AFTER_DAYS:g} days, "
                 "so it was disabled. Fix the endpoint, then enable it again (PATCH is_active=true) and "
                 "redeliver what it missed from its delivery log."),
        from_email=None, recipient_list=sorted(people), fail_silently=True)


# --- Sweep, redelivery, pruning ----------------------------------------------------------------


def deliveries_due(limit: int = 500) -> list[str]:
    now = timezone.now()
    rows = WebhookDelivery.objects.filter(
        Q(status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=WebhookDeliveryStatus.SENDING, sending_since__lte=now - STALE_SENDING),
        endpoint__is_active=True).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    WebhookDelivery.objects.filter(pk__in=list(rows), status=WebhookDeliveryStatus.SENDING).update(
        status=WebhookDeliveryStatus.PENDING, sending_since=None)
    return [str(pk) for pk in rows]


def delivery_redeliver(delivery: WebhookDelivery) -> None:
    """Send the same message again now (a new attempt in its log), whatever its state."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDeliveryStatus.PENDING, next_attempt_at=timezone.now(), sending_since=None)
    ids = [str(delivery.pk)]
    transaction.on_commit(lambda: deliveries_enqueue(ids))


def attempts_prune(days: int | None = None) -> int:
    days = settings.WEBHOOK_LOG_RETENTION_DAYS if days is None else days
    deleted, _ = WebhookAttempt.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


# --- Celery tasks (here, beside what they run: community_service/tasks.py lists them) -----------


@shared_task(name="webhooks.deliver", ignore_result=True, acks_late=True)
def webhook_deliver_task(delivery_id: str) -> None:
    delivery_attempt(delivery_id)


@shared_task(name="webhooks.sweep", ignore_result=True)
def webhook_sweep_task() -> None:
    deliveries_enqueue(deliveries_due())


@shared_task(name="webhooks.prune", ignore_result=True)
def webhook_prune_task() -> None:
    attempts_prune()
