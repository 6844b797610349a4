"""Events' notification rules: my registration, waitlist moves, changes, cancellations and
reminders 24 hours and 1 hour before the start (issue 38).

Reminders are not domain events: beat runs `events_reminders_send` every few minutes, and each
reminder's notice has a source id derived from (event, kind), so the unique (source, recipient,
type) lets a second run (or two beats at once) add nothing: each reminder is sent once per
registrant, and someone who registers after the first run still gets it on the next.
"""

import uuid
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from community_service.notifications.consumer import rule_register
from community_service.notifications.models import Delivery
from community_service.notifications.registry import DIRECT, Notice, NoticeType, notice_type_register
from community_service.notifications.services import notice_deliver
from community_service.outbox.models import OutboxEvent
from events.models import LIVE_REGISTRATION, Event, EventStatus, Registration
from members import policy

TYPES = (
    # About my own registrations: every level but muted hears of them.
    NoticeType("event_registered", "My event registrations", reach=DIRECT),
    NoticeType("event_promoted", "Moved from the waitlist to going", default=Delivery.BOTH, urgent=True, reach=DIRECT),
    NoticeType("event_changed", "Changes to events I registered for", default=Delivery.BOTH, reach=DIRECT),
    NoticeType("event_cancelled", "Events I registered for cancelled", default=Delivery.BOTH, urgent=True,
               reach=DIRECT),
    NoticeType("event_reminder", "Reminders before events I go to", default=Delivery.BOTH, urgent=True, reach=DIRECT),
)
# Changes registrants need to hear of.
NOTABLE = {"title", "starts_at", "ends_at", "timezone", "location", "online_url"}
REMINDERS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
# Derives a reminder's source id: the same (event, kind) always gives the same id.
REMINDER_NAMESPACE = uuid.UUID("6f2b5d1e-8f1c-4d0b-9a55-2f0d6c8e7a31")


def event_url(event_id: object) -> str:
    return f"/api/v1/events/{event_id}"


def _notice(event: OutboxEvent | None, type_name: str, text: str, recipients: list, *, community_id: UUID,
            event_id: object, source_event_id: UUID | None = None, **data: object) -> Notice:
    return Notice(
        type=type_name, text=text, recipients=recipients,
        source_event_id=source_event_id or (event.event_id if event else uuid.uuid4()),
        # Registrants are members; whoever left or was banned hears nothing more of it.
        readable=lambda ids: policy.insiders_among(community_id=community_id, user_ids=ids),
        community_id=community_id, actor_id=UUID(event.metadata["actor_id"]) if event and
        event.metadata.get("actor_id") else None, object_type="event", object_id=str(event_id),
        url=event_url(event_id), data={"event_id": str(event_id), **data},
    )


def _registrants(event_id: UUID | str) -> list[UUID]:
    return list(Registration.objects.filter(event_id=event_id, status__in=LIVE_REGISTRATION)
                .values_list("user_id", flat=True))


def on_rsvp_created(event: OutboxEvent) -> list[Notice]:
    p = event.payload
    title = Event.objects.filter(pk=p["event_id"]).values_list("title", flat=True).first() or "an event"
    text = f"You're going to “{title}”." if p["status"] == "going" else f"You're on the waitlist for “{title}”."
    notice = _notice(event, "event_registered", text, [p["user_id"]], community_id=UUID(p["community_id"]),
                     event_id=p["event_id"], status=p["status"])
    notice.actor_id = None  # I registered myself: the confirmation is still for me
    return [notice]


def on_rsvp_promoted(event: OutboxEvent) -> list[Notice]:
    p = event.payload
    title = Event.objects.filter(pk=p["event_id"]).values_list("title", flat=True).first() or "an event"
    notice = _notice(event, "event_promoted", f"A seat is yours: you're now going to “{title}”.", [p["user_id"]],
                     community_id=UUID(p["community_id"]), event_id=p["event_id"])
    notice.actor_id = None  # whoever freed the seat, the news is mine
    return [notice]


def on_updated(event: OutboxEvent) -> list[Notice]:
    p = event.payload
    changed = sorted(NOTABLE & set(p["changed"]))
    if not changed:
        return []
    what = ", ".join(name.replace("_", " ") for name in changed)
    return [_notice(event, "event_changed", f"“{p['title']}” changed: {what}.", _registrants(p["event_id"]),
                    community_id=UUID(p["community_id"]), event_id=p["event_id"], changed=changed)]


def on_cancelled(event: OutboxEvent) -> list[Notice]:
    p = event.payload
    reason = p.get("reason") or ""
    return [_notice(event, "event_cancelled", f"“{p['title']}” was cancelled" + (f": {reason}" if reason else "."),
                    p["registrant_user_ids"], community_id=UUID(p["community_id"]), event_id=p["event_id"],
                    reason=reason)]


def events_reminders_send(*, now: datetime | None = None) -> int:
    """Remind registrants of events starting within 24 hours (and again within 1 hour); return
    how many notices were created. Safe to run any number of times."""
    now = now or timezone.now()
    created = 0
    upcoming = Event.objects.filter(status=EventStatus.SCHEDULED, deleted_at__isnull=True, starts_at__gt=now,
                                    starts_at__lte=now + REMINDERS["24h"])
    for meetup in upcoming.only("id", "title", "starts_at", "community_id"):
        left = meetup.starts_at - now
        kind = "1h" if left <= REMINDERS["1h"] else "24h"
        when = "in an hour" if kind == "1h" else "tomorrow" if left > timedelta(hours=12) else "today"
        notice = _notice(None, "event_reminder", f"Reminder: “{meetup.title}” starts {when}.",
                         _registrants(meetup.pk), community_id=meetup.community_id, event_id=meetup.pk,
                         source_event_id=uuid.uuid5(REMINDER_NAMESPACE, f"{meetup.pk}:{kind}"), kind=kind,
                         starts_at=meetup.starts_at.isoformat())
        with transaction.atomic():
            created += len(notice_deliver(notice, notice.recipients).reached)
    return created


def notices_register() -> None:
    notice_type_register(*TYPES)
    rule_register("event.rsvp_created", on_rsvp_created)
    rule_register("event.rsvp_promoted", on_rsvp_promoted)
    rule_register("event.updated", on_updated)
    rule_register("event.cancelled", on_cancelled)
