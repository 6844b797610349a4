"""Small helpers shared by the billing tests."""

import uuid

from rest_framework.test import APIClient

from billing.providers.sandbox import sandbox_webhook
from community_service.outbox.models import OutboxEvent
from tests.routes import url_for


def money_post(api: APIClient, url: str, body: dict | None = None, *, key: str | None = None):
    return api.post(url, body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def webhook_post(api: APIClient, event_type: str, provider_payment_id: str, **kwargs: object):
    body, headers = sandbox_webhook(event_type, provider_payment_id, **kwargs)
    return api.generic("POST", url_for("billing-webhook", provider="sandbox"), body, content_type="application/json",
                       **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})


def events(event_type: str, **payload: object) -> list[OutboxEvent]:
    rows = OutboxEvent.objects.filter(event_type=event_type).order_by("id")
    return [row for row in rows if all(row.payload.get(k) == v for k, v in payload.items())]
