"""The cast every app's RBAC matrix plays: one public community and a caller of each kind.

Each app's world (tests/{content,events,billing}/world.py) names its own actor (the post's
author, the event's organizer, the subscriber: an ordinary member the app's objects belong
to) and adds its objects to the cast. A matrix row maps (route name, method) to a request
builder and the status each actor gets; every case builds a fresh world, so state changed by
one request never leaks into another.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from members.models import MemberStatus
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add


def actors(own: str) -> list[str]:
    """Every caller a matrix lists, with the app's own member `own` among them."""
    return ["anonymous", "non_member", "pending", "member", "muted", own, "moderator", "admin", "owner",
            "superadmin", "banned"]  # fmt: skip


def allow(actors: list[str], ok: int, who: set[str], *, other: int = 403, anonymous: int = 401) -> dict[str, int]:
    """`ok` for the callers in `who`; 401 for the anonymous one and `other` for the rest."""
    return {actor: ok if actor in who else (anonymous if actor == "anonymous" else other) for actor in actors}


def everyone(actors: list[str], ok: int, *, banned: int | None = 403) -> dict[str, int]:
    """`ok` for every caller, except the banned one (unless `banned` is None)."""
    table = dict.fromkeys(actors, ok)
    if banned is not None:
        table["banned"] = banned
    return table


@dataclass
class Cast:
    community: Any
    users: dict

    def client(self, actor: str) -> APIClient:
        if actor == "anonymous":
            return APIClient()
        return client_for(self.users[actor], is_superadmin=actor == "superadmin")


def cast_build(own: str) -> Cast:
    """A public community, its owner, an admin, a moderator, a member, `own` (a member), a
    muted, a pending and a banned member, a user who is not a member and a superadmin."""
    owner = UserFactory()
    community = CommunityFactory(owner=owner, community_type="public")

    def add(status: str = MemberStatus.ACTIVE, role: str | None = "Member", **fields: object) -> object:
        return member_add(community, role=role, status=status, **fields)

    users = {
        "owner": owner,
        "admin": add(role="Admin"),
        "moderator": add(role="Moderator"),
        "member": add(),
        own: add(),
        "muted": add(muted_until=timezone.now() + timedelta(hours=1)),
        "pending": add(status=MemberStatus.PENDING, role=None),
        "banned": add(status=MemberStatus.BANNED, role=None),
        "non_member": UserFactory(),
        "superadmin": UserFactory(),
    }
    return Cast(community=community, users=users)


def case_run(world: Cast, matrix: dict, endpoint: tuple[str, str], actor: str, **headers: str) -> None:
    """Send the endpoint's request in `world` as `actor`, compare with the matrix."""
    build, expected = matrix[endpoint]
    url, body, *fmt = build(world)  # a builder may add a request format, e.g. "multipart"
    client = world.client(actor)
    response = getattr(client, endpoint[1].lower())(url, body, format=fmt[0] if fmt else "json", **headers)
    assert response.status_code == expected[actor], (endpoint, actor, getattr(response, "content", None))
