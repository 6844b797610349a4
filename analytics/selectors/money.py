"""The money sections: donations from the daily rollups, subscriptions as they stand now.

Active subscriptions per level and recurring revenue are a snapshot of the live rows (one
indexed aggregate over a community's live subscriptions), not history, so there is
nothing to roll up.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, Sum

from analytics.models import DonationDay
from analytics.selectors.ranges import DayRange
from billing.models import Subscription, SubscriptionStatus
from communities.models import Community
from members.models import Member

CENT = Decimal("0.01")
MONTH_DAYS = 30


def money(amount: Decimal | None) -> str:
    """Money leaves as a decimal string to the cent (the API's convention), never a float."""
    return str((amount or Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP))


def _donations(community_id: UUID, days: DayRange, top_donors: list[dict]) -> dict[str, Any]:
    rows = DonationDay.objects.filter(community_id=community_id, day__gte=days.since, day__lte=days.until)
    per_currency = list(
        rows.values("currency")
        .annotate(donations=Sum("donations"), amount=Sum("amount"), refunds=Sum("refunds"), refunded=Sum("refunded"))
        .order_by("currency")
    )
    return {
        "by_currency": [
            {"currency": row["currency"], "donations": row["donations"], "amount": money(row["amount"]),
             "refunds": row["refunds"], "refunded": money(row["refunded"]),
             "net": money(row["amount"] - row["refunded"])}
            for row in per_currency
        ],
        "top_donors": [{**donor, "amount": money(Decimal(donor["amount"]))} for donor in top_donors],
    }


def _subscriptions(community_id: UUID) -> dict[str, Any]:
    levels = list(
        Subscription.objects.filter(community_id=community_id, status=SubscriptionStatus.ACTIVE,
                                    ended_at__isnull=True)
        .values("level_id", "level__name", "level__price", "level__currency", "level__duration_days")
        .annotate(active=Count("id"))
        .order_by("level__currency", "level__price", "level_id")
    )
    mrr: dict[str, Decimal] = {}
    for level in levels:
        # A level's price buys duration_days; per 30-day month that is price * 30 / days.
        monthly = level["level__price"] * MONTH_DAYS / level["level__duration_days"] * level["active"]
        mrr[level["level__currency"]] = mrr.get(level["level__currency"], Decimal(0)) + monthly
    return {
        "active_by_level": [
            {"level_id": level["level_id"], "name": level["level__name"], "currency": level["level__currency"],
             "price": money(level["level__price"]), "active": level["active"]}
            for level in levels
        ],
        "monthly_recurring_revenue": [
            {"currency": currency, "amount": money(amount)}
            for currency, amount in sorted(mrr.items())
        ],
    }


def money_section(*, community: Community, days: DayRange, top_donors: list[dict]) -> dict[str, Any]:
    """Donations in `days` and subscriptions now; `top_donors` as rankings.top_donors gives them."""
    return {**_donations(community.pk, days, top_donors), "subscriptions": _subscriptions(community.pk)}


def member_money(*, member: Member, days: DayRange) -> dict[str, Any]:
    """A member's donations (all time and in range, per currency) and subscription now."""
    rows = DonationDay.objects.filter(community_id=member.community_id, donor_id=member.user_id)
    in_range = Q(day__gte=days.since, day__lte=days.until)
    donations = [
        {"currency": row["currency"], "all_time": money(row["all_time"]), "in_range": money(row["in_range"])}
        for row in rows.values("currency")
        .annotate(all_time=Sum("amount") - Sum("refunded"),
                  in_range=Sum("amount", filter=in_range, default=0) - Sum("refunded", filter=in_range, default=0))
        .order_by("currency")
    ]
    live = (
        Subscription.objects.filter(community_id=member.community_id, user_id=member.user_id, ended_at__isnull=True)
        .exclude(status__in=[SubscriptionStatus.FAILED, SubscriptionStatus.EXPIRED])
        .select_related("level").order_by("-created_at").first()
    )
    subscription = None
    if live is not None:
        subscription = {"subscription_id": live.pk, "level_id": live.level_id, "level": live.level.name,
                        "status": live.status, "expires_at": live.expires_at}
    return {"donations": donations, "subscription": subscription}
