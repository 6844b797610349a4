"""Events test helpers: an event maker and a shared setting for the events RBAC tables.

The world is one public community with a caller of every kind; "organizer" is an ordinary
member who organises `world.event` (scheduled, tomorrow, 2 seats, one member going).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Event, Registration, RegistrationStatus
from members.models import Member, MemberStatus
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add

ACTORS = ["anonymous", "non_member", "pending", "member", "muted", "organizer", "moderator", "admin", "owner",
          "superadmin", "banned"]  # fmt: skip
MANAGERS = {"admin", "owner", "superadmin"}  # hold event.manage (the Moderator role does not)
CREATORS = {"member", "organizer", "moderator", "admin", "owner", "superadmin"}  # event.create, not muted
MEMBERS = {"member", "muted", "organizer", "moderator", "admin", "owner"}  # active members


def allow(ok: int, who: set[str], *, other: int = 403, anonymous: int = 401) -> dict[str, int]:
    return {actor: ok if actor in who else (anonymous if actor == "anonymous" else other) for actor in ACTORS}


def everyone(ok: int, *, banned: int | None = 403) -> dict[str, int]:
    table = dict.fromkeys(ACTORS, ok)
    if banned is not None:
        table["banned"] = banned
    return table


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
class World:
    community: object
    users: dict
    event: Event

    def client(self, actor: str) -> APIClient:
        if actor == "anonymous":
            return APIClient()
        return client_for(self.users[actor], is_superadmin=actor == "superadmin")


def build_world() -> World:
    owner = UserFactory()
    community = CommunityFactory(owner=owner, community_type="public")

    def add(status: str = MemberStatus.ACTIVE, role: str | None = "Member", **fields: object) -> object:
        return member_add(community, role=role, status=status, **fields)

    users = {
        "owner": owner,
        "admin": add(role="Admin"),
        "moderator": add(role="Moderator"),
        "member": add(),
        "organizer": add(),
        "muted": add(muted_until=timezone.now() + timedelta(hours=1)),
        "pending": add(status=MemberStatus.PENDING, role=None),
        "banned": add(status=MemberStatus.BANNED, role=None),
        "non_member": UserFactory(),
        "superadmin": UserFactory(),
    }
    event = event_make(community, organizer=users["organizer"], capacity=2, online_url="https://meet.example.com/x")
    registration_make(event, users["organizer"])
    return World(community=community, users=users, event=event)


def run_case(matrix: dict, endpoint: tuple[str, str], actor: str) -> None:
    """Build a world, send the endpoint's request as `actor`, compare with the table."""
    build, expected = matrix[endpoint]
    world = build_world()
    url, body = build(world)
    response = getattr(world.client(actor), endpoint[1].lower())(url, body, format="json")
    assert response.status_code == expected[actor], (endpoint, actor, getattr(response, "data", None))
