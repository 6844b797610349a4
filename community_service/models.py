"""Models of the platform app (`community_service`)."""

from community_service.api.idempotency import IdempotencyKey, IdempotencyStatus
from community_service.notifications.models import Notification, NotificationLevel, NotificationPreference
from community_service.outbox.models import DeliveryStatus, OutboxDelivery, OutboxEvent, OutboxStatus
from community_service.search.words import SearchWord
from community_service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "DeliveryStatus", "IdempotencyKey", "IdempotencyStatus", "OutboxDelivery", "OutboxEvent", "OutboxStatus",
    "Notification", "NotificationLevel", "NotificationPreference", "SearchWord", "WebhookAttempt",
    "WebhookDelivery", "WebhookEndpoint",
]
