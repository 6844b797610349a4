"""Discord's hierarchy: who may act on which member, and grant which permissions."""

from collections.abc import Iterable

from community_service.exceptions import PermissionDenied, ValidationFailed
from members.catalogue import ALL_PERMISSIONS
from members.models import Member
from members.selectors.access import OWNER_PRIORITY, CommunityAccess


def member_rank(member: Member) -> int:
    if member.is_owner:
        return OWNER_PRIORITY
    return max((role.priority for role in member.roles.all()), default=0)


def require_outranks(actor: CommunityAccess, target: Member, action: str) -> None:
    """Discord's hierarchy: act on a member only from strictly above; nobody touches the owner."""
    if target.is_owner:
        raise PermissionDenied(f"Nobody can {action} the community owner.", code="owner_protected")
    if actor.rank <= member_rank(target):
        raise PermissionDenied(
            f"You can only {action} members whose highest role is below yours.", code="hierarchy"
        )


def validate_permission_codes(codes: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(codes))
    unknown = [code for code in codes if code not in ALL_PERMISSIONS]
    if unknown:
        raise ValidationFailed(f"Unknown permission code: {unknown[0]}.", field="permissions", code="invalid_choice")
    return codes


def require_can_grant(actor: CommunityAccess, codes: Iterable[str]) -> None:
    missing = sorted(set(codes) - actor.effective_permissions)
    if missing:
        raise PermissionDenied(f"You cannot grant a permission you do not hold: {missing[0]}.", code="hierarchy")
