"""Reads of notifications: the inbox, the unread count (one cache read when warm), levels, preferences."""

import hashlib
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from community_service.cache.aside import cache_get_or_set
from community_service.notifications.models import Level, Notification, NotificationLevel, NotificationPreference
from community_service.notifications.registry import NOTICE_TYPES
from community_service.notifications.services import unread_cache_key


def inbox(*, user_id: UUID, unread: bool = False, types: list[str] | None = None) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient_id=user_id, in_app=True)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    if types:
        rows = rows.filter(type__in=types)
    return rows


def actors_of(notifications: list[Notification]) -> dict[UUID, Any]:
    """The actors of a page, in one query: {id: {"id", "username"}}."""
    ids = {n.actor_id for n in notifications if n.actor_id is not None}
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids).values("id", "username")
    return {user["id"]: user for user in users}


def unread_count(*, user_id: UUID) -> tuple[int, str]:
    """(count, ETag) of the unread in-app notices; a cache read when warm, dropped by every write."""

    def compute() -> tuple[int, str]:
        rows = Notification.objects.filter(recipient_id=user_id, in_app=True, read_at__isnull=True)
        count = rows.count()
        newest = rows.order_by("-id").values_list("id", flat=True).first() or 0
        digest = hashlib.sha256(f"{user_id}:{count}:{newest}".encode()).hexdigest()[:16]
        return count, f'"{digest}"'

    return cache_get_or_set(unread_cache_key(user_id), compute, ttl=settings.CACHE_DEFAULT_TTL,
                            valid=lambda value: isinstance(value, tuple) and len(value) == 2)


def preferences_of(*, user_id: UUID) -> list[dict]:
    """Every notice type with the user's delivery (their choice, else the type's default)."""
    chosen = dict(NotificationPreference.objects.filter(user_id=user_id).values_list("type", "delivery"))
    return [
        {"type": spec.name, "description": spec.label, "delivery": chosen.get(spec.name, spec.default),
         "default_delivery": spec.default, "urgent": spec.urgent}
        for spec in sorted(NOTICE_TYPES.values(), key=lambda s: s.name)
    ]


def levels_of_user(*, user_id: UUID) -> QuerySet[NotificationLevel]:
    return NotificationLevel.objects.filter(user_id=user_id).order_by("community_id", "channel_id")


def watchers(*, community_id: UUID, channel_id: UUID | None, after: UUID | None, limit: int) -> list[UUID]:
    """People watching the community or this channel, in user-id order from `after` (a fan-out
    audience page). notice_deliver then applies each one's effective level (a muted channel wins)."""
    rows = NotificationLevel.objects.filter(community_id=community_id, level=Level.WATCHING)
    rows = rows.filter(Q(channel_id__isnull=True) | Q(channel_id=channel_id)) if channel_id else rows.filter(
        channel_id__isnull=True)
    if after is not None:
        rows = rows.filter(user_id__gt=after)
    return list(rows.order_by("user_id").values_list("user_id", flat=True).distinct()[:limit])
