"""The community dashboard, read from the daily rollups (a handful of aggregate queries).

Sums over a community's daily rows are read per request; the distinct counts and the top
donors come from its CommunityWindow row when the range is the default one ending today (the
rollup keeps it), and are computed live (analytics.selectors.rankings) otherwise. Top posts are
always ranked from the post days, so they add up to the charts drawn from the community days.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.db.models import F, Q, Sum

from analytics.models import CommunityDay, CommunityWindow
from analytics.selectors import rankings
from analytics.selectors.events import events_section
from analytics.selectors.money import money_section
from analytics.selectors.ranges import DayRange, today
from analytics.services.rollups import rollup_community_catch_up
from communities.models import Community
from community_service.cache.aside import cache_get_or_set
from content.models import Post

T = TypeVar("T")


def community_analytics_cache_key(community_id: UUID, days: DayRange | None = None) -> str:
    """The seed's `community:{id}:analytics` for the default range (None, or a DayRange made
    without bounds); a range adds its bounds."""
    key = f"community:{community_id}:analytics"
    return key if days is None or days.is_default else f"{key}:{days.since}:{days.until}"


def _with_uuid(rows: list[dict], field: str) -> list[dict]:
    """Stored rankings keep ids as JSON strings; the dashboard's data holds UUIDs."""
    return [{**row, field: UUID(row[field])} for row in rows]


class _Figures:
    """The distinct counts and rankings of one dashboard: from the community's CommunityWindow
    row where it covers them, live otherwise."""

    def __init__(self, community: Community, days: DayRange) -> None:
        self.community, self.days = community, days
        self.window = CommunityWindow.objects.filter(community=community, until=today()).first()
        self.covers_range = self.window is not None and (self.window.since, self.window.until) == (
            days.since, days.until)

    def monthly_active_users(self) -> int:
        if self.window is not None:
            return self.window.monthly_active_users
        return rankings.monthly_active_users(until=today(), community_id=self.community.pk).get(self.community.pk, 0)

    def _in_range(self, stored: str, compute: Callable[..., dict[UUID, Any]], empty: Any) -> Any:
        if self.covers_range:
            return getattr(self.window, stored)
        return compute(since=self.days.since, until=self.days.until, community_id=self.community.pk).get(
            self.community.pk, empty)

    def active_posters(self) -> int:
        return self._in_range("active_posters", rankings.active_posters, 0)

    def top_posts(self) -> list[dict]:
        # Always from the post days the charts' community days were rolled up with, just caught
        # up: the stored window may be ANALYTICS_ROLLUP_SECONDS older, and the list of top posts
        # under the charts must add up to them. One community's month of PostDay rows (an index).
        return _with_uuid(rankings.top_posts(since=self.days.since, until=self.days.until,
                                             community_id=self.community.pk).get(self.community.pk, []), "post_id")

    def top_donors(self) -> list[dict]:
        return _with_uuid(self._in_range("top_donors", rankings.top_donors, []), "user_id")


# Each day's CommunityDay row (as values()), by day.
Series = Mapping[dt.date, Mapping[str, Any]]


def _members(community: Community, days: DayRange, series: Series, mau: int) -> dict[str, Any]:
    now = today()
    last_30 = now - dt.timedelta(days=29)
    last_7 = now - dt.timedelta(days=6)
    windows = CommunityDay.objects.filter(community=community, day__gte=last_30).aggregate(
        joined_7d=Sum("members_joined", filter=Q(day__gte=last_7), default=0),
        left_7d=Sum("members_left", filter=Q(day__gte=last_7), default=0),
        joined_30d=Sum("members_joined", default=0),
        left_30d=Sum("members_left", default=0),
    )
    # Members at the end of each day, walked back from today's count through later net changes.
    later_net = CommunityDay.objects.filter(community=community, day__gt=days.until).aggregate(
        net=Sum(F("members_joined") - F("members_left"), default=0)
    )["net"]
    total = community.member_count - later_net
    growth = []
    for day in reversed(days.days):
        row = series.get(day, {})
        joined, left = row.get("members_joined", 0), row.get("members_left", 0)
        growth.append({"day": day, "joined": joined, "left": left, "total": total})
        total -= joined - left
    growth.reverse()
    return {"total": community.member_count, "active_30d": mau, **windows, "growth": growth}


def _content(days: DayRange, series: Series, figures: _Figures) -> dict[str, Any]:
    top = figures.top_posts()
    titles = dict(Post.objects.filter(pk__in=[row["post_id"] for row in top]).values_list("pk", "title"))
    return {
        "posts": sum(row.get("posts", 0) for row in series.values()),
        "comments": sum(row.get("comments", 0) for row in series.values()),
        "by_day": [
            {"day": day, "posts": series.get(day, {}).get("posts", 0),
             "comments": series.get(day, {}).get("comments", 0)}
            for day in days.days
        ],
        "top_posts": [
            {"post_id": row["post_id"], "title": titles.get(row["post_id"], ""), "likes": row["likes"],
             "comments": row["comments"]}
            for row in top
        ],
    }


def _engagement(community: Community, series: Series, figures: _Figures, mau: int) -> dict[str, Any]:
    posts = sum(row.get("posts", 0) for row in series.values())
    comments = sum(row.get("comments", 0) for row in series.values())
    last_30 = today() - dt.timedelta(days=29)
    month = CommunityDay.objects.filter(community=community, day__gte=last_30).aggregate(
        active_days=Sum("active_users", default=0)
    )["active_days"]
    return {
        "likes": sum(row.get("likes", 0) for row in series.values()),
        "comments_per_post": round(comments / posts, 2) if posts else None,
        "active_posters": figures.active_posters(),
        # Average daily active users over the last 30 days divided by the month's actives.
        "dau_mau": round(month / 30 / mau, 4) if mau else None,
    }


def community_analytics(*, community: Community, days: DayRange) -> dict[str, Any]:
    """Members, content, engagement, events and money of a community over `days`, computed
    from the rollups (a handful of aggregate queries; community_analytics_cached caches it)."""
    series = {
        row["day"]: row
        for row in CommunityDay.objects.filter(community=community, day__gte=days.since, day__lte=days.until)
        .values("day", "members_joined", "members_left", "posts", "comments", "likes", "active_users")
    }
    figures = _Figures(community, days)
    mau = figures.monthly_active_users()
    return {
        "community_id": community.pk,
        "from": days.since,
        "to": days.until,
        "members": _members(community, days, series, mau),
        "content": _content(days, series, figures),
        "engagement": _engagement(community, series, figures, mau),
        "events": events_section(community=community, days=days),
        "money": money_section(community=community, days=days, top_donors=figures.top_donors()),
    }


def community_analytics_cached(
    *, community_id: UUID, days: DayRange, load: Callable[[], Community], serialize: Callable[[dict[str, Any]], T],
    valid: Callable[[object], bool] | None = None, prefetched: dict | None = None,
) -> T:
    """`serialize(community_analytics(...))` under the seed's key for CACHE_ANALYTICS_TTL (the
    API keeps the rendered bytes there). `load` reads the community only on a miss; `valid`
    and `prefetched` as for cache_get_or_set. A miss first catches the community's rollups up
    to today, so the answer includes today's activity with or without beat."""

    def compute() -> T:
        community = load()
        rollup_community_catch_up(community_id=community.pk)
        return serialize(community_analytics(community=community, days=days))

    return cache_get_or_set(community_analytics_cache_key(community_id, days), compute,
                            ttl=settings.CACHE_ANALYTICS_TTL, valid=valid, prefetched=prefetched)
