"""Reads for subscription levels."""

from uuid import UUID

from django.db.models import QuerySet

from billing.models import SubscriptionLevel
from communities.models import Community
from community_service.exceptions import NotFound


def level_list(*, community: Community, include_inactive: bool = False) -> QuerySet[SubscriptionLevel]:
    """The community's levels in display order: offered ones, or all (archived last) for managers."""
    levels = SubscriptionLevel.objects.filter(community=community)
    if not include_inactive:
        return levels.filter(is_active=True).order_by("position", "created_at", "id")
    return levels.order_by("archived_at", "position", "created_at", "id")


def level_get(*, level_id: UUID) -> SubscriptionLevel:
    """A level of a live community, with its community loaded. Raises NotFound."""
    level = (SubscriptionLevel.objects.select_related("community")
             .filter(pk=level_id, community__deleted_at__isnull=True).first())
    if level is None:
        raise NotFound("Subscription level not found.")
    return level
