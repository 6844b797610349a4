"""The dashboard figures that need a distinct count or a ranking over per-user and per-post rows.

Summing a community's daily rows is cheap; counting distinct users or ranking posts and
donors over a month of MemberDay, PostDay and DonationDay rows is not (tens of
milliseconds each for a community holding 400,000 posts). Each function here answers for
one community (`community_id`, the dashboard's live path for any range) or for all at once
(None, what the rollup stores in CommunityWindow for the default range), with the same
query, so the stored figures are the live ones by construction.
"""

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from analytics.models import DonationDay, MemberDay, PostDay

TOP_POSTS = 5
TOP_DONORS = 5
MONTH_DAYS = 30


def _in_range(rows: QuerySet, since: dt.date, until: dt.date, community_id: UUID | None) -> QuerySet:
    rows = rows.filter(day__gte=since, day__lte=until)
    return rows if community_id is None else rows.filter(community_id=community_id)


def monthly_active_users(*, until: dt.date, community_id: UUID | None = None) -> dict[UUID, int]:
    """Distinct users who posted, commented or liked in the 30 days ending `until`, by community."""
    since = until - dt.timedelta(days=MONTH_DAYS - 1)
    active = _in_range(MemberDay.objects.all(), since, until, community_id).filter(
        Q(posts__gt=0) | Q(comments__gt=0) | Q(likes_given__gt=0))
    return dict(active.values("community_id").annotate(users=Count("user_id", distinct=True))
                .values_list("community_id", "users"))


def active_posters(*, since: dt.date, until: dt.date, community_id: UUID | None = None) -> dict[UUID, int]:
    """Distinct users who posted on the days `since`..`until`, by community."""
    posting = _in_range(MemberDay.objects.all(), since, until, community_id).filter(posts__gt=0)
    return dict(posting.values("community_id").annotate(users=Count("user_id", distinct=True))
                .values_list("community_id", "users"))


def top_posts(*, since: dt.date, until: dt.date, community_id: UUID | None = None) -> dict[UUID, list[dict]]:
    """Each community's TOP_POSTS posts by likes plus comments received in the range (ties:
    post id), as {"post_id", "likes", "comments"} with the id as a string."""
    ranked = (
        _in_range(PostDay.objects.all(), since, until, community_id)
        .values("community_id", "post_id")
        .annotate(likes=Sum("likes"), comments=Sum("comments"))
        .annotate(rank=Window(RowNumber(), partition_by=[F("community_id")],
                              order_by=[(F("likes") + F("comments")).desc(), F("post_id").asc()]))
        .filter(rank__lte=TOP_POSTS)
        .order_by("community_id", "rank")
    )
    tops: dict[UUID, list[dict]] = {}
    for row in ranked:
        tops.setdefault(row["community_id"], []).append(
            {"post_id": str(row["post_id"]), "likes": row["likes"], "comments": row["comments"]})
    return tops


def top_donors(*, since: dt.date, until: dt.date, community_id: UUID | None = None) -> dict[UUID, list[dict]]:
    """Each community's TOP_DONORS named donors per currency by net amount (donated minus
    refunded) in the range, as {"currency", "user_id", "username", "amount"} with the id and
    the Decimal amount as strings. Anonymous rows have no donor: they never rank."""
    ranked = (
        _in_range(DonationDay.objects.all(), since, until, community_id)
        .filter(donor__isnull=False)
        .values("community_id", "currency", "donor_id", "donor__username")
        .annotate(amount=Sum("amount") - Sum("refunded"))
        .annotate(rank=Window(RowNumber(), partition_by=[F("community_id"), F("currency")],
                              order_by=[F("amount").desc(), F("donor_id").asc()]))
        .filter(rank__lte=TOP_DONORS)
        .order_by("community_id", "currency", "rank")
    )
    tops: dict[UUID, list[dict[str, Any]]] = {}
    for row in ranked:
        amount: Decimal = row["amount"]
        tops.setdefault(row["community_id"], []).append(
            {"currency": row["currency"], "user_id": str(row["donor_id"]), "username": row["donor__username"],
             "amount": str(amount)})
    return tops
