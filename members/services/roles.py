"""Roles: create, edit and delete, within the actor's rank and permissions.

Lock order (docs/architecture.md): the community row first, as every membership write (so
changes to one community's roles, including the single default role, take turns), then the
role. A member's role grant locks the role after the member, so a delete either finished
first or waits for the grant and then removes it too.
"""

from typing import Any

from django.db import IntegrityError, transaction

from communities.locks import community_lock
from communities.models import Community
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, NotFound, PermissionDenied
from members import policy
from members.catalogue import Permission
from members.models import Role
from members.selectors.access import CommunityAccess
from members.services.effects import rbac_invalidate, role_event_record
from members.services.hierarchy import require_can_grant, validate_permission_codes

# A community's roles are configuration, listed whole (GET .../roles is an array, not a page):
# the cap keeps that list bounded (Discord's limit).
MAX_ROLES_PER_COMMUNITY = 250


def _set_default_role(role: Role) -> None:
    Role.objects.filter(community_id=role.community_id, is_default=True).exclude(pk=role.pk).update(is_default=False)


@atomic_with_retry
def role_create(
    *, actor: CommunityAccess, community: Community, name: str, permissions: list[str], priority: int = 0,
    color: str = "", is_default: bool = False,
) -> Role:
    policy.require_permission(actor, Permission.ROLE_MANAGE)  # whichever door called
    permissions = validate_permission_codes(permissions)
    if priority >= actor.rank:
        raise PermissionDenied("You can only create roles below your own.", code="hierarchy")
    require_can_grant(actor, permissions)
    community_lock(community.pk)  # serialises creates, so the cap holds under concurrency
    if Role.objects.filter(community=community).count() >= MAX_ROLES_PER_COMMUNITY:
        raise Conflict(f"A community has at most {MAX_ROLES_PER_COMMUNITY} roles.", code="role_limit")
    if Role.objects.filter(community=community, name__iexact=name).exists():
        raise Conflict("A role with this name already exists.", field="name", code="unique")
    role = Role(community=community, name=name, permissions=permissions, priority=priority, color=color)
    if is_default:
        _set_default_role(role)
        role.is_default = True
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError as exc:
        raise Conflict("A role with this name already exists.", field="name", code="unique") from exc
    rbac_invalidate(community.pk, roles_changed=True)
    role_event_record("role.created", role, permissions=role.permissions)
    return role


def _locked_role(role: Role, *, deleting: bool = False) -> Role:
    """Lock the community row, then the role (FOR UPDATE only to delete it); NotFound if gone."""
    community_lock(role.community_id)
    locked = Role.objects.select_for_update(no_key=not deleting).filter(pk=role.pk).first()
    if locked is None:
        raise NotFound("Role not found.")
    return locked


@atomic_with_retry
def role_update(*, actor: CommunityAccess, role: Role, data: dict[str, Any]) -> Role:
    policy.require_permission(actor, Permission.ROLE_MANAGE)
    data = dict(data)  # changed below; the caller's stays whole for a retry
    role = _locked_role(role)
    if role.priority >= actor.rank:
        raise PermissionDenied("You can only edit roles below your own.", code="hierarchy")
    if "priority" in data and data["priority"] >= actor.rank:
        raise PermissionDenied("You can only move roles below your own.", code="hierarchy")
    if "permissions" in data:
        data["permissions"] = validate_permission_codes(data["permissions"])
        require_can_grant(actor, set(data["permissions"]) ^ set(role.permissions))
    if "name" in data and Role.objects.filter(community_id=role.community_id, name__iexact=data["name"]).exclude(
        pk=role.pk
    ).exists():
        raise Conflict("A role with this name already exists.", field="name", code="unique")
    if data.get("is_default") is False and role.is_default:
        raise Conflict("Make another role the default instead.", field="is_default", code="default_role_required")
    if data.get("is_default"):
        _set_default_role(role)
    changed = sorted(attr for attr, value in data.items() if getattr(role, attr) != value)
    for attr, value in data.items():
        setattr(role, attr, value)
    role.save()
    rbac_invalidate(role.community_id, roles_changed=True)
    if changed:
        role_event_record("role.updated", role, changed=changed)
    return role


@atomic_with_retry
def role_delete(*, actor: CommunityAccess, role: Role) -> None:
    """Delete a role; members simply lose it. The default role cannot be deleted."""
    policy.require_permission(actor, Permission.ROLE_MANAGE)
    role = _locked_role(role, deleting=True)
    if role.is_default:
        raise Conflict("The default role cannot be deleted.", code="default_role")
    if role.priority >= actor.rank:
        raise PermissionDenied("You can only delete roles below your own.", code="hierarchy")
    community_id = role.community_id
    role_event_record("role.deleted", role)
    role.delete()
    rbac_invalidate(community_id, roles_changed=True)
