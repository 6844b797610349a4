"""Reads for communities: visibility rules, search and cached detail."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q, QuerySet

from community_service.cache import cache_get_or_set
from community_service.exceptions import NotFound
from communities.models import Community


def community_cache_key(community_id: object) -> str:
    return f"community:{community_id}"


def community_slug_cache_key(slug: str) -> str:
    return f"community:slug:{slug}"


def community_list() -> QuerySet[Community]:
    """Live communities, private ones included: members/ applies who may see which."""
    return Community.objects.alive()


def community_search(queryset: QuerySet[Community], *, text: str) -> QuerySet[Community]:
    """Full-text match over name (weight A) and description (weight B), best first."""
    query = SearchQuery(text, search_type="websearch", config="english")
    return (
        queryset.filter(search_vector=query)
        .annotate(search_rank=SearchRank(F("search_vector"), query))
        .order_by("-search_rank", "-created_at")
    )


def community_get(*, id_or_slug: str, queryset: QuerySet[Community] | None = None) -> Community:
    """One live community (from `queryset`, if given) by UUID or slug. Raises NotFound otherwise."""
    lookup = Q(slug=id_or_slug)
    if looks_like_uuid(id_or_slug):
        lookup |= Q(pk=id_or_slug)
    source = queryset if queryset is not None else community_list()
    community = source.filter(lookup).select_related("owner").first()
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
            lambda: str(community_get(id_or_slug=id_or_slug).pk),
            ttl=settings.CACHE_DEFAULT_TTL,
        )
    return cache_get_or_set(
        community_cache_key(community_id),
        lambda: serialize(community_get(id_or_slug=str(community_id))),
        ttl=settings.CACHE_DEFAULT_TTL,
    )


def looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
