"""Membership life cycle: bootstrap, join (or request), leave, kick, approve, settings.

Lock order (docs/architecture.md): every membership write locks the community row first
(community_lock: the row member_count's UPDATE changes), then member rows by pk, then the
roles it assigns or removes by pk. Writes to one community's members therefore take turns.
"""

from collections.abc import Sequence
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed

from communities.locks import community_lock
from communities.models import AuditAction, Community, CommunityType
from community_service.db.transactions import atomic_with_retry, lock_rows
from community_service.exceptions import Conflict, NotFound, PermissionDenied, UnknownReference
from members import policy
from members.catalogue import DEFAULT_ROLES, Permission
from members.models import Member, MemberStatus, Role, User
from members.selectors.access import CommunityAccess
from members.services.effects import member_audit_record, member_count_change, member_event_record, rbac_invalidate
from members.services.hierarchy import require_can_grant, require_outranks
from members.signals import membership_ended


def _default_role(community: Community) -> Role | None:
    """The default role, locked: a role delete cannot remove it under a new member's grant."""
    return Role.objects.select_for_update(no_key=True).filter(community=community, is_default=True).first()


def _locked_member(community: Community, user_id: UUID) -> Member | None:
    return Member.objects.select_for_update(no_key=True).filter(community=community, user_id=user_id).first()


def lock_community_then_member(member: Member) -> Member:
    """The lock order's first two steps for a write to one member: the community row, then
    the member row (re-read, with its community)."""
    community_lock(member.community_id)
    return Member.objects.select_for_update(no_key=True, of=("self",)).select_related("community").get(pk=member.pk)


def lock_or_create_member(community: Community, user: User) -> Member:
    """The user's member row, locked; created (status left) if there is none yet.

    Under concurrency the unique (community, user) constraint lets one insert win; the
    others wait for it to commit and then lock the winner's row.
    """
    member = _locked_member(community, user.pk)
    if member is None:
        try:
            with transaction.atomic():
                member = Member.objects.create(community=community, user=user, status=MemberStatus.LEFT)
        except IntegrityError:
            member = _locked_member(community, user.pk)
    assert member is not None, "the insert that won the race has committed its row"
    member.community = community  # already loaded by the caller; saves a query later
    return member


def activate_member(member: Member, *, via_invite: bool = False) -> None:
    """Turn a (new, pending, or former) member row active with the default role."""
    member.status = MemberStatus.ACTIVE
    member.joined_at = timezone.now()
    member.left_at = None
    member.banned_until = None
    member.ban_reason = ""
    member.save()
    default = _default_role(member.community)
    member.roles.set([default] if default else [])
    member_count_change(member.community_id, +1)
    member_event_record("member.joined", member, **({"via_invite": True} if via_invite else {}))


def deactivate_member(member: Member, *, status: str) -> None:
    was_active = member.status == MemberStatus.ACTIVE
    member.status = status
    member.left_at = timezone.now()
    member.save()
    member.roles.clear()
    # Apps above members react in this transaction (events withdraws the member's registrations).
    membership_ended.send(sender=Member, member=member)
    if was_active:
        member_count_change(member.community_id, -1)
    else:
        rbac_invalidate(member.community_id)


@atomic_with_retry
def member_bootstrap_community(*, community: Community, owner: User) -> Member:
    """Create the default roles and the owner's membership. Runs inside community_create."""
    roles = Role.objects.bulk_create(
        Role(community=community, name=name, priority=priority, color=color, permissions=perms, is_default=default)
        for name, priority, color, perms, default in DEFAULT_ROLES
    )
    owner_member = Member.objects.create(
        community=community, user=owner, status=MemberStatus.ACTIVE, is_owner=True, joined_at=timezone.now()
    )
    owner_member.roles.set([role for role in roles if role.name == "Admin"])
    member_event_record("member.joined", owner_member)
    return owner_member


def user_lock_if_open(user_id: UUID) -> bool:
    """Lock a user's row, before any community's (the lock order), and say whether the account
    is open: an account closing meanwhile (members.services.account_close) either waits for
    the caller's transaction, and then finds what it did, or has closed first."""
    return User.objects.select_for_update(no_key=True).filter(pk=user_id, is_active=True).exists()


def joiner_lock(user: User) -> None:
    """user_lock_if_open for a user joining a community: a closed account joins nothing."""
    if not user_lock_if_open(user.pk):
        raise AuthenticationFailed("User is inactive", code="user_inactive")


@atomic_with_retry
def member_join(*, community: Community, user: User, message: str = "", via_invite: bool = False) -> Member:
    """Join by the community's rules: public → active; restricted → pending; private → invite only.

    Raises Conflict if already a member or already pending, PermissionDenied if banned or
    if the community needs an invite, NotFound if the community is gone. Concurrent joins
    take turns on the community lock; the unique (community, user) constraint backs it.
    """
    joiner_lock(user)
    if not community_lock(community.pk):
        raise NotFound("Community not found.")
    if community.community_type == CommunityType.PRIVATE and not via_invite:
        raise PermissionDenied("This community is private: join with an invite.", code="invite_required")
    target = (
        MemberStatus.PENDING
        if community.community_type == CommunityType.RESTRICTED and not via_invite
        else MemberStatus.ACTIVE
    )
    member = lock_or_create_member(community, user)
    if member.status == MemberStatus.ACTIVE:
        raise Conflict("You are already a member of this community.", code="already_member")
    if member.status == MemberStatus.PENDING and target == MemberStatus.PENDING:
        raise Conflict("Your join request is already waiting for approval.", code="already_pending")
    if member.status == MemberStatus.BANNED:
        if member.banned_until is None or member.banned_until > timezone.now():
            raise PermissionDenied("You are banned from this community.", code="banned")
    if target == MemberStatus.ACTIVE:
        activate_member(member, via_invite=via_invite)
    else:
        member.status = MemberStatus.PENDING
        member.join_message = message
        member.save(update_fields=["status", "join_message", "updated_at"])
        rbac_invalidate(community.pk)
        member_event_record("member.join_requested", member, **({"message": message} if message else {}))
    return member


@atomic_with_retry
def member_leave(*, member: Member) -> Member:
    """Leave (or withdraw a pending request). The owner must transfer ownership first."""
    member = lock_community_then_member(member)
    if member.is_owner:
        raise Conflict("The owner cannot leave; transfer ownership first.", code="owner_cannot_leave")
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        raise Conflict("You are not a member of this community.", code="not_member")
    was_active = member.status == MemberStatus.ACTIVE
    deactivate_member(member, status=MemberStatus.LEFT)
    if was_active:
        member_event_record("member.left", member, reason="left")
    return member


@atomic_with_retry
def member_kick(*, actor: CommunityAccess, member: Member) -> Member:
    policy.require_permission(actor, Permission.MEMBER_KICK)  # whichever door called
    member = lock_community_then_member(member)
    if member.status != MemberStatus.ACTIVE:
        raise Conflict("Only active members can be kicked.", code="not_member")
    require_outranks(actor, member, "kick")
    deactivate_member(member, status=MemberStatus.KICKED)
    member_event_record("member.left", member, reason="kicked")
    member_audit_record(actor, member, AuditAction.MEMBER_KICKED)
    return member


@atomic_with_retry
def join_request_decide(*, actor: CommunityAccess, member: Member, approve: bool) -> Member:
    """Approve (→ active, default role, counted) or reject a pending join request (member.manage)."""
    policy.require_permission(actor, Permission.MEMBER_MANAGE)
    member = lock_community_then_member(member)
    if member.status != MemberStatus.PENDING:
        raise Conflict("There is no pending join request for this user.", code="not_pending")
    if approve:
        activate_member(member)
        member_audit_record(actor, member, AuditAction.JOIN_APPROVED)
    else:
        deactivate_member(member, status=MemberStatus.REJECTED)
        member_audit_record(actor, member, AuditAction.JOIN_REJECTED)
    member_event_record("member.join_decided", member, approved=approve)
    return member


@atomic_with_retry
def member_update(
    *, actor: CommunityAccess, actor_user: User, member: Member, nickname: str | None = None,
    role_ids: Sequence[UUID] | None = None,
) -> Member:
    """Set a nickname (own: always; others: member.manage) and/or roles (role.manage).

    Roles may be added or removed only below the actor's rank and only when they grant
    nothing the actor lacks; another member's settings only from strictly above them.
    """
    community_lock(member.community_id)
    member = (Member.objects.select_for_update(no_key=True, of=("self",)).select_related("community", "user")
              .get(pk=member.pk))
    if member.status != MemberStatus.ACTIVE:
        raise Conflict("Only active members can be updated.", code="not_member")
    is_self = member.user_id == actor_user.pk
    if nickname is not None:
        if not is_self:
            if not actor.has("member.manage"):
                raise PermissionDenied("Changing another member's nickname needs member.manage.")
            require_outranks(actor, member, "rename")
        member.nickname = nickname
        member.save(update_fields=["nickname", "updated_at"])
    if role_ids is not None:
        if not actor.has("role.manage"):
            raise PermissionDenied("Changing roles needs role.manage.")
        if not is_self:
            require_outranks(actor, member, "change the roles of")
        # Lock every role granted or taken away (after the member: lock order), so a
        # concurrent role delete either finished first (the role is unknown here) or waits.
        held = member.roles.values_list("pk", flat=True)
        lock_rows(Role.objects.filter(community=member.community).filter(pk__in=[*role_ids, *held]))
        wanted = list(Role.objects.filter(community=member.community, pk__in=role_ids))
        if len(wanted) != len(set(map(str, role_ids))):
            raise UnknownReference("Unknown role for this community.", field="role_ids")
        current = list(member.roles.all())
        changed = set(wanted) ^ set(current)
        for role in changed:
            if role.priority >= actor.rank:
                raise PermissionDenied(f"You can only assign roles below your own ({role.name}).", code="hierarchy")
            require_can_grant(actor, role.permissions)
        member.roles.set(wanted)
        if changed:
            member_event_record("member.roles_changed", member, role_ids=sorted(str(role.pk) for role in wanted))
            member_audit_record(actor, member, AuditAction.MEMBER_ROLES_CHANGED)
    rbac_invalidate(member.community_id)
    return member
