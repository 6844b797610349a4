"""Events test helpers: an event maker and a shared setting for the events RBAC tables.

The world is the cast of tests/rbac_world.py; "organizer" is an ordinary member who
organises `world.event` (scheduled, tomorrow, 2 seats, one member going).
"""

import functools
from dataclasses import dataclass
from datetime import timedelta

from events.models import Event, Registration, RegistrationStatus
from tests import rbac_world
from tests.factories import EventFactory, RegistrationFactory
from tests.rbac_world import Cast, actors, case_run, cast_build

ACTORS = actors("organizer")
MANAGERS = {"admin", "owner", "superadmin"}  # hold event.manage (the Moderator role does not)
CREATORS = {"member", "organizer", "moderator", "admin", "owner", "superadmin"}  # event.create, not muted
MEMBERS = {"member", "muted", "organizer", "moderator", "admin", "owner"}  # active members
allow = functools.partial(rbac_world.allow, ACTORS)
everyone = functools.partial(rbac_world.everyone, ACTORS)


def event_make(community, *, organizer=None, starts_in: timedelta = timedelta(days=1),
               duration: timedelta = timedelta(hours=2), **fields: object) -> Event:
    """EventFactory with the community first (times relative to now); no outbox row."""
    return EventFactory(community=community, organizer=organizer or community.owner, starts_in=starts_in,
                        duration=duration, **fields)


def registration_make(event: Event, user, status: str = RegistrationStatus.GOING) -> Registration:
    """RegistrationFactory for a member: keeps the event's counters and sequence true (and
    refreshes `event`)."""
    return RegistrationFactory(event=event, user=user, status=status)


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
