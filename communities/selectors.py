"""Reads for communities: visibility rules, search and cached detail."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from community_service.cache import cache_get_or_set
from community_service.exceptions import NotFound
from communities.models import Community, CommunityType


def community_cache_key(community_id: object) -> str:
    return f"community:{community_id}"


def community_slug_cache_key(slug: str) -> str:
    return f"community:slug:{slug}"


def _visibility_filter(*, viewer_id: object | None, superadmin: bool) -> Q:
    if superadmin:
        return Q()
    visible = ~Q(community_type=CommunityType.PRIVATE)
    if viewer_id is not None:
        from members.models import Member, MemberStatus

        is_member = Member.objects.filter(community=OuterRef("pk"), user_id=viewer_id, status=MemberStatus.ACTIVE)
        visible |= Q(Exists(is_member))
    return visible


def community_list(*, viewer_id: object | None = None, superadmin: bool = False) -> QuerySet[Community]:
    """Live communities the viewer may see: private ones only for their active members."""
    return Community.objects.alive().filter(_visibility_filter(viewer_id=viewer_id, superadmin=superadmin))


def community_search(queryset: QuerySet[Community], *, text: str) -> QuerySet[Community]:
    """Full-text match over name (weight A) and description (weight B), best first."""
    query = SearchQuery(text, search_type="websearch", config="english")
    return (
        queryset.filter(search_vector=query)
        .annotate(search_rank=SearchRank(F("search_vector"), query))
        .order_by("-search_rank", "-created_at")
    )


def community_get(*, id_or_slug: str, viewer_id: object | None = None, superadmin: bool = False) -> Community:
    """One live, visible community by UUID or slug. Raises NotFound otherwise."""
    lookup = Q(slug=id_or_slug)
    if looks_like_uuid(id_or_slug):
        lookup |= Q(pk=id_or_slug)
    community = (
        community_list(viewer_id=viewer_id, superadmin=superadmin).filter(lookup).select_related("owner").first()
    )
    if community is None:
        raise NotFound("Community not found.")
    return community


def community_detail_cached(*, id_or_slug: str, serialize: Callable[[Community], dict]) -> dict:
    """The serialised live community from cache (seed key `community:{id}`) or PostgreSQL.

    The cache holds the body whoever asks; callers check visibility (private communities)
    on every read, so a cached body never reaches a stranger. Raises NotFound.
    """
    community_id = id_or_slug
    if not looks_like_uuid(id_or_slug):
        community_id = cache_get_or_set(
            community_slug_cache_key(id_or_slug),
            lambda: str(community_get(id_or_slug=id_or_slug, superadmin=True).pk),
            ttl=settings.CACHE_DEFAULT_TTL,
        )
    return cache_get_or_set(
        community_cache_key(community_id),
        lambda: serialize(community_get(id_or_slug=str(community_id), superadmin=True)),
        ttl=settings.CACHE_DEFAULT_TTL,
    )


def looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
