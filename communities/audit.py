"""The moderation audit log: one call per moderation action, inside its transaction."""

from uuid import UUID

from django.db import transaction

from communities.models import AuditLogEntry


def audit_record(
    *, community_id: UUID, actor_id: UUID | str | None, action: str, target_type: str, target_id: UUID,
    reason: str = "",
) -> AuditLogEntry:
    """Precondition: runs in the transaction of the action, so a rolled-back action leaves no entry."""
    assert transaction.get_connection().in_atomic_block, "audit_record must run inside the action's transaction"
    return AuditLogEntry.objects.create(
        community_id=community_id,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason[:1000],
    )
