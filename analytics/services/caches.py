"""Dropping cached dashboards, so numbers a rebuild corrected show on the next read."""

from collections.abc import Iterator
from itertools import islice
from uuid import UUID

from analytics.selectors.communities import community_analytics_cache_key
from analytics.selectors.members import member_analytics_cache_key
from analytics.selectors.posts import post_analytics_cache_key
from analytics.selectors.ranges import day_range
from communities.models import Community
from community_service.cache.aside import cache_delete
from content.models import Post
from members.models import Member

_BATCH = 1000


def dashboard_caches_clear(*, community_id: UUID | None = None) -> int:
    """Delete the cached default-range dashboards of one community (or all): its own, its
    posts' and its members'. Returns how many keys were deleted or absent. Dashboards of
    other ranges expire within CACHE_ANALYTICS_TTL: their keys cannot be listed without
    scanning the cache."""
    default = day_range(since=None, until=None)
    communities, posts, members = Community.objects.all(), Post.objects.all(), Member.objects.all()
    if community_id is not None:
        communities = communities.filter(pk=community_id)
        posts, members = posts.filter(community_id=community_id), members.filter(community_id=community_id)

    def keys() -> Iterator[str]:
        # iterator(): a server-side cursor, not every id of a big table in memory at once.
        yield from (community_analytics_cache_key(pk)
                    for pk in communities.values_list("pk", flat=True).iterator(chunk_size=_BATCH))
        yield from (post_analytics_cache_key(pk, default)
                    for pk in posts.values_list("pk", flat=True).iterator(chunk_size=_BATCH))
        yield from (member_analytics_cache_key(pk, default)
                    for pk in members.values_list("pk", flat=True).iterator(chunk_size=_BATCH))

    cleared, pending = 0, keys()
    while batch := list(islice(pending, _BATCH)):
        cache_delete(*batch)
        cleared += len(batch)
    return cleared

