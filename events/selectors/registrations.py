"""Reads for registrations: an event's participants and one caller's own registration."""

from uuid import UUID

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from events.models import LIVE_REGISTRATION, Event, Registration, RegistrationStatus


def participant_list(*, event: Event) -> QuerySet[Registration]:
    """Going, then waitlisted, each by arrival; `queue_rank` is the place within its status
    (for the waitlisted: their place in the queue)."""
    return (
        Registration.objects.filter(event=event, status__in=LIVE_REGISTRATION)
        .select_related("user", "member")
        .annotate(queue_rank=Window(RowNumber(), partition_by=[F("status")], order_by=F("position").asc()))
        # "going" sorts before "waitlisted": the (event, status, position) index serves the order.
        .order_by("status", "position")
    )


def registration_of(*, event: Event, user_id: UUID) -> Registration | None:
    """The caller's live registration with `waitlist_position` set (None when going)."""
    registration = Registration.objects.filter(event=event, user_id=user_id, status__in=LIVE_REGISTRATION).first()
    if registration is not None:
        registration_with_place(registration)
    return registration


def registration_with_place(registration: Registration) -> Registration:
    """Set `waitlist_position` (1 = next to be promoted) on a registration; None when going."""
    registration.waitlist_position = None
    if registration.status == RegistrationStatus.WAITLISTED:
        registration.waitlist_position = Registration.objects.filter(
            event_id=registration.event_id, status=RegistrationStatus.WAITLISTED, position__lte=registration.position
        ).count()
    return registration
