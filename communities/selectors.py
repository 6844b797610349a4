"""Reads for communities: visibility rules, search and cached detail."""

import uuid
from collections.abc import Callable, Sequence
from typing import TypeVar
from uuid import UUID

from django.conf import settings
from django.db.models import F, Q, QuerySet

from communities.models import Community
from communities.public_fields import COMMUNITY_PUBLIC_FIELDS
from community_service.cache.aside import cache_get_or_set
from community_service.cache.compiled_reads import CompiledRead
from community_service.exceptions import NotFound
from community_service.search.query import (
    ALL_CONFIGS,
    SearchConfigOf,
    SearchPage,
    SearchSpec,
    TsQuery,
    headline,
    in_order,
    marked_html,
    search_ids,
)

T = TypeVar("T")

# Without ?ordering=, search candidates are the newest matches (and ties go to the newest).
SEARCH_ORDER = ("-created_at", "-id")


def community_cache_key(community_id: UUID | str) -> str:
    return f"community:{community_id}"


def community_slug_cache_key(slug: str) -> str:
    return f"community:slug:{slug}"


# The columns a community's answer needs (its public fields are columns of its own): never
# the stored search_vector, which is the widest column of the table.
COMMUNITY_READ_FIELDS = COMMUNITY_PUBLIC_FIELDS


def community_list() -> QuerySet[Community]:
    """Live communities, private ones included: members/ applies who may see which."""
    return Community.objects.alive()


def _community_read_queryset(lookup: Q) -> QuerySet[Community]:
    return community_list().filter(lookup).only(*COMMUNITY_READ_FIELDS).order_by()[:1]


# By id, the hot path of every detail miss: compiled once (community_service/cache/compiled_reads.py).
_COMMUNITY_BY_ID = CompiledRead(lambda pk: _community_read_queryset(Q(pk=pk)), uuid.UUID(int=0))


def community_read(*, id_or_slug: str) -> Community:
    """One live community by UUID or slug, with only the columns its JSON needs, in one
    query without ORDER BY (ids and slugs are unique). Raises NotFound."""
    if looks_like_uuid(id_or_slug):
        community = _COMMUNITY_BY_ID.first(uuid.UUID(id_or_slug))
    else:
        community = next(iter(_community_read_queryset(Q(slug=id_or_slug))), None)
    if community is None:
        raise NotFound("Community not found.")
    return community


def community_search(
    queryset: QuerySet[Community], *, text: str, page: int, page_size: int, order: Sequence[str] | None = None
) -> SearchPage:
    """One page of `queryset` (visible, filtered) matching `text`: name (weight A) and
    description (B), in every supported language since communities speak different ones;
    ranked by relevance, or in `order` when the caller asked for one. Names spelled like the
    query are added when full text finds little. Items carry `search_match` and
    `search_highlight` ({"name", "description"} as safe HTML)."""
    spec = SearchSpec(configs=ALL_CONFIGS, order=order or SEARCH_ORDER, fuzzy=True)
    result = search_ids(queryset, text=text, spec=spec, page=page, page_size=page_size, ranked=order is None)
    if not result.ids:
        return result
    query, config = TsQuery(result.tsquery), SearchConfigOf(F("language"))
    rows = (
        queryset.filter(pk__in=result.ids)
        .annotate(name_headline=headline(config, F("name"), query),
                  description_headline=headline(config, F("description"), query))
        .only(*COMMUNITY_READ_FIELDS)
    )
    result.items = in_order(list(rows), result.ids)
    for community in result.items:
        community.search_match = result.match_of[community.pk]
        community.search_highlight = {"name": marked_html(community.name_headline),
                                      "description": marked_html(community.description_headline, whole=False)}
    return result


# Every request under /communities/{id}/ reads its community by id: compiled once, and
# without the stored search_vector (the widest column; loaded on access if ever needed).
_LIVE_COMMUNITY_BY_ID = CompiledRead(
    lambda pk: community_list().filter(pk=pk).defer("search_vector").order_by()[:1], uuid.UUID(int=0))


def community_get(*, id_or_slug: str, queryset: QuerySet[Community] | None = None,
                  with_owner: bool = True) -> Community:
    """One live community (from `queryset`, if given) by UUID or slug, its owner joined unless
    `with_owner` is False (views nested under a community read only `owner_id`; the join and
    its compile cost ~0.3 ms a request). Raises NotFound otherwise."""
    if queryset is None and not with_owner and looks_like_uuid(id_or_slug):
        # The nested views' read: building this query took ~1 ms of a posts page's 8.
        community = _LIVE_COMMUNITY_BY_ID.first(uuid.UUID(id_or_slug))
        if community is not None:
            return community
        # Not an id: a slug of the same shape, if one exists, is still found below.
    lookup = Q(slug=id_or_slug)
    if looks_like_uuid(id_or_slug):
        lookup |= Q(pk=id_or_slug)
    source = queryset if queryset is not None else community_list()
    # At most one row matches (a slug never has a UUID's shape): no ORDER BY for .first().
    matching = source.filter(lookup).order_by()
    rows = list((matching.select_related("owner") if with_owner else matching)[:1])
    if not rows:
        raise NotFound("Community not found.")
    return rows[0]


def community_detail_cached(
    *, id_or_slug: str, serialize: Callable[[Community], T], valid: Callable[[object], bool] | None = None,
    prefetched: dict | None = None,
) -> tuple[T, str, str]:
    """`(serialize(community), id, community_type)` of a live community, from the cache (seed
    key `community:{id}`) or PostgreSQL. `valid` tells a current cache entry from another shape;
    `prefetched`: raw values the request already read (community_service.cache.aside.request_prefetched).

    The cache holds the body whoever asks; callers check visibility (private communities)
    on every read, with the id and type returned beside it, so a cached body never reaches a
    stranger. Raises NotFound.
    """
    # Ids in their canonical spelling: the key writers invalidate is `community:{pk}`.
    community_id = str(uuid.UUID(id_or_slug)) if looks_like_uuid(id_or_slug) else id_or_slug
    if not looks_like_uuid(id_or_slug):
        community_id = cache_get_or_set(
            community_slug_cache_key(id_or_slug),
            lambda: str(community_read(id_or_slug=id_or_slug).pk),
            ttl=settings.CACHE_DEFAULT_TTL,
        )

    def compute() -> tuple[T, str, str]:
        community = community_read(id_or_slug=str(community_id))
        return serialize(community), str(community.pk), community.community_type

    def current(value: object) -> bool:
        return isinstance(value, tuple) and len(value) == 3 and (valid is None or valid(value[0]))

    return cache_get_or_set(community_cache_key(community_id), compute, ttl=settings.CACHE_DEFAULT_TTL, valid=current,
                            prefetched=prefetched)


def looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
