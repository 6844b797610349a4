"""Reads of the outbox (lag for /health/ready and the admin)."""

from dataclasses import asdict, dataclass

from django.utils import timezone

from community_service.outbox.models import OutboxEvent, OutboxStatus


@dataclass(frozen=True)
class OutboxLag:
    pending: int
    failed: int
    oldest_pending_age_seconds: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def outbox_lag() -> OutboxLag:
    pending = OutboxEvent.objects.filter(status=OutboxStatus.PENDING)
    # The lowest pending id is the oldest pending event (ids follow inserts); both use the partial index.
    oldest = pending.order_by("id").values_list("created_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return OutboxLag(
        pending=pending.count(),
        failed=OutboxEvent.objects.filter(status=OutboxStatus.FAILED).count(),
        oldest_pending_age_seconds=round(max(age, 0.0), 3),
    )
