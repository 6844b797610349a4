"""Notices, notification levels and per-type delivery preferences (see __init__'s docstring).

People and communities are plain UUIDs, as in the outbox: the platform sits below the apps
and its tables do not depend on theirs (a notice outlives nothing it needs to join).
"""

from django.db import models
from django.db.models import Q


class Level(models.TextChoices):
    """Discourse's levels, per community and per channel (a channel's own level wins)."""

    WATCHING = "watching", "Watching"  # every new post, and everything addressed to me
    TRACKING = "tracking", "Tracking"  # replies and mentions only
    NORMAL = "normal", "Normal"  # everything addressed to me (the default)
    MUTED = "muted", "Muted"  # nothing


class Delivery(models.TextChoices):
    IN_APP = "in_app", "In-app"
    EMAIL = "email", "Email"
    BOTH = "both", "In-app and email"
    OFF = "off", "Off"


class MailStatus(models.TextChoices):
    NONE = "none", "Not mailed"
    IMMEDIATE = "immediate", "Waiting for its own mail"
    DIGEST = "digest", "Waiting for the daily digest"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """One notice to one person. Unique per (source event, recipient, type): an event handled
    twice notifies once. Collapsing notices (likes) keep one unread row per object."""

    id = models.BigAutoField(primary_key=True)
    recipient_id = models.UUIDField()
    type = models.CharField(max_length=40)
    community_id = models.UUIDField(null=True, blank=True)
    actor_id = models.UUIDField(null=True, blank=True)
    # "alice and 3 others liked …": how many actors this (collapsed) notice stands for.
    actor_count = models.PositiveIntegerField(default=1)
    object_type = models.CharField(max_length=30, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    text = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    source_event_id = models.UUIDField()
    collapse_key = models.CharField(max_length=120, blank=True, default="")
    # False for a notice the member chose to get by mail only: it is not in the inbox.
    in_app = models.BooleanField(default=True)
    mail_status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.NONE)
    mail_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_event_id", "recipient_id", "type"], name="notification_once"),
        ]
        indexes = [
            # The inbox: newest first, keyset on id.
            models.Index(fields=["recipient_id", "-id"], name="notification_inbox_idx", condition=Q(in_app=True)),
            models.Index(fields=["recipient_id", "-id"], name="notification_unread_idx",
                         condition=Q(in_app=True, read_at__isnull=True)),
            models.Index(fields=["recipient_id", "collapse_key"], name="notification_collapse_idx",
                         condition=Q(read_at__isnull=True) & ~Q(collapse_key="")),
            models.Index(fields=["mail_status", "id"], name="notification_mail_idx",
                         condition=Q(mail_status__in=["immediate", "digest", "failed"])),
        ]

    def __str__(self) -> str:
        return f"{self.type} → {self.recipient_id}: {self.text}"


class NotificationLevel(models.Model):
    """A member's level for a community (channel_id null) or for one of its channels."""

    id = models.BigAutoField(primary_key=True)
    user_id = models.UUIDField()
    community_id = models.UUIDField()
    channel_id = models.UUIDField(null=True, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "community_id"], condition=Q(channel_id__isnull=True),
                                    name="notification_level_community_once"),
            models.UniqueConstraint(fields=["user_id", "community_id", "channel_id"],
                                    condition=Q(channel_id__isnull=False), name="notification_level_channel_once"),
        ]
        indexes = [
            # Fan-out: the watchers of a community or channel, in user order.
            models.Index(fields=["community_id", "channel_id", "level", "user_id"], name="notification_watchers_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.level} in {self.channel_id or self.community_id}"


class NotificationPreference(models.Model):
    """How a person gets one type of notice; absent rows mean the type's default."""

    id = models.BigAutoField(primary_key=True)
    user_id = models.UUIDField()
    type = models.CharField(max_length=40)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "type"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.type}: {self.delivery}"
