"""Writes of notifications: deliver a Notice to people, read/delete, levels and preferences.

`notice_deliver` is the one door into the Notification table. In order it drops the actor
(no notice about what I did myself), the people whose level in that community or channel
does not take this kind of notice, those the app's `readable` (members/policy.py) says may
not read the object now, and those who turned the type off; then it inserts in bulk,
ignoring rows that already exist (unique on event, recipient and type), so an event
handled twice notifies once.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from community_service.cache.aside import cache_delete, invalidate_around_commit
from community_service.notifications.models import (
    Delivery,
    Level,
    MailStatus,
    Notification,
    NotificationLevel,
    NotificationPreference,
)
from community_service.notifications.registry import DIRECT, PERSONAL, WATCHED, Notice, notice_type

logger = logging.getLogger("community_service.notifications")

REACH_LEVELS = {
    WATCHED: {Level.WATCHING},
    DIRECT: {Level.WATCHING, Level.TRACKING, Level.NORMAL},
    PERSONAL: {Level.WATCHING, Level.NORMAL},
}


def unread_cache_key(user_id: UUID) -> str:
    return f"notifications:unread:{user_id}"


def _drop_unread_counts(user_ids: Iterable[UUID]) -> None:
    keys = [unread_cache_key(user_id) for user_id in user_ids]
    if keys:
        invalidate_around_commit(lambda: cache_delete(*keys))


def levels_of(*, user_ids: list[UUID], community_id: UUID, channel_id: UUID | None) -> dict[UUID, str]:
    """Each user's effective level: the channel's own, else the community's, else normal."""
    rows = NotificationLevel.objects.filter(user_id__in=user_ids, community_id=community_id).filter(
        Q(channel_id__isnull=True) | Q(channel_id=channel_id) if channel_id else Q(channel_id__isnull=True)
    ).values_list("user_id", "channel_id", "level")
    community_level: dict[UUID, str] = {}
    channel_level: dict[UUID, str] = {}
    for user_id, row_channel, level in rows:
        (channel_level if row_channel else community_level)[user_id] = level
    return {user_id: channel_level.get(user_id, community_level.get(user_id, Level.NORMAL)) for user_id in user_ids}


def deliveries_of(*, user_ids: list[UUID], type_name: str) -> dict[UUID, str]:
    default = notice_type(type_name).default
    chosen = dict(NotificationPreference.objects.filter(user_id__in=user_ids, type=type_name)
                  .values_list("user_id", "delivery"))
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


@dataclass
class Delivered:
    reached: list[UUID] = field(default_factory=list)
    # Some notice waits for its own mail: the caller enqueues notifications.mail_immediate after commit.
    mail_now: bool = False


def notice_deliver(notice: Notice, recipients: Iterable[UUID | None]) -> Delivered:
    """Create `notice` for those of `recipients` it may reach; return who got a new or updated notice.

    Runs in the caller's transaction (the subscriber's, or a fan-out batch's)."""
    spec = notice_type(notice.type)
    ids = list(dict.fromkeys(UUID(str(r)) for r in recipients if r is not None))
    ids = [user_id for user_id in ids if user_id != notice.actor_id]
    if ids and notice.community_id is not None:
        levels = levels_of(user_ids=ids, community_id=notice.community_id, channel_id=notice.channel_id)
        ids = [user_id for user_id in ids if levels[user_id] in REACH_LEVELS[spec.reach]]
    if ids:
        readable = notice.readable(ids)
        ids = [user_id for user_id in ids if user_id in readable]
    if not ids:
        return Delivered()
    deliveries = {user_id: d for user_id, d in deliveries_of(user_ids=ids, type_name=notice.type).items()
                  if d != Delivery.OFF}
    now = timezone.now()
    rows = [_row(notice, user_id, delivery, now, urgent=spec.urgent) for user_id, delivery in deliveries.items()]
    reached = _collapse(notice, rows) if notice.collapse_key else _insert(rows)
    _drop_unread_counts(reached)
    return Delivered(reached, any(row.mail_status == MailStatus.IMMEDIATE for row in rows))


def _row(notice: Notice, user_id: UUID, delivery: str, now: datetime, *, urgent: bool) -> Notification:
    mailed = delivery in (Delivery.EMAIL, Delivery.BOTH)
    return Notification(
        recipient_id=user_id, type=notice.type, community_id=notice.community_id, actor_id=notice.actor_id,
        actor_count=notice.actor_count, object_type=notice.object_type, object_id=str(notice.object_id),
        url=notice.url, text=notice.text[:300], data={**notice.data, "event_ids": [str(notice.source_event_id)]},
        source_event_id=notice.source_event_id, collapse_key=notice.collapse_key,
        in_app=delivery in (Delivery.IN_APP, Delivery.BOTH),
        mail_status=(MailStatus.IMMEDIATE if urgent else MailStatus.DIGEST) if mailed else MailStatus.NONE,
        created_at=now,
    )


def _insert(rows: list[Notification]) -> list[UUID]:
    """Insert the rows that do not exist yet; return their recipients."""
    if not rows:
        return []
    have = set(Notification.objects.filter(
        source_event_id=rows[0].source_event_id, type=rows[0].type,
        recipient_id__in=[row.recipient_id for row in rows]).values_list("recipient_id", flat=True))
    fresh = [row for row in rows if row.recipient_id not in have]
    # A concurrent handler of the same event may insert in between: the unique constraint decides.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return [row.recipient_id for row in fresh]


# A collapsed notice remembers this many of the events folded into it (to fold each once).
COLLAPSE_MEMORY = 100


def _collapse(notice: Notice, rows: list[Notification]) -> list[UUID]:
    """Fold into the recipient's unread notice with the same key, or start one."""
    event_id = str(notice.source_event_id)
    existing = {
        row.recipient_id: row for row in Notification.objects.select_for_update().filter(
            recipient_id__in=[r.recipient_id for r in rows], collapse_key=notice.collapse_key, read_at__isnull=True)
    }
    fresh, reached = [], []
    for row in rows:
        current = existing.get(row.recipient_id)
        if current is None:
            fresh.append(row)
            continue
        seen = current.data.get("event_ids", [])
        if event_id in seen or current.source_event_id == notice.source_event_id:
            continue  # this event was folded in already
        current.actor_count += 1
        current.actor_id = notice.actor_id
        current.text = (notice.collapsed_text or notice.text).format(others=current.actor_count - 1)[:300]
        current.data = {**current.data, **notice.data, "event_ids": [*seen, event_id][-COLLAPSE_MEMORY:]}
        current.created_at = row.created_at
        current.save(update_fields=["actor_count", "actor_id", "text", "data", "created_at"])
        reached.append(row.recipient_id)
    return reached + _insert(fresh)


# --- The inbox's writes ------------------------------------------------------------------


def notification_mark_read(*, user_id: UUID, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notice of `user_id` read; return how many."""
    rows = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True, in_app=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    with transaction.atomic():
        changed = rows.update(read_at=timezone.now())
        _drop_unread_counts([user_id])
    return changed


def notification_delete(*, user_id: UUID, notification_id: int) -> int:
    with transaction.atomic():
        deleted = Notification.objects.filter(recipient_id=user_id, pk=notification_id, in_app=True).delete()[0]
        _drop_unread_counts([user_id])
    return deleted


def level_set(*, user_id: UUID, community_id: UUID, channel_id: UUID | None, level: str) -> NotificationLevel:
    """Set a member's level (the caller checked that the community/channel is theirs to see)."""
    row, _ = NotificationLevel.objects.update_or_create(
        user_id=user_id, community_id=community_id, channel_id=channel_id, defaults={"level": level})
    return row


def preference_set(*, user_id: UUID, type_name: str, delivery: str) -> NotificationPreference:
    notice_type(type_name)
    row, _ = NotificationPreference.objects.update_or_create(
        user_id=user_id, type=type_name, defaults={"delivery": delivery})
    return row
