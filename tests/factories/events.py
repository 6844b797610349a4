"""Events and registrations.

RegistrationFactory keeps the event's counters true, as the registration service does: it
takes the next arrival number (registration_seq) and adds one to going_count or
waitlist_count with F() updates. It does not decide going vs waitlisted: past capacity a
`going` registration breaks ck_event_going_within_capacity, as it should.
"""

from datetime import timedelta
from typing import Any

import factory
from django.db.models import F
from django.utils import timezone

from events.models import Event, EventStatus, Registration, RegistrationStatus
from members.models import Member
from tests.factories.communities import CommunityFactory
from tests.factories.members import MemberFactory, UserFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A scheduled event of the community, organised by its owner, `starts_in` from now
    (default a day) for `duration` (two hours). No outbox row."""

    class Meta:
        model = Event

    class Params:
        starts_in = timedelta(days=1)
        duration = timedelta(hours=2)
        cancelled = factory.Trait(status=EventStatus.CANCELLED, cancel_reason="The venue fell through.",
                                  cancelled_at=factory.LazyFunction(timezone.now))
        members_only = factory.Trait(is_members_only=True)
        online = factory.Trait(location="", online_url="https://meet.example.com/room")
        ongoing = factory.Trait(status=EventStatus.ONGOING, starts_in=timedelta(hours=-1))
        completed = factory.Trait(status=EventStatus.COMPLETED, starts_in=timedelta(days=-2))

    community = factory.SubFactory(CommunityFactory)
    organizer = factory.SelfAttribute("community.owner")
    title = "Meetup"
    location = "Community hall"
    starts_at = factory.LazyAttribute(lambda e: timezone.now() + e.starts_in)
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + e.duration)


def _membership(registration: Any) -> Member:
    """The user's membership of the event's community; a new active one if they have none."""
    member = Member.objects.filter(community_id=registration.event.community_id, user=registration.user).first()
    return member or MemberFactory(community=registration.event.community, user=registration.user)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A going registration of `user` (made a member if not one); `waitlisted` queues it.
    Keeps the event's counters and arrival numbers true."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    member = factory.LazyAttribute(_membership)
    status = RegistrationStatus.GOING
    registered_at = factory.LazyFunction(timezone.now)

    class Params:
        waitlisted = factory.Trait(status=RegistrationStatus.WAITLISTED)
        cancelled = factory.Trait(status=RegistrationStatus.CANCELLED, cancelled_at=factory.LazyFunction(timezone.now))

    @classmethod
    def _create(cls, model_class: type[Registration], *args: Any, **kwargs: Any) -> Registration:
        event: Event = kwargs["event"]
        status = kwargs["status"]
        counter = {RegistrationStatus.GOING: "going_count", RegistrationStatus.WAITLISTED: "waitlist_count"}.get(status)
        updates: dict[str, Any] = {"registration_seq": F("registration_seq") + 1}
        if counter:
            updates[counter] = F(counter) + 1
        Event.objects.filter(pk=event.pk).update(**updates)
        event.refresh_from_db()
        kwargs.setdefault("position", event.registration_seq)
        return super()._create(model_class, *args, **kwargs)
