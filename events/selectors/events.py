"""Reads for events: community lists (page and keyset), the caller's own events, detail and
calendar feeds.

Every event comes with its organiser and the caller's own registration (status and place
on the waitlist) annotated in the same query, so lists cost the same at any size.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import CharField, Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone

from communities.models import Community
from events.access import event_readable_filter, require_readable_event
from events.models import LIVE_REGISTRATION, MAX_EVENT_DURATION, Event, Registration, RegistrationStatus
from members.selectors.access import CommunityAccess

# when → ordering. Keyset orderings end with the primary key, so every position is exact.
ORDERINGS = {
    "upcoming": ["starts_at", "id"],
    "past": ["-starts_at", "-id"],
    "all": ["starts_at", "id"],
}
# A calendar feed: what is coming, and the last weeks (so cancellations and changes reach
# calendars that polled before), at most this many events.
FEED_PAST = timedelta(days=30)
FEED_MAX_EVENTS = 500


def _with_viewer(queryset: QuerySet[Event], *, user_id: UUID | None) -> QuerySet[Event]:
    """Organiser, plus the caller's live registration: my_status, my_waitlist_position."""
    queryset = queryset.select_related("organizer")
    if user_id is None:
        return queryset.annotate(my_status=Value(None, output_field=CharField()),
                                 my_waitlist_position=Value(None, output_field=IntegerField()))
    mine = Registration.objects.filter(event=OuterRef("pk"), user_id=user_id, status__in=LIVE_REGISTRATION)
    ahead = (
        Registration.objects.filter(event=OuterRef("pk"), status=RegistrationStatus.WAITLISTED,
                                    position__lte=OuterRef("my_waitlisted_at"))
        .order_by().values("event").annotate(n=Count("*")).values("n")
    )
    mine_waitlisted = mine.filter(status=RegistrationStatus.WAITLISTED)
    return queryset.annotate(
        my_status=Subquery(mine.values("status")[:1]),
        my_waitlisted_at=Subquery(mine_waitlisted.values("position")[:1]),
        my_waitlist_position=Subquery(ahead, output_field=IntegerField()),
    )


def event_list(*, community: Community, user_id: UUID | None, access: CommunityAccess) -> QuerySet[Event]:
    """The community's events the caller may read (unordered: the filter orders by `when`)."""
    events = Event.objects.filter(community=community).filter(event_readable_filter(access=access))
    return _with_viewer(events, user_id=user_id)


def my_events(*, user_id: UUID) -> QuerySet[Event]:
    """Events the user is going to or waitlisted for (cancelled ones too: registrations stay),
    with their community and the user's registration; unordered (the filter orders by `when`).
    A live registration means an active membership (an ended one drops its registrations), so
    no visibility rule beyond the soft deletes applies; the (user, event) index serves it."""
    events = Event.objects.filter(deleted_at__isnull=True, community__deleted_at__isnull=True,
                                  registrations__user_id=user_id, registrations__status__in=LIVE_REGISTRATION)
    return _with_viewer(events.select_related("community"), user_id=user_id)


def event_when(queryset: QuerySet[Event], *, when: str, now: datetime | None = None) -> QuerySet[Event]:
    """upcoming: not over yet (ongoing included), soonest first; past: over, latest first; all."""
    now = now or timezone.now()
    if when == "upcoming":
        # The starts_at bound lets the (community, starts_at) index skip the whole past.
        queryset = queryset.filter(ends_at__gt=now, starts_at__gt=now - MAX_EVENT_DURATION)
    elif when == "past":
        queryset = queryset.filter(ends_at__lte=now)
    return queryset.order_by(*ORDERINGS[when])


def event_get(*, event_id: UUID, user_id: UUID | None, access_for: Callable[[UUID], CommunityAccess],
              viewer: bool = True) -> Event:
    """One readable event, or NotFound. `access_for(community_id)` gives the caller's access.

    `viewer=False` skips the organiser and the caller's registration, for writes that only
    need to know the event is visible (RSVP: its hot path).
    """
    events = Event.objects.filter(pk=event_id).select_related("community")
    event = (_with_viewer(events, user_id=user_id) if viewer else events).first()
    access = access_for(event.community_id) if event is not None else None
    return require_readable_event(event, access=access)


def event_calendar_feed(*, community: Community, user_id: UUID | None, access: CommunityAccess) -> list[Event]:
    """Events for the community's .ics feed: upcoming and the last FEED_PAST, soonest first."""
    since = timezone.now() - FEED_PAST
    events = event_list(community=community, user_id=user_id, access=access).filter(ends_at__gt=since)
    return list(events.order_by("starts_at", "id")[:FEED_MAX_EVENTS])
