"""Events test helpers: an event maker and a shared setting for the events RBAC tables.

The world is the cast of tests/rbac_world.py; "organizer" is an ordinary member who
organises `world.event` (scheduled, tomorrow, 2 seats, one member going).
"""

import functools
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from events.models import Event, Registration, RegistrationStatus
from members.models import Member
from tests import rbac_world
from tests.rbac_world import Cast, actors, case_run, cast_build

ACTORS = actors("organizer")
MANAGERS = {"admin", "owner", "superadmin"}  # hold event.manage (the Moderator role does not)
CREATORS = {"member", "organizer", "moderator", "admin", "owner", "superadmin"}  # event.create, not muted
MEMBERS = {"member", "muted", "organizer", "moderator", "admin", "owner"}  # active members
allow = functools.partial(rbac_world.allow, ACTORS)
everyone = functools.partial(rbac_world.everyone, ACTORS)


def event_make(community, *, organizer=None, starts_in: timedelta = timedelta(days=1),
               duration: timedelta = timedelta(hours=2), **fields: object) -> Event:
    """An event straight in the database (times relative to now); no outbox row."""
    starts_at = fields.pop("starts_at", None) or timezone.now() + starts_in
    fields.setdefault("location", "Community hall")
    fields.setdefault("title", "Meetup")
    return Event.objects.create(community=community, organizer=organizer or community.owner,
                                starts_at=starts_at, ends_at=fields.pop("ends_at", None) or starts_at + duration,
                                **fields)


def registration_make(event: Event, user, status: str = RegistrationStatus.GOING) -> Registration:
    """A registration straight in the database, keeping the event's counters and sequence true."""
    from django.db.models import F

    member = Member.objects.get(community_id=event.community_id, user=user)
    event.refresh_from_db()
    registration = Registration.objects.create(event=event, member=member, user=user, status=status,
                                               position=event.registration_seq + 1, registered_at=timezone.now())
    counter = "going_count" if status == RegistrationStatus.GOING else "waitlist_count"
    Event.objects.filter(pk=event.pk).update(registration_seq=F("registration_seq") + 1, **{counter: F(counter) + 1})
    event.refresh_from_db()
    return registration


@dataclass
class World(Cast):
    event: Event


def build_world() -> World:
    cast = cast_build("organizer")
    community, users = cast.community, cast.users
    event = event_make(community, organizer=users["organizer"], capacity=2, online_url="https://meet.example.com/x")
    registration_make(event, users["organizer"])
    return World(community=community, users=users, event=event)


def run_case(matrix: dict, endpoint: tuple[str, str], actor: str) -> None:
    """Build a world, send the endpoint's request as `actor`, compare with the table."""
    case_run(build_world(), matrix, endpoint, actor)
