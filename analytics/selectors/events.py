"""The events sections: read from the event rows, whose counters the RSVP services keep exact.

An event row already is a per-event rollup (`going_count`, `waitlist_count`, kept under the
event's row lock), and a community holds hundreds of events, not millions: the section
reads those rows through idx_events_community_start and never scans registrations.
There is no check-in, so attendance is measured by RSVPs: the going registrations of held
events against their seats.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from analytics.selectors.ranges import DayRange
from communities.models import Community
from events.models import Event, EventStatus, Registration, RegistrationStatus
from members.models import Member

HELD = (EventStatus.ONGOING, EventStatus.COMPLETED)


def _starting_within(days: DayRange, *, field: str = "starts_at") -> Q:
    """Events starting on the range's days (UTC)."""
    since = dt.datetime.combine(days.since, dt.time.min, tzinfo=dt.UTC)
    until = dt.datetime.combine(days.until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return Q(**{f"{field}__gte": since, f"{field}__lt": until})


def _rate(part: int, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


def events_section(*, community: Community, days: DayRange) -> dict[str, Any]:
    """Upcoming events and their waitlist demand (now), and the events that started in `days`."""
    live = Event.objects.filter(community=community, deleted_at__isnull=True)
    capped = Q(capacity__isnull=False)
    upcoming = live.filter(status=EventStatus.SCHEDULED, starts_at__gt=timezone.now()).aggregate(
        count=Count("id"),
        next_starts_at=Min("starts_at"),
        going=Sum("going_count", default=0),
        waitlisted=Sum("waitlist_count", default=0),
        full=Count("id", filter=capped & Q(going_count__gte=F("capacity"))),
    )
    held = Q(status__in=HELD)
    started = live.filter(_starting_within(days)).aggregate(
        held=Count("id", filter=held),
        cancelled=Count("id", filter=Q(status=EventStatus.CANCELLED)),
        going=Sum("going_count", filter=held, default=0),
        seats=Sum("capacity", filter=held & capped, default=0),
        going_on_seats=Sum("going_count", filter=held & capped, default=0),
    )
    return {
        "upcoming": upcoming["count"],
        "next_starts_at": upcoming["next_starts_at"],
        "upcoming_going": upcoming["going"],
        "waitlisted": upcoming["waitlisted"],
        "full_upcoming": upcoming["full"],
        "held": started["held"],
        "cancelled": started["cancelled"],
        "going_at_held": started["going"],
        "attendance_rate": _rate(started["going_on_seats"], started["seats"]),
    }


def member_events(*, member: Member, days: DayRange) -> dict[str, Any]:
    """The member's RSVPs: held events they were going to (all time and starting in `days`),
    and the upcoming events they are going to or waitlisted for."""
    going = Registration.objects.filter(member=member, status=RegistrationStatus.GOING,
                                        event__deleted_at__isnull=True)
    attended = going.filter(event__status__in=HELD).aggregate(
        all_time=Count("id"),
        in_range=Count("id", filter=_starting_within(days, field="event__starts_at")),
    )
    upcoming = Registration.objects.filter(
        member=member, status__in=(RegistrationStatus.GOING, RegistrationStatus.WAITLISTED),
        event__deleted_at__isnull=True, event__status=EventStatus.SCHEDULED, event__starts_at__gt=timezone.now(),
    ).aggregate(
        going=Count("id", filter=Q(status=RegistrationStatus.GOING)),
        waitlisted=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    return {"attended_all_time": attended["all_time"], "attended_in_range": attended["in_range"],
            "upcoming_going": upcoming["going"], "upcoming_waitlisted": upcoming["waitlisted"]}
