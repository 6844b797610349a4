"""Events (meetups) and registrations: RSVP with a capacity and a first-come waitlist.

Times are stored in UTC; `timezone` is the IANA zone the event is shown in (and in which a
client's local times are read). Counters (`going_count`, `waitlist_count`) change only with
F() updates under the event's row lock, and a constraint keeps `going_count <= capacity`.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# A meetup, a conference or a hackathon; longer is a mistake (and the bound keeps list scans short).
MAX_EVENT_DURATION = timedelta(days=31)

# Statuses in which nothing but the description may change any more.
CLOSED_STATUSES = (EventStatus.COMPLETED, EventStatus.CANCELLED)


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="events")
    # Indexed by idx_events_organizer, which it leads.
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=False, on_delete=models.SET_NULL, null=True,
                                  related_name="organized_events")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000, blank=True, default="")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, default="UTC")
    location = models.CharField(max_length=500, blank=True, default="")
    online_url = models.URLField(max_length=2000, blank=True, default="")
    # Empty: no limit, everyone who registers is going.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    # Empty: registration is open until the event starts.
    registration_deadline = models.DateTimeField(null=True, blank=True)
    # Readable only by the community's active members, even in a public community.
    is_members_only = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    cancel_reason = models.CharField(max_length=500, blank=True, default="")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    going_count = models.PositiveIntegerField(default=0)
    waitlist_count = models.PositiveIntegerField(default=0)
    # Arrival numbers handed out to registrations (FIFO order of the waitlist).
    registration_seq = models.PositiveIntegerField(default=0)
    # iCalendar SEQUENCE: bumped on every change a calendar shows, so clients update the entry.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EventStatus.values), name="ck_event_status"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="ck_event_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="ck_event_capacity"),
            # The last line of defence for "never more going than seats".
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(going_count__lte=F("capacity")),
                                   name="ck_event_going_within_capacity"),
            models.CheckConstraint(
                condition=Q(registration_deadline__isnull=True) | Q(registration_deadline__lte=F("starts_at")),
                name="ck_event_deadline_before_start",
            ),
        ]
        indexes = [
            # Lists: WHERE community AND live ORDER BY starts_at, id (forward for upcoming, backward for past).
            models.Index(fields=["community", "starts_at", "id"], condition=Q(deleted_at__isnull=True),
                         name="idx_events_community_start"),
            # The status beat: scheduled events by start, ongoing ones by end.
            models.Index(fields=["starts_at"], condition=Q(status="scheduled", deleted_at__isnull=True),
                         name="idx_events_due_to_start"),
            models.Index(fields=["ends_at"], condition=Q(status="ongoing", deleted_at__isnull=True),
                         name="idx_events_due_to_end"),
            models.Index(fields=["organizer", "-starts_at"], name="idx_events_organizer"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.going_count, 0)


class RegistrationStatus(models.TextChoices):
    GOING = "going", "Going"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"


LIVE_REGISTRATION = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED)


class Registration(models.Model):
    """One member's RSVP to one event; the row is reused when they register again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by idx_registrations_queue, which it leads.
    event = models.ForeignKey(Event, db_index=False, on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    # The member's user, kept for payloads and "my registration" lookups without a join.
    # Indexed by idx_registrations_user, which it leads.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_index=False, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=RegistrationStatus.choices)
    # Arrival number within the event (from Event.registration_seq); the waitlist is FIFO by it.
    position = models.PositiveIntegerField()
    registered_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a column: set by registration_with_place for the serializers (1 = next to be promoted).
    waitlist_position: int | None

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RegistrationStatus.values), name="ck_registration_status"),
            models.UniqueConstraint(fields=["event", "member"], name="uq_registration_event_member"),
            models.UniqueConstraint(fields=["event", "position"], name="uq_registration_event_position"),
        ]
        indexes = [
            # Participants (going, then waitlisted, by arrival) and the head of the waitlist.
            models.Index(fields=["event", "status", "position"], name="idx_registrations_queue"),
            # A member's live registrations, dropped when the membership ends.
            models.Index(fields=["member"], condition=Q(status__in=["going", "waitlisted"]),
                         name="idx_registrations_live_member"),
            models.Index(fields=["user", "event"], name="idx_registrations_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display().lower()}, {self.event}"
