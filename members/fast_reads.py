"""Anonymous reads of a public community by id, answered before the framework's work.

`GET /api/v1/communities/{uuid}` without a token is the hottest read of the API (every
client app, every shared link). Its answer is the same cached bytes for everyone, so this
middleware answers it right after the request id, the metrics, SecurityMiddleware (HTTPS
redirect, security headers) and CorsMiddleware have run, and before the session, CSRF,
auth and messages middleware, URL resolution and DRF, which would only decide that an
anonymous caller may read a public community:

- the same throttle first (RateThrottle's one Redis round trip, which also brings the
  cached body), counted once: a request the middleware passes on is not counted again;
- the same answer: JSON bytes, ETag and 304 for If-None-Match, the view's own headers and
  those the skipped middleware adds (a test compares them with the view's answer), the
  route's label in the metrics;
- a miss is read, rendered and cached here too (one GET by primary key).

Anything else goes on to the view unchanged: a token, another method or Accept, query
parameters, a slug, an unknown id, a private community (membership decides), a refused
request (the view answers the 429), a throttle class other than RateThrottle.
"""

import functools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import ResolverMatch, resolve

from communities import selectors
from communities.models import CommunityType
from communities.serializers import community_detail_rendered
from community_service.api.rendered import is_rendered, not_modified
from community_service.api.throttling import RateThrottle
from community_service.cache import request_prefetched
from community_service.exceptions import NotFound
from community_service.metrics import cache_observe
from members.views.communities import CommunityViewSet

# The route members/urls.py gives CommunityViewSet.retrieve, for ids only (a test checks
# that every path this matches resolves to that view).
DETAIL_PATH = re.compile(r"^/api/v1/communities/(?P<pk>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                         r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})$")
FAST_ACCEPT = frozenset({"*/*", "application/json", ""})


class _AnonymousProbe:
    """What RateThrottle reads of a request and a view."""

    user = AnonymousUser()
    throttle_scope = None

    def __init__(self, request: HttpRequest, key: str) -> None:
        self._request, self.META, self.headers, self.key = request, request.META, request.headers, key

    def cache_prefetch_keys(self, request: Any) -> list[str]:
        return [self.key]


class _BytesResponse(HttpResponse):
    """The fast path's answer; `.data` (decoded on demand, never in production) as on DRF's."""

    @property
    def data(self) -> Any:
        return json.loads(self.content) if self.content else None


class AnonymousCommunityReadMiddleware:
    """See the module docstring. Sits after CorsMiddleware in settings.MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # The middleware a fast answer skips that add headers to every response: theirs, as they
        # would add them (Content-Length; X-Frame-Options).
        self.skipped = (CommonMiddleware(get_response), XFrameOptionsMiddleware(get_response))

    @functools.cached_property
    def detail_view(self) -> tuple[ResolverMatch, dict, bool] | None:
        """The URL conf's match for these paths, the view's own response headers (Allow, Vary)
        and whether it throttles; None (no fast path) unless the route leads to
        CommunityViewSet.retrieve with RateThrottle or no throttle, the ones run here."""
        match = resolve(f"/api/v1/communities/{uuid.UUID(int=0)}")
        func = match.func
        actions = getattr(func, "actions", {})
        if getattr(func, "cls", None) is not CommunityViewSet or actions.get("get") != "retrieve":
            return None
        probe = CommunityViewSet(**func.initkwargs)  # type: ignore[attr-defined]  # DRF's view function
        for method, action in {"head": actions["get"], **actions}.items():  # as DRF's view() does
            setattr(probe, method, getattr(probe, action))
        throttles = list(probe.throttle_classes)
        if throttles not in ([RateThrottle], []):
            return None
        return match, probe.default_response_headers, bool(throttles)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = DETAIL_PATH.match(request.path_info)
        if path is not None and request.method == "GET" and self.detail_view is not None:
            route, headers, throttled = self.detail_view
            response = anonymous_read(request, path["pk"], headers, throttled=throttled)
            if response is not None:
                # What URL resolution would have said (the metrics label requests by route).
                request.resolver_match = ResolverMatch(
                    route.func, (), {"pk": path["pk"]}, route.url_name,
                    route.app_names, route.namespaces, route.route)  # type: ignore[arg-type]  # list[str] is fine
                for middleware in self.skipped:
                    response = cast(HttpResponse, middleware.process_response(request, response))
                return response
        return self.get_response(request)


def anonymous_read(request: HttpRequest, pk: str, headers: dict, *, throttled: bool) -> HttpResponse | None:
    """The public community's bytes (or a 304) for an anonymous GET by id, or None when the
    view must answer (see the module docstring)."""
    if ("HTTP_AUTHORIZATION" in request.META or request.GET
            or request.META.get("HTTP_ACCEPT", "*/*") not in FAST_ACCEPT):
        return None
    key = selectors.community_cache_key(uuid.UUID(pk))
    prefetched = None
    if throttled:
        probe = _AnonymousProbe(request, key)
        if not RateThrottle().allow_request(probe, probe):  # type: ignore[arg-type]  # duck-typed probe
            return None  # the view answers the 429 (a refused request counts nowhere)
        request.throttle_decided = True  # type: ignore[attr-defined]  # read by the throttle in the view
        prefetched = request_prefetched(request)
    if prefetched is not None and key in prefetched:
        raw = prefetched[key]
        value = None if raw is None else cache.client.decode(raw)  # type: ignore[attr-defined]  # django-redis
    else:  # no prefetch (no throttle, Redis down, not Redis): ask the cache itself
        value = cache.get(key)
    hit = isinstance(value, tuple) and len(value) == 3 and is_rendered(value[0])
    if hit:
        cache_observe(key, hit=True)
    else:
        try:
            value = community_detail_rendered(id_or_slug=pk, prefetched={key: None})  # a known miss: no second GET
        except NotFound:
            return None  # the view answers the 404
        if prefetched is not None:
            prefetched.pop(key, None)  # if the view answers after all, it reads the fresh entry
    assert value is not None, "a hit or a freshly cached entry"
    if value[2] == CommunityType.PRIVATE:
        return None  # the view checks membership
    (body, etag) = value[0]
    if not_modified(request, etag):
        response = _BytesResponse(status=304)
    else:
        response = _BytesResponse(body, content_type="application/json")
    response["ETag"] = etag
    for name, header in headers.items():
        response[name] = header
    return response
