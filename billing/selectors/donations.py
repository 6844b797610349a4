"""Reads for donations: the feed, and totals with top donors (the seed's cache key, 5 minutes)."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from billing.models import Donation, DonationStatus, Payment
from community_service.cache.aside import cache_delete, cache_get_or_set


def top_donors_cache_key(community_id: UUID) -> str:
    """The seed's key; it holds the whole summary (totals and top donors), the same for everyone."""
    return f"community:{community_id}:top_donors"


def donation_payment(*, donation: Donation) -> Payment | None:
    """The donation's payment (one per donation)."""
    return Payment.objects.filter(donation=donation).order_by("-created_at").first()


def donation_feed(*, community_id: UUID, status: str | None = None) -> QuerySet[Donation]:
    """Donations of the community (completed ones unless `status`), newest first, donors loaded."""
    return (Donation.objects.filter(community_id=community_id, status=status or DonationStatus.COMPLETED)
            .select_related("donor").order_by("-created_at", "-id"))


def _summary(community_id: UUID) -> dict[str, Any]:
    completed = Donation.objects.filter(community_id=community_id, status=DonationStatus.COMPLETED)
    # Sums are exact Decimals per currency; currencies are never added together.
    totals = (completed.values("currency")
              .annotate(amount=Sum("amount"), count=Count("id"),
                        anonymous_count=Count("id", filter=Q(is_anonymous=True)))
              .order_by("currency"))
    # Anonymous donations count in the totals above and never by name here.
    ranked = (completed.filter(is_anonymous=False, donor__isnull=False)
              .values("currency", "donor_id", "donor__username")
              .annotate(amount=Sum("amount"), count=Count("id"))
              .annotate(rank=Window(RowNumber(), partition_by=[F("currency")],
                                    order_by=[F("amount").desc(), F("donor__username").asc()]))
              .filter(rank__lte=settings.BILLING_TOP_DONORS)
              .order_by("currency", "rank"))
    return {
        "totals": [{"currency": row["currency"], "amount": f"{row['amount']:.2f}", "count": row["count"],
                    "anonymous_count": row["anonymous_count"]} for row in totals],
        "top_donors": [{"currency": row["currency"], "user_id": str(row["donor_id"]),
                        "username": row["donor__username"], "amount": f"{row['amount']:.2f}", "count": row["count"]}
                       for row in ranked],
    }


def donation_summary(*, community_id: UUID) -> dict[str, Any]:
    return cache_get_or_set(top_donors_cache_key(community_id), lambda: _summary(community_id),
                            ttl=settings.CACHE_DEFAULT_TTL)


def donation_summary_invalidate(community_id: UUID) -> None:
    cache_delete(top_donors_cache_key(community_id))
