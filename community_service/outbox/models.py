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

    # Set by outbox_record: the in-process subscribers that got a ledger row (not a column).
    subscribers: list[str]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    # The handler raised OUTBOX_SUBSCRIBER_MAX_ATTEMPTS times; `dispatch_subscribers --retry-failed` resends.
    FAILED = "failed", "Failed"


class OutboxDelivery(models.Model):
    """The ledger of one in-process subscriber's handling of one event (see outbox/subscribers.py).

    Written in the event's own transaction, one row per interested subscriber, so a committed
    event is never missed by a subscriber whatever the broker, the task queue or a worker does.
    """

    id = models.BigAutoField(primary_key=True)
    subscriber = models.CharField(max_length=64)
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the event: order and backoff are per (subscriber, community).
    community_id = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "outbox delivery"
        verbose_name_plural = "outbox deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "event"], name="outbox_delivery_once"),
        ]
        indexes = [
            # The dispatcher's scan: one subscriber's pending rows in event order.
            models.Index(fields=["subscriber", "event"], name="outbox_delivery_pending_idx",
                         condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} ← {self.event_id} ({self.status})"
