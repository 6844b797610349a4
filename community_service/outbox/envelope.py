"""The seed's event envelope, built from an outbox row."""

import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from community_service.outbox.models import OutboxEvent


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, like the seed's "2024-01-01T12:00:00Z" (milliseconds kept)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope_build(event: OutboxEvent) -> dict[str, Any]:
    return {
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "timestamp": iso_utc(event.created_at),
        "service": settings.APP_NAME,
        "payload": event.payload,
        "metadata": event.metadata,
    }


def envelope_bytes(event: OutboxEvent) -> bytes:
    return json.dumps(envelope_build(event), separators=(",", ":"), ensure_ascii=False).encode()
