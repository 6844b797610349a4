"""CommunityService over a real loopback channel: GetCommunity, GetMember, CheckPermission.

CheckPermission's expectations are read from the REST RBAC matrices (tests/members/
test_rbac_matrix.py, tests/content/test_rbac_posts.py): for each row, a caller is allowed
over gRPC exactly when the REST endpoint lets them act. A change to a REST rule moves
both tables at once.
"""

# Why this is long: one test per RPC and per error mapping of the CommunityService.

import uuid
from datetime import timedelta

import grpc
import pytest
from django.utils import timezone

from community_service.grpc_api.gen.community.v1 import communities_pb2
from members.models import Member, MemberStatus, Role, User
from tests.conftest import client_for
from tests.content import test_rbac_posts as content_rest
from tests.content.world import build_world as build_content_world
from tests.factories import ChannelFactory, ChannelOverwriteFactory, CommunityFactory, UserFactory, member_add
from tests.grpc_api.conftest import Refusal
from tests.members import test_rbac_matrix as members_rest
from tests.routes import url_for

pytestmark = pytest.mark.django_db(transaction=True)
C = communities_pb2


def ok(status: int) -> bool:
    return 200 <= status < 300


# --- GetCommunity -----------------------------------------------------------------------


def test_get_community_by_id_or_slug(grpc_client):
    community = CommunityFactory(description="About us")
    for key in (str(community.pk), community.slug):
        message = grpc_client.call(grpc_client.communities.GetCommunity, C.GetCommunityRequest(community_id=key))
        assert message.id == str(community.pk) and message.slug == community.slug
        assert message.community_type == C.COMMUNITY_TYPE_PUBLIC and message.status == C.COMMUNITY_STATUS_ACTIVE
        assert message.owner_id == str(community.owner_id) and message.description == "About us"
        assert message.member_count == 1 and message.created_at.seconds > 0
        assert message.language == community.language and message.post_moderation is False


@pytest.mark.parametrize(("who", "code"), [
    ("service", grpc.StatusCode.OK),
    ("member", grpc.StatusCode.OK),
    ("stranger", grpc.StatusCode.NOT_FOUND),
    ("banned", grpc.StatusCode.PERMISSION_DENIED),
])
def test_a_private_community_is_shown_to_its_members_and_the_service(grpc_client, who, code):
    community = CommunityFactory(community_type="private")
    users = {"service": None, "member": member_add(community), "stranger": UserFactory(),
             "banned": member_add(community, status=MemberStatus.BANNED, role=None)}
    result = grpc_client.call(grpc_client.communities.GetCommunity,
                              C.GetCommunityRequest(community_id=str(community.pk)), user=users[who])
    assert (result.code if isinstance(result, Refusal) else grpc.StatusCode.OK) == code


@pytest.mark.parametrize("community_id", ["", "no-such-slug", str(uuid.uuid4())])
def test_get_community_refuses_unknown_communities(grpc_client, community_id):
    refusal = grpc_client.call(grpc_client.communities.GetCommunity, C.GetCommunityRequest(community_id=community_id))
    expected = grpc.StatusCode.INVALID_ARGUMENT if not community_id else grpc.StatusCode.NOT_FOUND
    assert refusal.code == expected


def test_a_deleted_community_is_not_found(grpc_client):
    community = CommunityFactory()
    type(community).objects.filter(pk=community.pk).update(deleted_at=timezone.now())
    refusal = grpc_client.call(grpc_client.communities.GetCommunity,
                               C.GetCommunityRequest(community_id=str(community.pk)))
    assert refusal.code == grpc.StatusCode.NOT_FOUND


# --- GetMember --------------------------------------------------------------------------


def test_get_member_returns_status_roles_and_mute(grpc_client):
    community = CommunityFactory()
    until = timezone.now() + timedelta(hours=1)
    user = member_add(community, role="Moderator", muted_until=until, nickname="Mo")
    member = grpc_client.call(grpc_client.communities.GetMember,
                              C.GetMemberRequest(community_id=community.slug, user_id=str(user.pk)))
    assert member.user.id == str(user.pk) and member.user.username == user.username and member.nickname == "Mo"
    assert member.status == C.MEMBER_STATUS_ACTIVE and not member.is_owner and member.is_muted
    assert [(role.name, role.priority) for role in member.roles] == [("Moderator", 50)]
    assert member.muted_until.ToDatetime().replace(tzinfo=until.tzinfo) == until.replace(microsecond=until.microsecond)
    assert not member.HasField("banned_until")


def test_get_member_shows_banned_and_left_rows(grpc_client):
    community = CommunityFactory()
    banned = member_add(community, status=MemberStatus.BANNED, role=None, ban_reason="spam")
    member = grpc_client.call(grpc_client.communities.GetMember,
                              C.GetMemberRequest(community_id=str(community.pk), user_id=str(banned.pk)))
    assert member.status == C.MEMBER_STATUS_BANNED and member.ban_reason == "spam"
    assert not member.HasField("banned_until")  # permanent


@pytest.mark.parametrize(("user_id", "code"), [
    ("", grpc.StatusCode.INVALID_ARGUMENT),
    ("nope", grpc.StatusCode.INVALID_ARGUMENT),
    (str(uuid.uuid4()), grpc.StatusCode.NOT_FOUND),
])
def test_get_member_refuses_unknown_and_malformed_users(grpc_client, user_id, code):
    community = CommunityFactory()
    refusal = grpc_client.call(grpc_client.communities.GetMember,
                               C.GetMemberRequest(community_id=str(community.pk), user_id=user_id))
    assert refusal.code == code


def test_banned_users_cannot_read_members(grpc_client):
    community = CommunityFactory()
    banned = member_add(community, status=MemberStatus.BANNED, role=None)
    refusal = grpc_client.call(grpc_client.communities.GetMember, C.GetMemberRequest(
        community_id=str(community.pk), user_id=str(community.owner_id)), user=banned)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, "banned")


# --- CheckPermission: the REST matrices, row by row ----------------------------------------


def _superadmin(users: dict) -> None:
    # A JWT's is_superadmin claim comes from is_superuser; over gRPC the user row says it.
    User.objects.filter(pk=users["superadmin"].pk).update(is_superuser=True)


def _check(grpc_client, community_id: object, user: User, permission: str, **fields: str) -> C.CheckPermissionResponse:
    return grpc_client.call(grpc_client.communities.CheckPermission, C.CheckPermissionRequest(
        user_id=str(user.pk), community_id=str(community_id), permission=permission, **fields))


# permission code (and whether it acts on a target member) ← the REST row whose gate it is
MEMBER_ROWS = {
    ("member.kick", True): ("member-detail", "DELETE"),
    ("member.ban", True): ("ban-list", "POST"),
    ("member.mute", True): ("mute-list", "POST"),
    ("member.manage", False): ("join-request-list", "GET"),
    ("role.manage", False): ("role-list", "POST"),
    ("community.update", False): ("community-detail", "PATCH"),
    ("community.delete", False): ("community-detail", "DELETE"),
}


@pytest.mark.parametrize(("permission", "targeted"), list(MEMBER_ROWS))
def test_check_permission_matches_the_rest_matrix_for_members_and_roles(grpc_client, permission, targeted):
    world = members_rest.build_world()
    _superadmin(world.users)
    community_id = str(world.community.pk)
    _, expected = members_rest.MATRIX[MEMBER_ROWS[(permission, targeted)]]
    fields = {"target_user_id": str(world.target.pk)} if targeted else {}
    answers = {actor: _check(grpc_client, community_id, user, permission, **fields).allowed
               for actor, user in world.users.items()}
    assert answers == {actor: ok(expected[actor]) for actor in world.users}


CONTENT_ROWS = {
    "post.create": ("post-list", "POST"),
    "post.moderate": ("post-pin", "POST"),
    "channel.manage": ("channel-list", "POST"),
}


@pytest.mark.parametrize("permission", list(CONTENT_ROWS))
def test_check_permission_matches_the_rest_matrix_for_posts_and_channels(grpc_client, permission):
    world = build_content_world()
    _superadmin(world.users)
    _, expected = content_rest.MATRIX[CONTENT_ROWS[permission]]
    fields = {"channel_id": str(world.channel.pk)} if permission == "post.create" else {}
    answers = {actor: _check(grpc_client, world.community.pk, user, permission, **fields).allowed
               for actor, user in world.users.items()}
    assert answers == {actor: ok(expected[actor]) for actor in world.users}


# --- CheckPermission: reasons ----------------------------------------------------------------


@pytest.mark.parametrize(("actor", "permission", "allowed", "reason"), [
    ("owner", "community.delete", True, "owner"),
    ("superadmin", "community.delete", True, "superadmin"),
    ("admin", "community.delete", False, "permission_denied"),
    ("moderator", "post.moderate", True, "granted"),
    ("member", "post.moderate", False, "permission_denied"),
    ("banned", "post.create", False, "banned"),
    ("banned", "analytics.view", False, "banned"),
    ("pending", "post.create", False, "not_member"),
    ("non_member", "event.create", False, "permission_denied"),  # as REST answers
    ("muted", "post.create", False, "muted"),
    ("muted", "comment.create", False, "muted"),
    ("muted", "event.create", True, "granted"),  # a mute silences, it does not take roles away
])
def test_check_permission_says_why(grpc_client, actor, permission, allowed, reason):
    world = build_content_world()
    _superadmin(world.users)
    answer = _check(grpc_client, world.community.pk, world.users[actor], permission)
    assert (answer.allowed, answer.reason) == (allowed, reason), answer.message
    assert answer.message


@pytest.mark.parametrize(("actor", "target", "allowed", "reason"), [
    ("moderator", "member", True, "granted"),
    ("moderator", "admin", False, "hierarchy"),
    ("moderator", "moderator", False, "hierarchy"),   # equal rank is not above
    ("admin", "moderator", True, "granted"),
    ("admin", "owner", False, "owner_protected"),
    ("superadmin", "owner", False, "owner_protected"),
    ("owner", "admin", True, "owner"),
])
def test_check_permission_applies_the_hierarchy_to_a_target(grpc_client, actor, target, allowed, reason):
    world = build_content_world()
    _superadmin(world.users)
    peer = member_add(world.community, role="Moderator")
    target_user = peer if (actor, target) == ("moderator", "moderator") else world.users[target]
    answer = _check(grpc_client, world.community.pk, world.users[actor], "member.kick",
                    target_user_id=str(target_user.pk))
    assert (answer.allowed, answer.reason) == (allowed, reason), answer.message


def test_check_permission_applies_channel_overwrites_and_announcement_channels(grpc_client):
    world = build_content_world()
    member = world.users["member"]
    member_role = Role.objects.get(community=world.community, name="Member")
    quiet = ChannelFactory(community=world.community, name="Quiet", slug="quiet")
    ChannelOverwriteFactory(channel=quiet, role=member_role, denying=True)
    answers = {name: _check(grpc_client, world.community.pk, member, "post.create", channel_id=str(channel.pk))
               for name, channel in (("general", world.channel), ("quiet", quiet), ("news", world.announcements))}
    assert {name: (a.allowed, a.reason) for name, a in answers.items()} == {
        "general": (True, "granted"), "quiet": (False, "permission_denied"), "news": (False, "permission_denied"),
    }
    # A member-level overwrite beats the role's deny.
    ChannelOverwriteFactory(channel=quiet, role=None,
                            member=Member.objects.get(user=member, community=world.community))
    assert _check(grpc_client, world.community.pk, member, "post.create", channel_id=str(quiet.pk)).allowed


def test_check_permission_defaults_to_the_calling_user(grpc_client):
    world = build_content_world()
    answer = grpc_client.call(grpc_client.communities.CheckPermission, C.CheckPermissionRequest(
        community_id=str(world.community.pk), permission="post.moderate"), user=world.users["moderator"])
    assert answer.allowed and answer.reason == "granted"


def test_check_permission_follows_a_ban_at_once(grpc_client):
    world = build_content_world()
    member = world.users["member"]
    assert _check(grpc_client, world.community.pk, member, "post.create").allowed
    # The RBAC cache is invalidated by the ban service, as for REST.
    from members.selectors.access import community_access
    from members.services.moderation import member_ban

    moderator = community_access(community_id=world.community.pk, user=world.users["moderator"])
    member_ban(actor=moderator, community=world.community, user=member, duration=None, reason="spam")
    answer = _check(grpc_client, world.community.pk, member, "post.create")
    assert (answer.allowed, answer.reason) == (False, "banned")


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"permission": "post.fly"}, grpc.StatusCode.INVALID_ARGUMENT, "permission"),
    ({"permission": ""}, grpc.StatusCode.INVALID_ARGUMENT, "permission"),
    ({"user_id": ""}, grpc.StatusCode.INVALID_ARGUMENT, "user_id"),  # the service must name the user
    ({"user_id": "nope"}, grpc.StatusCode.INVALID_ARGUMENT, "user_id"),
    ({"user_id": str(uuid.uuid4())}, grpc.StatusCode.NOT_FOUND, None),
    ({"target_user_id": str(uuid.uuid4())}, grpc.StatusCode.NOT_FOUND, None),
    ({"channel_id": str(uuid.uuid4())}, grpc.StatusCode.INVALID_ARGUMENT, "channel_id"),
    ({"community_id": "missing"}, grpc.StatusCode.NOT_FOUND, None),
])
def test_check_permission_refuses_questions_it_cannot_answer(grpc_client, fields, code, field):
    community = CommunityFactory()
    request = {"user_id": str(community.owner_id), "community_id": str(community.pk), "permission": "post.create",
               **fields}
    refusal = grpc_client.call(grpc_client.communities.CheckPermission, C.CheckPermissionRequest(**request))
    assert refusal.code == code
    if field:
        assert refusal.fields == [field]


# --- GetMember: moderation state is moderators' knowledge -------------------------------------


@pytest.mark.parametrize(("actor", "target", "visible"), [
    ("member", "banned", False),
    ("member", "pending", False),
    ("non_member", "banned", False),
    ("moderator", "banned", True),   # holds member.ban
    ("admin", "pending", True),      # holds member.manage
    ("pending", "pending", True),    # one's own row
    ("member", "moderator", True),   # active rows are for whoever sees the community
])
def test_get_member_shows_pending_and_banned_rows_only_to_who_may_list_them(grpc_client, actor, target, visible):
    world = build_content_world()
    answer = grpc_client.call(grpc_client.communities.GetMember, C.GetMemberRequest(
        community_id=str(world.community.pk), user_id=str(world.users[target].pk)), user=world.users[actor])
    rest = client_for(world.users[actor]).get(url_for("member-detail", community_pk=world.community.pk,
                                                      user_id=world.users[target].pk))
    if visible:
        assert not isinstance(answer, Refusal) and answer.user.id == str(world.users[target].pk)
        assert rest.status_code == 200
    else:
        assert isinstance(answer, Refusal) and answer.code == grpc.StatusCode.NOT_FOUND
        assert rest.status_code == 404 and "ban_reason" not in rest.json()
