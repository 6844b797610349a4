"""Writes for subscription levels (tiers): create, edit, reorder, archive or delete."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from billing.models import Subscription, SubscriptionLevel
from billing.money import amount_check, currency_normalise
from communities.models import Community
from community_service.exceptions import Conflict, ValidationFailed
from members import policy
from members.catalogue import Permission
from members.selectors.access import CommunityAccess

LEVEL_FIELDS = frozenset({"name", "description", "price", "currency", "duration_days", "benefits", "is_active"})


def _unique_name(community_id: UUID, name: str, *, exclude_id: UUID | None = None) -> None:
    taken = SubscriptionLevel.objects.filter(community_id=community_id, name=name, archived_at__isnull=True)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise Conflict("A level with this name already exists in the community.", field="name", code="unique")


@transaction.atomic
def level_create(
    *, actor: CommunityAccess, community: Community, name: str, price: Decimal, currency: str, duration_days: int,
    description: str = "", benefits: list[str] | None = None, is_active: bool = True,
) -> SubscriptionLevel:
    """Add a level at the end of the community's order. Raises Conflict (name taken), ValidationFailed;
    PermissionDenied unless `actor` holds billing.manage (whichever door called)."""
    policy.require_permission(actor, Permission.BILLING_MANAGE)
    currency = currency_normalise(currency)
    price = amount_check(price, currency, field="price")
    _unique_name(community.pk, name)
    position = SubscriptionLevel.objects.filter(community=community).aggregate(p=Max("position"))["p"]
    try:
        with transaction.atomic():
            return SubscriptionLevel.objects.create(
                community=community, name=name, description=description, price=price, currency=currency,
                duration_days=duration_days, benefits=benefits or [], is_active=is_active,
                position=0 if position is None else position + 1,
            )
    except IntegrityError:  # a concurrent create took the name between our check and insert
        raise Conflict("A level with this name already exists in the community.", field="name", code="unique") \
            from None


@transaction.atomic
def level_update(*, actor: CommunityAccess, level: SubscriptionLevel, data: dict[str, Any]) -> SubscriptionLevel:
    """Edit a level. A new price or currency applies to later payments (renewals included),
    never to periods already paid. Archived levels cannot change."""
    policy.require_permission(actor, Permission.BILLING_MANAGE)
    level = SubscriptionLevel.objects.select_for_update(no_key=True).get(pk=level.pk)
    if level.archived_at is not None:
        raise Conflict("An archived level cannot be changed.", code="level_archived")
    data = {key: value for key, value in data.items() if key in LEVEL_FIELDS}
    if "currency" in data:
        data["currency"] = currency_normalise(data["currency"])
    if "price" in data or "currency" in data:
        currency = data.get("currency", level.currency)
        data["price"] = amount_check(data.get("price", level.price), currency, field="price")
    if "name" in data and data["name"] != level.name:
        _unique_name(level.community_id, data["name"], exclude_id=level.pk)
    for attr, value in data.items():
        setattr(level, attr, value)
    level.save()
    return level


@transaction.atomic
def level_reorder(
    *, actor: CommunityAccess, community: Community, level_ids: Sequence[UUID],
) -> list[SubscriptionLevel]:
    """Set the order of the community's levels (archived ones excluded) from one complete list."""
    policy.require_permission(actor, Permission.BILLING_MANAGE)
    levels = {str(lv.pk): lv for lv in SubscriptionLevel.objects.select_for_update(no_key=True)
              .filter(community=community, archived_at__isnull=True).order_by("pk")}
    wanted = [str(level_id) for level_id in level_ids]
    if len(set(wanted)) != len(wanted):
        raise ValidationFailed("A level is listed twice.", field="level_ids", code="duplicate")
    if set(wanted) != set(levels):
        raise Conflict("List every level of the community that is not archived, exactly once.", field="level_ids",
                       code="stale")
    ordered = [levels[level_id] for level_id in wanted]
    for position, level in enumerate(ordered):
        level.position = position
    SubscriptionLevel.objects.bulk_update(ordered, ["position", "updated_at"])
    return ordered


@transaction.atomic
def level_delete(*, actor: CommunityAccess, level: SubscriptionLevel) -> SubscriptionLevel | None:
    """Delete a level nobody ever subscribed to; archive one with subscribers (their history
    and access stay). Returns the archived level, or None when it was deleted."""
    policy.require_permission(actor, Permission.BILLING_MANAGE)
    level = SubscriptionLevel.objects.select_for_update().get(pk=level.pk)
    if Subscription.objects.filter(level=level).exists():
        if level.archived_at is None:
            level.is_active = False
            level.archived_at = timezone.now()
            level.save(update_fields=["is_active", "archived_at", "updated_at"])
        return level
    level.delete()
    return None
