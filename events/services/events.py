"""Writes for events: schedule, edit, cancel, soft delete, and the status clock.

Lock order (docs/architecture.md): community → member → event → registration, each kind
by primary key. Event writes lock the event row; seats freed by a capacity change are
filled under that lock (events.services.registrations).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from communities.models import Community
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, ValidationFailed
from community_service.outbox.services import outbox_record
from events.access import require_can_create_event, require_can_manage_event
from events.models import (
    CLOSED_STATUSES,
    LIVE_REGISTRATION,
    MAX_EVENT_DURATION,
    Event,
    EventStatus,
    Registration,
)
from events.services.registrations import event_lock, registrations_fill_seats
from members.models import User
from members.selectors.access import CommunityAccess

# `event.cancelled` names the registrants; very large events spread them over several messages.
REGISTRANTS_PER_MESSAGE = 500
UPDATABLE_FIELDS = frozenset({
    "title", "description", "starts_at", "ends_at", "timezone", "location", "online_url", "capacity",
    "registration_deadline", "is_members_only",
})
# What a calendar shows: a change bumps the iCalendar SEQUENCE so clients update the entry.
CALENDAR_FIELDS = frozenset({"title", "description", "starts_at", "ends_at", "timezone", "location", "online_url"})


def _record(event_type: str, event: Event, *, actor: User, **extra: object) -> None:
    # The actor is named explicitly: staff in the admin have no API request to take it from.
    outbox_record(
        event_type=event_type, aggregate_type="event", aggregate_id=event.pk, community_id=event.community_id,
        payload={"community_id": event.community_id, "event_id": event.pk, "title": event.title,
                 "starts_at": event.starts_at, **extra},
        actor_id=actor.pk,
    )


def _validate(*, starts_at: datetime, ends_at: datetime, registration_deadline: datetime | None, location: str,
              online_url: str, starts_at_changed: bool) -> None:
    """The rules that span fields; each failure names the field a client should fix."""
    if starts_at_changed and starts_at <= timezone.now():
        raise ValidationFailed("Must be in the future.", field="starts_at", code="in_past")
    if ends_at <= starts_at:
        raise ValidationFailed("Must be after starts_at.", field="ends_at", code="before_start")
    if ends_at - starts_at > MAX_EVENT_DURATION:
        raise ValidationFailed(f"An event lasts at most {MAX_EVENT_DURATION.days} days.", field="ends_at",
                               code="too_long")
    if registration_deadline is not None and registration_deadline > starts_at:
        raise ValidationFailed("Must not be later than starts_at.", field="registration_deadline",
                               code="after_start")
    if not location and not online_url:
        raise ValidationFailed("Give a location, an online_url, or both.", field="location", code="required")


@atomic_with_retry
def event_create(*, community: Community, organizer: User, access: CommunityAccess, data: dict[str, Any]) -> Event:
    """Schedule an event organised by the caller. `data` holds validated fields (aware times).

    Raises PermissionDenied (require_can_create_event) and ValidationFailed naming a field.
    """
    require_can_create_event(access)
    unknown = set(data) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationFailed("This field cannot be set.", field=sorted(unknown)[0])
    event = Event(community=community, organizer=organizer, **data)
    _validate(starts_at=event.starts_at, ends_at=event.ends_at, registration_deadline=event.registration_deadline,
              location=event.location, online_url=event.online_url, starts_at_changed=True)
    event.save()
    _record("event.created", event, actor=organizer)
    return event


@atomic_with_retry
def event_update(*, event: Event, actor: User, access: CommunityAccess, data: dict[str, Any]) -> Event:
    """Edit an event (the organiser, or event.manage). Only fields whose value changes count.

    A completed or cancelled event takes only a new description; an ongoing one keeps its
    start. Capacity never drops below the members going; raising it promotes the waitlist
    at once. Raises PermissionDenied, NotFound and ValidationFailed naming the field.
    """
    require_can_manage_event(event, user_id=actor.pk, access=access)
    unknown = set(data) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationFailed("This field cannot be changed.", field=sorted(unknown)[0])
    event = event_lock(event.pk)
    changed = sorted(name for name, value in data.items() if getattr(event, name) != value)
    if not changed:
        return event
    if event.status in CLOSED_STATUSES:
        frozen = [name for name in changed if name != "description"]
        if frozen:
            raise ValidationFailed(f"A {event.status} event can only change its description.", field=frozen[0],
                                   code="event_closed")
    if event.status == EventStatus.ONGOING and "starts_at" in changed:
        raise ValidationFailed("The event has started; its start cannot move.", field="starts_at",
                               code="event_started")
    merged = {name: data.get(name, getattr(event, name)) for name in UPDATABLE_FIELDS}
    _validate(starts_at=merged["starts_at"], ends_at=merged["ends_at"],
              registration_deadline=merged["registration_deadline"], location=merged["location"],
              online_url=merged["online_url"], starts_at_changed="starts_at" in changed)
    old_capacity = event.capacity
    if "capacity" in changed and merged["capacity"] is not None and merged["capacity"] < event.going_count:
        raise ValidationFailed(
            f"{event.going_count} members are going; capacity cannot be lower.", field="capacity", code="below_going"
        )
    for name in changed:
        setattr(event, name, data[name])
    event.save(update_fields=[*changed, "updated_at"])
    if CALENDAR_FIELDS & set(changed):
        Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)
    _record("event.updated", event, actor=actor, changed=changed)
    if "capacity" in changed and (event.capacity is None or (old_capacity is not None and
                                                              event.capacity > old_capacity)):
        registrations_fill_seats(event, reason="capacity_raised")
    event.refresh_from_db()
    return event


def _cancel_locked(event: Event, *, actor: User, reason: str) -> None:
    """Cancel a locked, live event and tell every registrant (going or waitlisted)."""
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED, cancel_reason=reason, cancelled_at=now,
                                             updated_at=now, sequence=F("sequence") + 1)
    event.refresh_from_db()
    registrants = [str(user_id) for user_id in Registration.objects.filter(
        event=event, status__in=LIVE_REGISTRATION).order_by("position").values_list("user_id", flat=True)]
    parts = [registrants[i:i + REGISTRANTS_PER_MESSAGE]
             for i in range(0, len(registrants), REGISTRANTS_PER_MESSAGE)] or [[]]
    for number, part in enumerate(parts, start=1):
        _record("event.cancelled", event, actor=actor, reason=reason, registrant_user_ids=part, part=number,
                parts=len(parts))


@atomic_with_retry
def event_cancel(*, event: Event, actor: User, access: CommunityAccess, reason: str) -> Event:
    """Cancel a scheduled or ongoing event with a reason; registrants are named in
    `event.cancelled`. Registrations stay as they were (the record of who meant to come).

    Raises PermissionDenied, NotFound and Conflict (already_cancelled, event_closed).
    """
    require_can_manage_event(event, user_id=actor.pk, access=access)
    event = event_lock(event.pk)
    if event.status == EventStatus.CANCELLED:
        raise Conflict("This event is already cancelled.", code="already_cancelled")
    if event.status == EventStatus.COMPLETED:
        raise Conflict("This event is over and cannot be cancelled.", code="event_closed")
    _cancel_locked(event, actor=actor, reason=reason)
    return event


@atomic_with_retry
def event_delete(*, event: Event, actor: User, access: CommunityAccess) -> None:
    """Soft-delete (the organiser, or event.manage). An event that is not over and has
    registrants is cancelled first, so they are told. Raises PermissionDenied, NotFound."""
    require_can_manage_event(event, user_id=actor.pk, access=access)
    event = event_lock(event.pk)
    if event.status in (EventStatus.SCHEDULED, EventStatus.ONGOING) and event.going_count + event.waitlist_count:
        _cancel_locked(event, actor=actor, reason="The event was deleted.")
    event.deleted_at = timezone.now()
    event.save(update_fields=["deleted_at", "updated_at"])
    _record("event.deleted", event, actor=actor)


@dataclass(frozen=True)
class StatusAdvance:
    started: int
    completed: int


def event_statuses_advance(*, now: datetime | None = None, batch_size: int = 500) -> StatusAdvance:
    """scheduled → ongoing at starts_at, → completed at ends_at (also straight from scheduled
    when the clock was stopped for the whole event). Run by Celery beat and by
    `manage.py advance_event_statuses`; safe to run at any time and concurrently."""
    now = now or timezone.now()
    started = completed = 0
    while True:
        with transaction.atomic():
            # SKIP LOCKED: never wait for a writer holding an event; what it holds is taken next run.
            due = list(
                Event.objects.select_for_update(no_key=True, skip_locked=True)
                .filter(deleted_at__isnull=True, status__in=[EventStatus.SCHEDULED, EventStatus.ONGOING],
                        starts_at__lte=now)
                .exclude(status=EventStatus.ONGOING, ends_at__gt=now)
                .order_by("pk")
                .values_list("pk", "status", "ends_at")[:batch_size]
            )
            if not due:
                return StatusAdvance(started=started, completed=completed)
            ending = [pk for pk, _, ends_at in due if ends_at <= now]
            starting = [pk for pk, status, ends_at in due if ends_at > now and status == EventStatus.SCHEDULED]
            completed += Event.objects.filter(pk__in=ending).update(status=EventStatus.COMPLETED)
            started += Event.objects.filter(pk__in=starting).update(status=EventStatus.ONGOING)
        if len(due) < batch_size:
            return StatusAdvance(started=started, completed=completed)

