import uuid

from django.db import models
from django.db.models import Q


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PUBLISHED = "published", "Published"
    # Gave up after OUTBOX_MAX_ATTEMPTS message-level rejections; `relay_outbox --retry-failed` resends.
    FAILED = "failed", "Failed"


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change it describes.

    Rows are published in `id` order by `outbox_publish_due`; `id` (not the clock) is the
    order, because it is assigned at insert and never goes backwards in one database.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=100)
    aggregate_type = models.CharField(max_length=50)
    aggregate_id = models.CharField(max_length=64)
    # The Kafka message key: one community's events land on one partition, in order.
    community_id = models.UUIDField(null=True, blank=True)
    payload = models.JSONField()
    metadata = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbox event"
        indexes = [
            # The relay's scan and the readiness lag query touch only pending rows.
            models.Index(fields=["id"], name="outbox_pending_idx", condition=Q(status="pending")),
            # "Is an older event of this community backing off?" — almost always an empty range.
            models.Index(
                fields=["community_id", "next_attempt_at"], name="outbox_pending_backoff_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
