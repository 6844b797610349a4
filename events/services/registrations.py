"""Writes for registrations (RSVP): going while seats remain, else a first-come waitlist.

Exact under any concurrency: every write to an event's registrations first takes the
event's row lock, so seats, arrival numbers and counters change one request at a time, in
the order the requests reached the lock. Counters move with F() updates in the same
transaction as the rows they count. When a seat frees (a cancellation, a member leaving,
more capacity) the head of the waitlist is promoted at once.

Lock order: member → event → registration. Registrations are written only under their
event's lock, so the order among one event's registrations never matters.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import F
from django.utils import timezone

from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, NotFound
from community_service.outbox.services import outbox_record
from events.models import LIVE_REGISTRATION, Event, EventStatus, Registration, RegistrationStatus
from members import policy
from members.models import Member, User

GOING, WAITLISTED, CANCELLED = RegistrationStatus.GOING, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    created: bool  # False: the caller was already going or waitlisted, nothing changed


def _record(event_type: str, event: Event, registration: Registration, **extra: object) -> None:
    outbox_record(
        event_type=event_type, aggregate_type="event", aggregate_id=event.pk, community_id=event.community_id,
        payload={"community_id": event.community_id, "event_id": event.pk, "registration_id": registration.pk,
                 "user_id": registration.user_id, **extra},
    )


def event_lock(event_id: UUID) -> Event:
    """The event row, locked for this transaction (FOR NO KEY UPDATE: registrations may still
    reference it). Raises NotFound when it is gone or soft-deleted."""
    event = Event.objects.select_for_update(no_key=True).filter(pk=event_id, deleted_at__isnull=True).first()
    if event is None:
        raise NotFound("Event not found.")
    return event


def _require_open(event: Event) -> None:
    now = timezone.now()
    if event.status == EventStatus.CANCELLED:
        raise Conflict("This event is cancelled.", code="registration_closed")
    if event.status != EventStatus.SCHEDULED or now >= event.starts_at:
        raise Conflict("This event has already started.", code="registration_closed")
    if event.registration_deadline is not None and now >= event.registration_deadline:
        raise Conflict("Registration for this event has closed.", code="registration_closed")


def _require_active_member(member: Member | None) -> Member:
    policy.require_active_row(status=member.status if member else None,
                              banned_until=member.banned_until if member else None, doing="register")
    assert member is not None
    return member


def _promote_waitlist(event: Event) -> list[Registration]:
    """Move the head of the waitlist into every free seat of a locked event; the promoted, in order."""
    event.refresh_from_db(fields=["capacity", "going_count", "waitlist_count"])
    if event.waitlist_count == 0:
        return []
    waitlist = Registration.objects.select_for_update().filter(event=event, status=WAITLISTED).order_by("position")
    if event.capacity is not None:
        free = event.capacity - event.going_count
        if free <= 0:
            return []
        waitlist = waitlist[:free]
    promoted = list(waitlist)
    if not promoted:
        return []
    now = timezone.now()
    Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(status=GOING, promoted_at=now, updated_at=now)
    Event.objects.filter(pk=event.pk).update(going_count=F("going_count") + len(promoted),
                                             waitlist_count=F("waitlist_count") - len(promoted))
    for registration in promoted:
        registration.status, registration.promoted_at = GOING, now
    return promoted


def _announce_promotions(event: Event, promoted: list[Registration], *, reason: str) -> None:
    for registration in promoted:
        _record("event.rsvp_promoted", event, registration, reason=reason)


def registrations_fill_seats(event: Event, *, reason: str) -> list[Registration]:
    """Promote the head of the waitlist into every free seat; return the promoted, in order.

    Precondition: the event row is locked by the caller. `reason` (seat_freed |
    capacity_raised) goes into each `event.rsvp_promoted`.
    """
    promoted = _promote_waitlist(event)
    _announce_promotions(event, promoted, reason=reason)
    return promoted


def _cancel(event: Event, registration: Registration, *, reason: str | None = None) -> Registration:
    """Cancel a live registration of a locked event; a freed seat goes to the waitlist's head.

    Events leave in the order things happened: the cancellation, then the promotion.
    """
    was_going = registration.status == GOING
    now = timezone.now()
    registration.status, registration.cancelled_at = CANCELLED, now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    counter = "going_count" if was_going else "waitlist_count"
    Event.objects.filter(pk=event.pk).update(**{counter: F(counter) - 1})
    promoted = _promote_waitlist(event) if was_going else []
    extra: dict[str, object] = {"promoted_registration_id": promoted[0].pk} if promoted else {}
    if reason:
        extra["reason"] = reason
    _record("event.rsvp_cancelled", event, registration, **extra)
    _announce_promotions(event, promoted, reason="seat_freed")
    return registration


@atomic_with_retry
def registration_create(*, event: Event, user: User) -> RegistrationResult:
    """RSVP the caller: going while seats remain, otherwise at the back of the waitlist.

    Precondition: the caller may read the event. Registering again while going or
    waitlisted changes nothing. Raises PermissionDenied (banned, not_member), NotFound
    (deleted meanwhile) and Conflict (registration_closed).
    """
    # The member row first: a concurrent leave or ban waits for us, then drops what we add.
    member = _require_active_member(
        Member.objects.select_for_update(no_key=True).filter(community_id=event.community_id, user=user).first()
    )
    event = event_lock(event.pk)
    registration = Registration.objects.select_for_update().filter(event=event, member=member).first()
    if registration is not None and registration.status in LIVE_REGISTRATION:
        return RegistrationResult(registration=registration, created=False)
    _require_open(event)
    going = event.capacity is None or event.going_count < event.capacity
    status = GOING if going else WAITLISTED
    now = timezone.now()
    fields = {"status": status, "position": event.registration_seq + 1, "registered_at": now,
              "promoted_at": None, "cancelled_at": None}
    if registration is None:
        registration = Registration.objects.create(event=event, member=member, user=user, **fields)
    else:  # registering again after cancelling: a new arrival, at the back of the queue
        for name, value in fields.items():
            setattr(registration, name, value)
        registration.save(update_fields=[*fields, "updated_at"])
    counter = "going_count" if going else "waitlist_count"
    Event.objects.filter(pk=event.pk).update(registration_seq=F("registration_seq") + 1, **{counter: F(counter) + 1})
    _record("event.rsvp_created", event, registration, status=status)
    return RegistrationResult(registration=registration, created=True)


@atomic_with_retry
def registration_cancel(*, event: Event, user: User) -> Registration | None:
    """Withdraw the caller's RSVP; None when they had none. A freed seat is taken at once by
    the first waitlisted member. Raises Conflict (registration_closed) once the event has
    started, is over or is cancelled."""
    event = event_lock(event.pk)
    registration = Registration.objects.select_for_update().filter(
        event=event, user=user, status__in=LIVE_REGISTRATION
    ).first()
    if registration is None:
        return None
    if event.status != EventStatus.SCHEDULED or timezone.now() >= event.starts_at:
        raise Conflict("This event has started or is over; registrations can no longer change.",
                       code="registration_closed")
    return _cancel(event, registration)


def registrations_drop_for_member(*, member: Member) -> int:
    """Cancel the member's registrations to events that are not over; return how many.

    Runs inside the transaction that ends the membership, with the member row locked (so
    no new registration of theirs can appear meanwhile); events are locked by pk.
    """
    event_ids = (
        Registration.objects.filter(member=member, status__in=LIVE_REGISTRATION,
                                    event__status__in=[EventStatus.SCHEDULED, EventStatus.ONGOING],
                                    event__deleted_at__isnull=True)
        .values_list("event_id", flat=True)
    )
    dropped = 0
    for event in Event.objects.select_for_update(no_key=True).filter(pk__in=list(event_ids)).order_by("pk"):
        registration = Registration.objects.select_for_update().filter(
            event=event, member=member, status__in=LIVE_REGISTRATION
        ).first()
        if registration is not None:
            _cancel(event, registration, reason="membership_ended")
            dropped += 1
    return dropped
