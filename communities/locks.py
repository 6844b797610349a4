"""The community row lock that opens the lock order (docs/architecture.md, "Lock order")."""

from uuid import UUID

from communities.models import Community
from community_service.db.transactions import lock_rows


def community_lock(community_id: UUID) -> bool:
    """Lock the community row FOR NO KEY UPDATE (as its counter UPDATEs do); False if it is gone.

    A service that will change a community counter, or that must see the community's
    members or posts stand still, takes this first, before any member, channel, post or
    comment row, so it queues behind other such writers instead of deadlocking with them.
    """
    return bool(lock_rows(Community.objects.filter(pk=community_id)))
