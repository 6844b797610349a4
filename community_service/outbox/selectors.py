"""Reads of the outbox (lag for /health/ready and the admin)."""

from dataclasses import asdict, dataclass

from django.db.models import Count, Min, Q
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
    row = OutboxEvent.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED]).aggregate(
        pending=Count("id", filter=Q(status=OutboxStatus.PENDING)),
        failed=Count("id", filter=Q(status=OutboxStatus.FAILED)),
        oldest=Min("created_at", filter=Q(status=OutboxStatus.PENDING)),
    )
    age = (timezone.now() - row["oldest"]).total_seconds() if row["oldest"] else 0.0
    return OutboxLag(pending=row["pending"], failed=row["failed"], oldest_pending_age_seconds=round(max(age, 0.0), 3))
