"""The membership services' rules, called directly: joining by community type, leaving,
the hierarchy on kicks, bans, mutes and role changes, invites, ownership, and the count."""

# Why this is long: one test per rule and refusal of the membership services.

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from community_service.exceptions import Conflict, NotFound, PermissionDenied, UnknownReference
from community_service.outbox.models import OutboxEvent
from members.models import Member, MemberStatus, Role, User
from members.selectors.access import CommunityAccess, community_access
from members.services.invites import invite_accept, invite_create, invite_revoke
from members.services.memberships import join_request_decide, member_join, member_kick, member_leave, member_update
from members.services.moderation import member_ban, member_mute, member_unban, member_unmute
from members.services.ownership import community_transfer_ownership
from members.services.roles import role_delete
from tests.factories import CommunityFactory, RoleFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def community() -> Community:
    return CommunityFactory()


def _access(community: Community, user: User) -> CommunityAccess:
    return community_access(community_id=community.pk, user=user)


def _member(community: Community, user: User) -> Member:
    return Member.objects.get(community=community, user=user)


def _count(community: Community) -> int:
    community.refresh_from_db()
    assert community.member_count == Member.objects.filter(community=community, status=MemberStatus.ACTIVE).count()
    return community.member_count


def _events(member: Member) -> list[str]:
    return list(OutboxEvent.objects.filter(aggregate_id=str(member.pk)).order_by("id")
                .values_list("event_type", flat=True))


# Joining


def test_joining_a_public_community_makes_an_active_member_with_the_default_role(community):
    member = member_join(community=community, user=UserFactory())
    assert member.status == MemberStatus.ACTIVE
    assert [role.name for role in member.roles.all()] == ["Member"]
    assert _count(community) == 2
    assert _events(member) == ["member.joined"]


def test_joining_a_restricted_community_waits_for_approval_once(community):
    Community.objects.filter(pk=community.pk).update(community_type="restricted")
    community.refresh_from_db()
    user = UserFactory()
    member = member_join(community=community, user=user, message="hello")
    assert member.status == MemberStatus.PENDING and _count(community) == 1
    with pytest.raises(Conflict) as refused:
        member_join(community=community, user=user)
    assert refused.value.code == "already_pending"


def test_a_private_community_needs_an_invite(community):
    Community.objects.filter(pk=community.pk).update(community_type="private")
    community.refresh_from_db()
    with pytest.raises(PermissionDenied) as refused:
        member_join(community=community, user=UserFactory())
    assert refused.value.code == "invite_required"


def test_an_active_member_cannot_join_again(community):
    with pytest.raises(Conflict) as refused:
        member_join(community=community, user=member_add(community))
    assert refused.value.code == "already_member"


def test_a_banned_user_cannot_join_until_the_ban_ends(community):
    user = UserFactory()
    moderator = member_add(community, role="Moderator")
    member_ban(actor=_access(community, moderator), community=community, user=user, duration=timedelta(hours=1))
    with pytest.raises(PermissionDenied) as refused:
        member_join(community=community, user=user)
    assert refused.value.code == "banned"
    Member.objects.filter(community=community, user=user).update(banned_until=timezone.now() - timedelta(seconds=1))
    assert member_join(community=community, user=user).status == MemberStatus.ACTIVE


def test_a_join_request_is_approved_into_the_count_or_rejected_out(community):
    Community.objects.filter(pk=community.pk).update(community_type="restricted")
    community.refresh_from_db()
    approved = member_join(community=community, user=UserFactory())
    rejected = member_join(community=community, user=UserFactory())
    owner = _access(community, community.owner)
    assert join_request_decide(actor=owner, member=approved, approve=True).status == MemberStatus.ACTIVE
    assert join_request_decide(actor=owner, member=rejected, approve=False).status == MemberStatus.REJECTED
    assert _count(community) == 2
    with pytest.raises(Conflict) as refused:
        join_request_decide(actor=owner, member=approved, approve=True)
    assert refused.value.code == "not_pending"


# Invites


def test_an_invite_lets_a_user_into_a_private_community_and_counts_a_use(community):
    Community.objects.filter(pk=community.pk).update(community_type="private")
    invite = invite_create(community=community, created_by=community.owner, max_uses=1)
    member = invite_accept(code=invite.code, user=UserFactory())
    assert member.status == MemberStatus.ACTIVE and _count(community) == 2
    invite.refresh_from_db()
    assert invite.uses == 1
    with pytest.raises(Conflict) as refused:
        invite_accept(code=invite.code, user=UserFactory())
    assert refused.value.code == "invite_used_up"


def test_a_revoked_or_unknown_invite_lets_nobody_in(community):
    invite = invite_revoke(invite=invite_create(community=community, created_by=community.owner))
    with pytest.raises(Conflict) as refused:
        invite_accept(code=invite.code, user=UserFactory())
    assert refused.value.code == "invite_revoked"
    with pytest.raises(NotFound):
        invite_accept(code="no-such-code", user=UserFactory())


# Leaving and kicks


def test_leaving_uncounts_the_member_and_leaving_again_is_refused(community):
    member = _member(community, member_add(community))
    member_leave(member=member)
    assert _count(community) == 1
    assert _events(member) == ["member.left"]
    with pytest.raises(Conflict) as refused:
        member_leave(member=member)
    assert refused.value.code == "not_member"


def test_the_owner_cannot_leave(community):
    with pytest.raises(Conflict) as refused:
        member_leave(member=_member(community, community.owner))
    assert refused.value.code == "owner_cannot_leave"


def test_a_moderator_kicks_a_member_but_not_an_admin_nor_the_owner(community):
    moderator = member_add(community, role="Moderator")
    access = _access(community, moderator)
    kicked = member_kick(actor=access, member=_member(community, member_add(community)))
    assert kicked.status == MemberStatus.KICKED
    with pytest.raises(PermissionDenied) as above:
        member_kick(actor=access, member=_member(community, member_add(community, role="Admin")))
    assert above.value.code == "hierarchy"
    with pytest.raises(PermissionDenied) as owner:
        member_kick(actor=access, member=_member(community, community.owner))
    assert owner.value.code == "owner_protected"


def test_equal_rank_is_not_enough_to_kick(community):
    moderator, peer = member_add(community, role="Moderator"), member_add(community, role="Moderator")
    with pytest.raises(PermissionDenied):
        member_kick(actor=_access(community, moderator), member=_member(community, peer))


# Bans and mutes


def test_banning_an_active_member_removes_and_uncounts_them(community):
    moderator = member_add(community, role="Moderator")
    target = member_add(community)
    member = member_ban(actor=_access(community, moderator), community=community, user=target, duration=None,
                        reason="spam")
    assert (member.status, member.banned_until, member.ban_reason) == (MemberStatus.BANNED, None, "spam")
    assert _count(community) == 2
    assert _events(member) == ["member.left", "member.banned"]


def test_a_user_who_never_joined_can_be_banned_ahead(community):
    moderator = member_add(community, role="Moderator")
    member = member_ban(actor=_access(community, moderator), community=community, user=UserFactory(),
                        duration=timedelta(days=1))
    assert member.status == MemberStatus.BANNED and _count(community) == 2
    assert _events(member) == ["member.banned"]


def test_unbanning_lets_a_user_join_again(community):
    moderator = member_add(community, role="Moderator")
    user = UserFactory()
    member = member_ban(actor=_access(community, moderator), community=community, user=user, duration=None)
    assert member_unban(actor=_access(community, moderator), member=member).status == MemberStatus.LEFT
    with pytest.raises(Conflict):
        member_unban(actor=_access(community, moderator), member=member)
    assert member_join(community=community, user=user).status == MemberStatus.ACTIVE


def test_mutes_follow_the_hierarchy_and_only_a_muted_member_is_unmuted(community):
    moderator = member_add(community, role="Moderator")
    access = _access(community, moderator)
    member = _member(community, member_add(community))
    muted = member_mute(actor=access, member=member, duration=timedelta(minutes=5))
    assert muted.muted_until > timezone.now()
    assert member_unmute(actor=access, member=muted).muted_until is None
    with pytest.raises(Conflict) as refused:
        member_unmute(actor=access, member=muted)
    assert refused.value.code == "not_muted"
    with pytest.raises(PermissionDenied):
        member_mute(actor=access, member=_member(community, member_add(community, role="Admin")),
                    duration=timedelta(minutes=5))


# Roles of a member


def _role(community: Community, name: str, priority: int, permissions: list[str]) -> Role:
    return RoleFactory(community=community, name=name, priority=priority, permissions=permissions)


def test_an_admin_assigns_a_role_below_their_own(community):
    admin = member_add(community, role="Admin")
    member = _member(community, member_add(community))
    helper = _role(community, "Helper", 10, ["post.create"])
    default = Role.objects.get(community=community, is_default=True)
    updated = member_update(actor=_access(community, admin), actor_user=admin, member=member,
                            role_ids=[default.pk, helper.pk])
    assert {role.name for role in updated.roles.all()} == {"Member", "Helper"}
    assert _events(member) == ["member.roles_changed"]


def test_nobody_assigns_a_role_at_or_above_their_own_rank(community):
    moderator = member_add(community, role="Moderator")
    Role.objects.filter(community=community, name="Moderator").update(permissions=["post.create", "role.manage"])
    member = _member(community, member_add(community))
    peer = _role(community, "Peer", 50, ["post.create"])
    with pytest.raises(PermissionDenied) as refused:
        member_update(actor=_access(community, moderator), actor_user=moderator, member=member, role_ids=[peer.pk])
    assert refused.value.code == "hierarchy"


def test_nobody_grants_a_permission_they_do_not_hold(community):
    moderator = member_add(community, role="Moderator")
    Role.objects.filter(community=community, name="Moderator").update(
        permissions=["post.create", "role.manage", "member.manage"]
    )
    member = _member(community, member_add(community))
    billing = _role(community, "Treasurer", 10, ["billing.manage"])
    with pytest.raises(PermissionDenied) as refused:
        member_update(actor=_access(community, moderator), actor_user=moderator, member=member,
                      role_ids=[billing.pk])
    assert refused.value.code == "hierarchy"


def test_a_role_of_another_community_or_a_deleted_one_is_unknown(community):
    admin = member_add(community, role="Admin")
    member = _member(community, member_add(community))
    foreign = Role.objects.filter(community=CommunityFactory()).first()
    # An id in the body naming nothing here is a 400 on its field (docs/api.md); 404 is for the path.
    with pytest.raises(UnknownReference) as refused:
        member_update(actor=_access(community, admin), actor_user=admin, member=member, role_ids=[foreign.pk])
    assert (refused.value.field, refused.value.code) == ("role_ids", "does_not_exist")


def test_a_member_renames_themselves_but_another_only_with_member_manage_from_above(community):
    member_user = member_add(community)
    member = _member(community, member_user)
    assert member_update(actor=_access(community, member_user), actor_user=member_user, member=member,
                         nickname="Me").nickname == "Me"
    other = member_add(community)
    with pytest.raises(PermissionDenied):
        member_update(actor=_access(community, other), actor_user=other, member=member, nickname="You")


def test_the_default_role_and_roles_at_or_above_the_actor_cannot_be_deleted(community):
    admin = member_add(community, role="Admin")
    access = _access(community, admin)
    with pytest.raises(Conflict) as default:
        role_delete(actor=access, role=Role.objects.get(community=community, is_default=True))
    assert default.value.code == "default_role"
    with pytest.raises(PermissionDenied):
        role_delete(actor=access, role=Role.objects.get(community=community, name="Admin"))


def test_deleting_a_role_takes_it_from_its_members(community):
    admin = member_add(community, role="Admin")
    member = _member(community, member_add(community))
    helper = _role(community, "Helper", 10, ["post.create"])
    member.roles.add(helper)
    role_delete(actor=_access(community, admin), role=helper)
    assert [role.name for role in member.roles.all()] == ["Member"]


# Ownership


def test_ownership_moves_to_an_active_member_and_the_old_owner_stays(community):
    old_owner, heir = community.owner, member_add(community)
    community = community_transfer_ownership(community=community, new_owner=heir)
    assert community.owner_id == heir.pk
    assert _member(community, heir).is_owner and not _member(community, old_owner).is_owner
    assert _member(community, old_owner).status == MemberStatus.ACTIVE


def test_ownership_goes_only_to_an_active_member_who_is_not_already_owner(community):
    with pytest.raises(Conflict) as outsider:
        community_transfer_ownership(community=community, new_owner=UserFactory())
    assert (outsider.value.field, outsider.value.code) == ("user_id", "not_member")
    with pytest.raises(Conflict) as same:
        community_transfer_ownership(community=community, new_owner=community.owner)
    assert same.value.code == "already_owner"
