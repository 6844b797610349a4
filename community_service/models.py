"""Models of the platform app (`community_service`)."""

from community_service.outbox.models import OutboxEvent, OutboxStatus

__all__ = ["OutboxEvent", "OutboxStatus"]
