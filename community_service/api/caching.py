"""Cache-aside for list endpoints, keyed by page, size, filters, viewer and a version token."""

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

from community_service.cache import cache_get_or_set, cache_version

# The mixin's super() is the list() of the ListModelMixin view it is mixed into.
if TYPE_CHECKING:
    _ListBase = ListModelMixin
else:
    _ListBase = object


class CachedListMixin(_ListBase):
    """Serve `list` from the cache. Writers call `cache_bump_version(list_cache_namespace)`."""

    list_cache_namespace: str
    list_cache_ttl: int = settings.CACHE_DEFAULT_TTL

    def list_cache_scope(self, request: Request) -> str:
        """Who the result is for; override when visibility depends on the viewer."""
        return "public"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = cache_version(self.list_cache_namespace)
        if version is None:  # cache unreachable: serve from the database
            return super().list(request, *args, **kwargs)
        params = sorted((k, v) for k in request.query_params for v in request.query_params.getlist(k))
        digest = hashlib.sha256(repr(params).encode()).hexdigest()[:16]
        page = request.query_params.get("page", "1")
        size = request.query_params.get("page_size", "default")
        key = f"{self.list_cache_namespace}:{page}:{size}:{version}:{self.list_cache_scope(request)}:{digest}"
        data = cache_get_or_set(key, lambda: super(CachedListMixin, self).list(request, *args, **kwargs).data,
                                ttl=self.list_cache_ttl)
        return Response(data)
