"""One post's analytics: lifetime counters from the post, daily series from the rollups."""

import datetime as dt
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Sum

from analytics.models import PostDay
from analytics.selectors.ranges import DayRange
from analytics.services.rollups import rollup_community_catch_up
from community_service.cache.aside import cache_get_or_set
from content.models import Post


def post_analytics_cache_key(post_id: UUID, days: DayRange) -> str:
    """The seed's `post:{id}:analytics` for the default range; a range adds its bounds."""
    key = f"post:{post_id}:analytics"
    return key if days.is_default else f"{key}:{days.since}:{days.until}"


def post_analytics(*, post: Post, days: DayRange) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        # A miss includes today's activity with or without beat.
        rollup_community_catch_up(community_id=post.community_id)
        rows: dict[dt.date, Mapping[str, Any]] = {
            row["day"]: row
            for row in PostDay.objects.filter(post=post, day__gte=days.since, day__lte=days.until)
            .values("day").annotate(likes=Sum("likes"), comments=Sum("comments"))
        }
        engaged = post.like_count + post.comment_count
        return {
            "post_id": post.pk,
            "from": days.since,
            "to": days.until,
            "views": post.view_count,
            "likes": post.like_count,
            "comments": post.comment_count,
            # Likes and comments per view; null before the first view.
            "engagement_rate": round(engaged / post.view_count, 4) if post.view_count else None,
            "by_day": [
                {"day": day, "likes": rows.get(day, {}).get("likes", 0),
                 "comments": rows.get(day, {}).get("comments", 0)}
                for day in days.days
            ],
        }

    return cache_get_or_set(post_analytics_cache_key(post.pk, days), compute, ttl=settings.CACHE_ANALYTICS_TTL)
