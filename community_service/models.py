"""Models of the platform app (`community_service`)."""

from community_service.api.idempotency import IdempotencyKey, IdempotencyStatus
from community_service.outbox.models import OutboxEvent, OutboxStatus

__all__ = ["IdempotencyKey", "IdempotencyStatus", "OutboxEvent", "OutboxStatus"]
