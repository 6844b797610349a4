"""What every membership or role write leaves behind, in the caller's transaction.

RBAC and role caches are dropped on commit, member counters change with one F() update on
the community row, events go to the outbox and moderation of people to the audit log.
"""

from uuid import UUID

from django.db.models import F

from communities.audit import audit_record
from communities.models import Community
from communities.services import community_invalidate_cache
from community_service.cache.aside import cache_bump_version, cache_delete, invalidate_around_commit
from community_service.observability.request_context import user_id_var
from community_service.outbox.services import outbox_record
from members.models import Member, Role
from members.selectors.access import CommunityAccess, rbac_cache_namespace
from members.selectors.roles import roles_cache_key


def rbac_invalidate(community_id: UUID, *, counts_changed: bool = False, roles_changed: bool = False) -> None:
    def drop() -> None:
        cache_bump_version(rbac_cache_namespace(community_id))
        if roles_changed:
            cache_delete(roles_cache_key(community_id))
        if counts_changed:
            # member_count is part of the cached community body and lists.
            community_invalidate_cache(community_id)

    invalidate_around_commit(drop)


def member_count_change(community_id: UUID, delta: int) -> None:
    Community.objects.filter(pk=community_id).update(member_count=F("member_count") + delta)
    rbac_invalidate(community_id, counts_changed=True)


def member_event_record(event_type: str, member: Member, **extra: object) -> None:
    """Outbox row in the caller's transaction (payload fields: docs/events.md)."""
    outbox_record(
        event_type=event_type, aggregate_type="member", aggregate_id=member.pk, community_id=member.community_id,
        payload={"community_id": member.community_id, "member_id": member.pk, "user_id": member.user_id, **extra},
    )


def member_audit_record(actor: CommunityAccess | None, member: Member, action: str, reason: str = "") -> None:
    """Moderation actions on people go to the community's audit log, targeting the user.

    Without an actor (a caller outside a view) the request's authenticated user is named.
    """
    actor_id = actor.user_id if actor is not None and actor.user_id is not None else user_id_var.get()
    audit_record(community_id=member.community_id, actor_id=actor_id, action=action, target_type="member",
                 target_id=member.user_id, reason=reason)


def role_event_record(event_type: str, role: Role, **extra: object) -> None:
    outbox_record(
        event_type=event_type, aggregate_type="role", aggregate_id=role.pk, community_id=role.community_id,
        payload={"community_id": role.community_id, "role_id": role.pk, "name": role.name, **extra},
    )
