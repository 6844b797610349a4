"""Reads for subscriptions, and the entitlement source content asks about gated posts."""

from collections.abc import Callable, Sequence
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from billing.models import Subscription, SubscriptionLevel, SubscriptionStatus
from community_service.exceptions import NotFound
from members.selectors.access import CommunityAccess

ACCESS_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELLED)


def subscription_list_for_user(*, user_id: UUID) -> QuerySet[Subscription]:
    """Every subscription of the user, newest first, with level and community loaded."""
    return (Subscription.objects.filter(user_id=user_id, community__deleted_at__isnull=True)
            .select_related("level", "community").order_by("-created_at", "-id"))


def subscription_get(*, subscription_id: UUID, user_id: UUID | None,
                     access_for: Callable[[UUID], CommunityAccess]) -> Subscription:
    """One subscription, for its subscriber or a billing.manage holder of its community.

    Anyone else gets NotFound, so subscription ids do not leak.
    """
    subscription = (Subscription.objects.select_related("level", "community")
                    .filter(pk=subscription_id, community__deleted_at__isnull=True).first())
    if subscription is None or user_id is None:
        raise NotFound("Subscription not found.")
    if subscription.user_id != user_id and not access_for(subscription.community_id).has("billing.manage"):
        raise NotFound("Subscription not found.")
    return subscription


class BillingEntitlements:
    """Registered with community_service.contracts.entitlements by BillingConfig.ready()."""

    def held_level_ids(self, *, user_id: UUID) -> frozenset[UUID]:
        """Levels the user may read gated posts of now: active or cancelled, before expires_at."""
        return frozenset(
            Subscription.objects.filter(user_id=user_id, ended_at__isnull=True, status__in=ACCESS_STATUSES,
                                        expires_at__gt=timezone.now()).values_list("level_id", flat=True)
        )

    def unknown_level_ids(self, *, community_id: UUID, level_ids: Sequence[UUID]) -> set[UUID]:
        known = set(SubscriptionLevel.objects.filter(community_id=community_id, pk__in=level_ids,
                                                     archived_at__isnull=True).values_list("pk", flat=True))
        return {level_id for level_id in level_ids if level_id not in known}
