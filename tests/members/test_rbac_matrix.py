"""Every communities/members/roles/invites endpoint × every kind of caller → expected status.

The table is the spec. `test_every_endpoint_has_a_row` fails when an endpoint is added
without deciding who may call it.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from communities.models import Community, Invite
from members.models import MemberStatus, Role
from tests.conftest import client_for
from tests.factories import ApiKeyFactory, CommunityFactory, InviteFactory, RoleFactory, UserFactory, member_add
from tests.routes import api_endpoints, url_for

ACTORS = ["anonymous", "non_member", "pending", "member", "muted", "moderator", "admin", "owner", "superadmin",
          "banned"]  # fmt: skip
MANAGERS = {"moderator", "admin", "owner", "superadmin"}  # hold member.manage / ban / mute / kick
ROLE_MANAGERS = {"admin", "owner", "superadmin"}  # hold role.manage and community.update


def allow(ok: int, who: set[str], *, other: int = 403, anonymous: int = 401) -> dict[str, int]:
    return {actor: ok if actor in who else (anonymous if actor == "anonymous" else other) for actor in ACTORS}


def everyone(ok: int, *, banned: int | None = None) -> dict[str, int]:
    table = dict.fromkeys(ACTORS, ok)
    if banned is not None:
        table["banned"] = banned
    return table


JOIN = {**everyone(409), "anonymous": 401, "non_member": 201, "superadmin": 201, "banned": 403}

# (url name, method) → (request builder, expected status per actor)
MATRIX = {
    ("community-list", "GET"): (lambda w: (url_for("community-list"), None), everyone(200)),
    ("community-list", "POST"): (
        lambda w: (url_for("community-list"), {"name": "New"}), {**everyone(201), "anonymous": 401},
    ),
    ("my-communities", "GET"): (lambda w: (url_for("my-communities"), None), {**everyone(200), "anonymous": 401}),
    # Keys are the caller's own: everyone signed in may list and create theirs; nobody else's.
    ("api-key-list", "GET"): (lambda w: (url_for("api-key-list"), None), {**everyone(200), "anonymous": 401}),
    ("api-key-list", "POST"): (
        lambda w: (url_for("api-key-list"), {"name": "k", "scopes": ["read"]}), {**everyone(201), "anonymous": 401},
    ),
    # Bot accounts: webhook.manage (the Admin role and the owner).
    ("bot-list", "GET"): (lambda w: (url_for("bot-list", community_pk=w.community.pk), None),
                          allow(200, ROLE_MANAGERS)),
    ("bot-list", "POST"): (lambda w: (url_for("bot-list", community_pk=w.community.pk), {"username": "a-bot"}),
                           allow(201, ROLE_MANAGERS)),
    ("bot-detail", "DELETE"): (
        lambda w: (url_for("bot-detail", community_pk=w.community.pk, user_id=UserFactory().pk), None),
        allow(404, ROLE_MANAGERS),
    ),
    ("bot-api-keys", "POST"): (
        lambda w: (url_for("bot-api-keys", community_pk=w.community.pk, user_id=UserFactory().pk),
                   {"name": "k", "scopes": ["read"]}),
        allow(404, ROLE_MANAGERS),
    ),
    # Webhooks: webhook.manage. Unknown endpoints and deliveries 404 for those who hold it.
    ("webhook-list", "GET"): (lambda w: (url_for("webhook-list", community_pk=w.community.pk), None),
                              allow(200, ROLE_MANAGERS)),
    ("webhook-list", "POST"): (
        lambda w: (url_for("webhook-list", community_pk=w.community.pk), {"url": "https://8.8.8.8/hook"}),
        allow(201, ROLE_MANAGERS),
    ),
    **{
        (name, method): (
            lambda w, name=name: (url_for(name, community_pk=w.community.pk, endpoint_id=UserFactory().pk),
                                  {"is_active": False} if name == "webhook-detail" else None),
            allow(404, ROLE_MANAGERS),
        )
        for name, method in [("webhook-detail", "GET"), ("webhook-detail", "PATCH"), ("webhook-detail", "DELETE"),
                             ("webhook-rotate-secret", "POST"), ("webhook-deliveries", "GET")]
    },
    ("webhook-redeliver", "POST"): (
        lambda w: (url_for("webhook-redeliver", community_pk=w.community.pk, endpoint_id=UserFactory().pk,
                           delivery_id=UserFactory().pk), None),
        allow(404, ROLE_MANAGERS),
    ),
    ("api-key-detail", "DELETE"): (
        lambda w: (url_for("api-key-detail", key_id=ApiKeyFactory().pk), None), {**everyone(404), "anonymous": 401},
    ),
    ("community-detail", "GET"): (
        lambda w: (url_for("community-detail", pk=w.community.pk), None), everyone(200, banned=403),
    ),
    ("community-detail", "PUT"): (
        lambda w: (url_for("community-detail", pk=w.community.pk), {"name": "Renamed", "community_type": "restricted"}),
        allow(200, ROLE_MANAGERS),
    ),
    ("community-detail", "PATCH"): (
        lambda w: (url_for("community-detail", pk=w.community.pk), {"name": "Renamed"}), allow(200, ROLE_MANAGERS),
    ),
    ("community-detail", "DELETE"): (
        lambda w: (url_for("community-detail", pk=w.community.pk), None), allow(204, {"owner", "superadmin"}),
    ),
    ("member-list", "GET"): (
        lambda w: (url_for("member-list", community_pk=w.community.pk), None), everyone(200, banned=403)),
        ("member-list", "POST"): (lambda w: (url_for("member-list", community_pk=w.community.pk), {}), JOIN,
    ),
    ("member-me", "GET"): (
        lambda w: (url_for("member-me", community_pk=w.community.pk), None), {**everyone(200), "anonymous": 401},
    ),
    ("member-detail", "GET"): (
        lambda w: (url_for("member-detail", community_pk=w.community.pk, user_id=w.target.pk), None),
        everyone(200, banned=403),
    ),
    ("member-detail", "PUT"): (
        lambda w: (url_for("member-detail", community_pk=w.community.pk, user_id=w.target.pk), {"nickname": "Nick"}),
        allow(200, MANAGERS),
    ),
    ("member-detail", "PATCH"): (
        lambda w: (url_for("member-detail", community_pk=w.community.pk, user_id=w.target.pk), {"nickname": "Nick"}),
        allow(200, MANAGERS),
    ),
    ("member-detail", "DELETE"): (
        lambda w: (url_for("member-detail", community_pk=w.community.pk, user_id=w.target.pk), None),
        allow(204, MANAGERS),
    ),
    ("join-request-list", "GET"): (
        lambda w: (url_for("join-request-list", community_pk=w.community.pk), None), allow(200, MANAGERS),
    ),
    ("join-request-approve", "POST"): (
        lambda w: (url_for("join-request-approve", community_pk=w.community.pk, user_id=w.applicant.pk), None),
        allow(200, MANAGERS),
    ),
    ("join-request-reject", "POST"): (
        lambda w: (url_for("join-request-reject", community_pk=w.community.pk, user_id=w.applicant.pk), None),
        allow(200, MANAGERS),
    ),
    ("ban-list", "GET"): (lambda w: (url_for("ban-list", community_pk=w.community.pk), None), allow(200, MANAGERS)),
    ("ban-list", "POST"): (
        lambda w: (url_for("ban-list", community_pk=w.community.pk), {"user_id": str(w.target.pk), "reason": "spam"}),
        allow(201, MANAGERS),
    ),
    ("ban-detail", "DELETE"): (
        lambda w: (url_for("ban-detail", community_pk=w.community.pk, user_id=w.banned_target.pk), None),
        allow(204, MANAGERS),
    ),
    ("mute-list", "GET"): (lambda w: (url_for("mute-list", community_pk=w.community.pk), None), allow(200, MANAGERS)),
    ("mute-list", "POST"): (
        lambda w: (url_for("mute-list", community_pk=w.community.pk),
                   {"user_id": str(w.target.pk), "duration_seconds": 600},
    ),
                            allow(201, MANAGERS)),
    ("mute-detail", "DELETE"): (
        lambda w: (url_for("mute-detail", community_pk=w.community.pk, user_id=w.muted_target.pk), None),
        allow(204, MANAGERS),
    ),
    ("community-transfer-ownership", "POST"): (
        lambda w: (url_for("community-transfer-ownership", community_pk=w.community.pk),
                   {"user_id": str(w.target.pk)}),
        allow(200, {"owner", "superadmin"}),
    ),
    ("role-list", "GET"): (
        lambda w: (url_for("role-list", community_pk=w.community.pk), None), everyone(200, banned=403)),
        ("role-list", "POST"): (lambda w: (url_for("role-list", community_pk=w.community.pk,
    ),
                                       {"name": "Helper 2", "priority": 5,
                                                        "permissions": ["post.create"]}), allow(201, ROLE_MANAGERS)),
    ("role-detail", "GET"): (
        lambda w: (url_for("role-detail", community_pk=w.community.pk, role_id=w.role.pk), None),
        everyone(200, banned=403),
    ),
    ("role-detail", "PUT"): (
        lambda w: (url_for("role-detail", community_pk=w.community.pk, role_id=w.role.pk),
                   {"name": "Helpers", "priority": 6},
    ),
                             allow(200, ROLE_MANAGERS)),
    ("role-detail", "PATCH"): (
        lambda w: (url_for("role-detail", community_pk=w.community.pk, role_id=w.role.pk), {"color": "#00FF00"}),
        allow(200, ROLE_MANAGERS),
    ),
    ("role-detail", "DELETE"): (
        lambda w: (url_for("role-detail", community_pk=w.community.pk, role_id=w.role.pk), None),
        allow(204, ROLE_MANAGERS),
    ),
    ("invite-list", "GET"): (
        lambda w: (url_for("invite-list", community_pk=w.community.pk), None), allow(200, MANAGERS),
    ),
    ("invite-list", "POST"): (
        lambda w: (url_for("invite-list", community_pk=w.community.pk), {"max_uses": 5}), allow(201, MANAGERS),
    ),
    ("invite-detail", "DELETE"): (
        lambda w: (url_for("invite-detail", community_pk=w.community.pk, invite_id=w.invite.pk), None),
        allow(204, MANAGERS),
    ),
    ("invite-preview", "GET"): (lambda w: (url_for("invite-preview", code=w.invite.code), None), everyone(200)),
    ("invite-accept", "POST"): (lambda w: (url_for("invite-accept", code=w.invite.code), None),
                                {**JOIN, "pending": 201}),
}


@dataclass
class World:
    """A restricted community with one user per kind of caller, and things to act on."""

    community: Community
    users: dict
    target: object
    applicant: object
    banned_target: object
    muted_target: object
    role: Role
    invite: Invite


def build_world() -> World:
    owner = UserFactory()
    community = CommunityFactory(owner=owner, community_type="restricted")
    now = timezone.now()

    def add(status: str = MemberStatus.ACTIVE, role: str | None = "Member", **fields: object) -> object:
        return member_add(community, role=role, status=status, **fields)

    hour = now + timedelta(hours=1)
    users = {
        "owner": owner,
        "admin": add(role="Admin"),
        "moderator": add(role="Moderator"),
        "member": add(),
        "muted": add(muted_until=hour),
        "pending": add(status=MemberStatus.PENDING, role=None),
        "banned": add(status=MemberStatus.BANNED, role=None),
        "non_member": UserFactory(),
        "superadmin": UserFactory(),
    }
    return World(
        community=community,
        users=users,
        target=add(),
        applicant=add(status=MemberStatus.PENDING, role=None),
        banned_target=add(status=MemberStatus.BANNED, role=None),
        muted_target=add(muted_until=hour),
        role=RoleFactory(community=community, name="Helper", priority=5, permissions=["post.create"]),
        invite=InviteFactory(community=community, code=f"code-{community.pk.hex[:12]}", created_by=owner),
    )


def _client(world: World, actor: str) -> APIClient:
    if actor == "anonymous":
        return APIClient()
    return client_for(world.users[actor], is_superadmin=actor == "superadmin")


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    build, expected = MATRIX[endpoint]
    world = build_world()
    url, body = build(world)
    response = getattr(_client(world, actor), endpoint[1].lower())(url, body, format="json")
    assert response.status_code == expected[actor], (endpoint, actor, getattr(response, "data", None))


def test_every_endpoint_has_a_row():
    # Community-scoped members/ and communities/ routes; content has its own tables and
    # auth has tests/members/test_auth_api.py.
    endpoints = api_endpoints(view_modules=("members.", "communities."), exclude=("members.views.auth",))
    missing = endpoints - set(MATRIX)
    assert not missing, f"add these endpoints to MATRIX: {sorted(missing)}"
