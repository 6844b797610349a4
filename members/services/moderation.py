"""Bans and mutes: keeping people out of a community, or quiet in it, for a while.

Lock order as every membership write (docs/architecture.md): the community row, then the member.
"""

from datetime import timedelta

from django.utils import timezone

from communities.locks import community_lock
from communities.models import AuditAction, Community
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, NotFound
from members import policy
from members.catalogue import Permission
from members.models import Member, MemberStatus, User
from members.selectors.access import CommunityAccess
from members.services.effects import member_audit_record, member_event_record, rbac_invalidate
from members.services.hierarchy import require_outranks
from members.services.memberships import deactivate_member, lock_community_then_member, lock_or_create_member


@atomic_with_retry
def member_ban(
    *, actor: CommunityAccess, community: Community, user: User, duration: timedelta | None, reason: str = ""
) -> Member:
    """Ban a member, or pre-emptively a user who is not one. `duration=None` is permanent."""
    policy.require_permission(actor, Permission.MEMBER_BAN)  # whichever door called
    if not community_lock(community.pk):
        raise NotFound("Community not found.")
    member = lock_or_create_member(community, user)
    if member.status == MemberStatus.ACTIVE or member.is_owner:
        require_outranks(actor, member, "ban")
    was_active = member.status == MemberStatus.ACTIVE
    member.banned_until = timezone.now() + duration if duration else None
    member.ban_reason = reason
    deactivate_member(member, status=MemberStatus.BANNED)
    if was_active:
        member_event_record("member.left", member, reason="banned")
    member_event_record("member.banned", member, banned_until=member.banned_until,
                        **({"reason": reason} if reason else {}))
    member_audit_record(actor, member, AuditAction.MEMBER_BANNED, reason)
    return member


@atomic_with_retry
def member_unban(*, actor: CommunityAccess, member: Member) -> Member:
    policy.require_permission(actor, Permission.MEMBER_BAN)
    member = lock_community_then_member(member)
    if member.status != MemberStatus.BANNED:
        raise Conflict("This user is not banned.", code="not_banned")
    member.status = MemberStatus.LEFT
    member.banned_until = None
    member.ban_reason = ""
    member.save(update_fields=["status", "banned_until", "ban_reason", "updated_at"])
    rbac_invalidate(member.community_id)
    member_event_record("member.unbanned", member)
    member_audit_record(actor, member, AuditAction.MEMBER_UNBANNED)
    return member


@atomic_with_retry
def member_mute(*, actor: CommunityAccess, member: Member, duration: timedelta, reason: str = "") -> Member:
    """Muted members can read but not post, comment or react until `muted_until`."""
    policy.require_permission(actor, Permission.MEMBER_MUTE)
    member = lock_community_then_member(member)
    if member.status != MemberStatus.ACTIVE:
        raise Conflict("Only active members can be muted.", code="not_member")
    require_outranks(actor, member, "mute")
    member.muted_until = timezone.now() + duration
    member.save(update_fields=["muted_until", "updated_at"])
    rbac_invalidate(member.community_id)
    member_event_record("member.muted", member, muted_until=member.muted_until)
    member_audit_record(actor, member, AuditAction.MEMBER_MUTED, reason)
    return member


@atomic_with_retry
def member_unmute(*, actor: CommunityAccess, member: Member) -> Member:
    policy.require_permission(actor, Permission.MEMBER_MUTE)
    member = lock_community_then_member(member)
    if member.muted_until is None or member.muted_until <= timezone.now():
        raise Conflict("This member is not muted.", code="not_muted")
    member.muted_until = None
    member.save(update_fields=["muted_until", "updated_at"])
    rbac_invalidate(member.community_id)
    member_event_record("member.unmuted", member)
    member_audit_record(actor, member, AuditAction.MEMBER_UNMUTED)
    return member
