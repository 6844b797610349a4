"""Cache-aside for list endpoints, keyed by page, size, viewer and filters; each entry
carries the namespace's version token it was made under (a bump makes it stale).

The cache holds the rendered JSON bytes and their ETag (community_service/api/rendered.py):
a hit answers them without a serializer or a renderer, or a 304 for a matching If-None-Match.
"""

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from community_service.api.http_cache import share_with_anonymous
from community_service.api.pagination import PagePositions, anchor_position
from community_service.api.rendered import cached_response, is_rendered, render
from community_service.cache.aside import cache_get_or_set, cache_version, cache_version_key, request_prefetched

# The mixin's super() is the list() of the ListModelMixin view it is mixed into.
if TYPE_CHECKING:
    _ListBase = ListModelMixin
else:
    _ListBase = object


class CachedListMixin(_ListBase):
    """Serve `list` from the cache. Writers call `cache_bump_version(list_cache_namespace)`."""

    list_cache_namespace: str
    list_cache_ttl: int = settings.CACHE_DEFAULT_TTL
    # True when an anonymous caller's page is what every anonymous caller gets and holds nothing
    # private, gated or personal: a shared HTTP cache may keep it (http_cache.py).
    list_shared_with_anonymous: bool = False

    def list_cache_scope(self, request: Request) -> str:
        """Who the result is for; override when visibility depends on the viewer."""
        return "public"

    def list_cache_key(self, request: Request) -> str:
        params = sorted((k, v) for k in request.query_params for v in request.query_params.getlist(k))
        digest = hashlib.sha256(repr(params).encode()).hexdigest()[:16]
        page = request.query_params.get("page", "1")
        size = request.query_params.get("page_size", "default")
        return f"{self.list_cache_namespace}:{page}:{size}:{self.list_cache_scope(request)}:{digest}"

    def list_positions_key(self, request: Request) -> str:
        """Where a deep page finds the list's remembered positions (pagination.py's anchors):
        the page key without page and page_size (a position is a row number)."""
        params = sorted((k, v) for k in request.query_params if k not in ("page", "page_size")
                        for v in request.query_params.getlist(k))
        digest = hashlib.sha256(repr(params).encode()).hexdigest()[:16]
        return f"{self.list_cache_namespace}:positions:{self.list_cache_scope(request)}:{digest}"

    def cache_prefetch_keys(self, request: Request) -> list[str]:
        """Cache keys the throttle reads in its round trip (community_service/api/throttling.py):
        the version token and the page (and a deep page's remembered position), so a hit costs
        one round trip in all, and so does a deep miss's seek."""
        if getattr(self, "action", None) != "list":
            return []
        keys = [cache_version_key(self.list_cache_namespace), self.list_cache_key(request)]
        position = anchor_position(getattr(self, "pagination_class", None), request)
        if position:
            keys.append(f"{self.list_positions_key(request)}:{position}")
        return keys

    def list_uncached(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The response on a miss; views may override (the default is the next class's list)."""
        return super().list(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if self.list_shared_with_anonymous:
            share_with_anonymous(request)
        prefetched = request_prefetched(request)
        version = cache_version(self.list_cache_namespace, prefetched=prefetched)
        if version is None:  # cache unreachable: serve from the database
            return self.list_uncached(request, *args, **kwargs)
        # Deep pages may seek from positions remembered under this version (pagination.py).
        self.page_positions = PagePositions(self.list_positions_key(request), version, prefetched)

        # The entry carries the version it was made under: one written before the latest
        # bump is simply not current (exact invalidation without knowing every key).
        def current(value: object) -> bool:
            return isinstance(value, tuple) and len(value) == 3 and value[0] == version and is_rendered(value[1:])

        entry = cache_get_or_set(
            self.list_cache_key(request),
            lambda: (version, *render(self.list_uncached(request, *args, **kwargs).data)),
            ttl=self.list_cache_ttl, valid=current, prefetched=prefetched,
        )
        return cached_response(request, entry[1:])
