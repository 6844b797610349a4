"""One member's activity in their community, from the rollups."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Q, Sum

from analytics.models import MemberDay
from analytics.selectors.events import member_events
from analytics.selectors.money import member_money
from analytics.selectors.ranges import DayRange
from analytics.services.rollups import rollup_community_catch_up
from community_service.cache.aside import cache_get_or_set
from members.models import Member

_TOTALS = ("posts", "comments", "likes_given", "likes_received")


def member_analytics_cache_key(member_id: UUID, days: DayRange) -> str:
    key = f"member:{member_id}:analytics"
    return key if days.is_default else f"{key}:{days.since}:{days.until}"


def member_analytics(*, member: Member, days: DayRange) -> dict[str, Any]:
    """Totals (all time and in `days`) and active days of one membership, cached for
    CACHE_ANALYTICS_TTL; a miss first catches the community's rollups up to today."""

    def compute() -> dict[str, Any]:
        # A miss includes today's activity with or without beat.
        rollup_community_catch_up(community_id=member.community_id)
        rows = MemberDay.objects.filter(community_id=member.community_id, user_id=member.user_id)
        in_range = Q(day__gte=days.since, day__lte=days.until)
        totals = rows.aggregate(**{f"{name}_all_time": Sum(name, default=0) for name in _TOTALS},
                                **{f"{name}_in_range": Sum(name, filter=in_range, default=0) for name in _TOTALS},
                                active_days_in_range=Count("id", filter=in_range & Q(
                                    Q(posts__gt=0) | Q(comments__gt=0) | Q(likes_given__gt=0))))
        return {
            "member_id": member.pk,
            "community_id": member.community_id,
            "user_id": member.user_id,
            "from": days.since,
            "to": days.until,
            "all_time": {name: totals[f"{name}_all_time"] for name in _TOTALS},
            "in_range": {name: totals[f"{name}_in_range"] for name in _TOTALS},
            "active_days_in_range": totals["active_days_in_range"],
            "events": member_events(member=member, days=days),
            "money": member_money(member=member, days=days),
        }

    return cache_get_or_set(member_analytics_cache_key(member.pk, days), compute, ttl=settings.CACHE_ANALYTICS_TTL)
