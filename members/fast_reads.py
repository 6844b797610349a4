"""Reads of a community by id, anonymous or with a bearer token, answered before the framework's work.

The one module of the pre-DRF fast path (it owns it; nothing else answers a request early).
What it skips: DRF's per-request machinery (its Request, content negotiation, instantiating
the authentication, permission and throttle classes, the viewset's dispatch), URL
resolution over the whole URL conf, and the session, CSRF, auth and messages middleware.
Why: measured (docs/performance.md, "Request path", and its history), a detail hit costs
~330 µs of CPU where `/health` costs ~226 µs; answered by the view, after DRF built its
request, a hit cost 1.3 ms of this process's CPU against 0.6 ms once it skipped DRF, and
the in-view shortcut still paid nine middleware and ~28 URL patterns. What it does not
skip, and does not restate: the body is the cached entry the view reads and writes
(communities.serializers.community_detail_rendered, whose fields come from
communities/public_fields.py), and every check is the view's own class or policy, below.

`GET /api/v1/communities/{uuid}` is the hottest read of the API (every client app, every
shared link). Its answer is the same cached bytes for everyone who may see it, so this
middleware answers it right after the request id, the metrics, SecurityMiddleware (HTTPS
redirect, security headers) and CorsMiddleware have run, and before the session, CSRF,
auth and messages middleware, URL resolution and DRF, which would only decide that the
caller may read the community:

- a bearer token is checked by the view's own authentication class (JWTAuthentication:
  simplejwt's validation of the token, then its user checks on the cached user row), never
  by code of ours;
- the same throttle first, under the user id the validated token names (RateThrottle's one
  Redis round trip, which also brings the cached body and, for a signed-in caller, their
  user row, their access entry and the RBAC version it must match: a signed-in hit is one
  round trip too), counted once: a request the middleware passes on is not counted again;
- the same checks: a banned caller, or a private community the caller is not an active
  member of, goes to the view (which answers the 403 or the 404);
- the same answer: JSON bytes, ETag and 304 for If-None-Match, the view's own headers and
  those the skipped middleware adds (tests compare them with the view's answer), the
  route's label in the metrics;
- a miss is read, rendered and cached here too (one GET by primary key).

Anything else goes on to the view unchanged: a token that does not authenticate (the view
answers the 401), a superadmin's token, another method or Accept, query parameters, a slug,
an unknown id, a refused request (the view answers the 429), a throttle or authentication
class other than the ones run here.
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
from rest_framework.exceptions import APIException
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from communities import selectors
from communities.serializers import community_detail_rendered
from community_service.api.http_cache import share_with_anonymous
from community_service.api.rendered import is_rendered, not_modified
from community_service.api.throttling import RateThrottle
from community_service.cache.aside import request_prefetched
from community_service.exceptions import NotFound
from community_service.observability.metrics import cache_observe
from members import policy
from members.authentication import JWTAuthentication
from members.models import User
from members.selectors.access import access_prefetch_keys, community_access, token_is_superadmin
from members.selectors.users import user_cache_key
from members.views.communities import CommunityViewSet

# The route members/urls.py gives CommunityViewSet.retrieve, for ids only (a test checks
# that every path this matches resolves to that view).
DETAIL_PATH = re.compile(r"^/api/v1/communities/(?P<pk>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                         r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})$")
FAST_ACCEPT = frozenset({"*/*", "application/json", ""})


class _Probe:
    """What RateThrottle reads of a request and a view."""

    throttle_scope = None

    def __init__(self, request: HttpRequest, user: "_TokenCaller | AnonymousUser", keys: list[str]) -> None:
        self._request, self.META, self.headers = request, request.META, request.headers
        self.user, self.keys = user, keys

    def cache_prefetch_keys(self, request: Any) -> list[str]:
        return self.keys


class _BytesResponse(HttpResponse):
    """The fast path's answer; `.data` (decoded on demand, never in production) as on DRF's."""

    @property
    def data(self) -> Any:
        return json.loads(self.content) if self.content else None


class CommunityReadMiddleware:
    """See the module docstring. Sits after CorsMiddleware in settings.MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # The middleware a fast answer skips that add headers to every response: theirs, as they
        # would add them (Content-Length; X-Frame-Options).
        self.skipped = (CommonMiddleware(get_response), XFrameOptionsMiddleware(get_response))

    @functools.cached_property
    def detail_view(self) -> tuple[ResolverMatch, dict, bool, bool] | None:
        """The URL conf's match for these paths, the view's own response headers (Allow, Vary),
        whether it throttles and whether it authenticates bearer tokens; None (no fast path)
        unless the route leads to CommunityViewSet.retrieve with RateThrottle or no throttle,
        the ones run here (a view with other authentication is served here anonymous only)."""
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
        bearer = list(probe.authentication_classes) == [JWTAuthentication]
        return match, probe.default_response_headers, bool(throttles), bearer

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = DETAIL_PATH.match(request.path_info)
        if path is not None and request.method == "GET" and self.detail_view is not None:
            route, headers, throttled, bearer = self.detail_view
            response = community_read(request, path["pk"], headers, throttled=throttled, bearer=bearer)
            if response is not None:
                # What URL resolution would have said (the metrics label requests by route).
                request.resolver_match = ResolverMatch(
                    route.func, (), {"pk": path["pk"]}, route.url_name,
                    route.app_names, route.namespaces, route.route)  # type: ignore[arg-type]  # list[str] is fine
                for middleware in self.skipped:
                    response = cast(HttpResponse, middleware.process_response(request, response))
                return response
        return self.get_response(request)


def community_read(request: HttpRequest, pk: str, headers: dict, *, throttled: bool,
                   bearer: bool) -> HttpResponse | None:
    """The community's bytes (or a 304) for a GET by id from a caller who may see it, or None
    when the view must answer (see the module docstring)."""
    if request.GET or request.META.get("HTTP_ACCEPT", "*/*") not in FAST_ACCEPT:
        return None
    caller: _TokenCaller | AnonymousUser = AnonymousUser()
    if "HTTP_AUTHORIZATION" in request.META:
        bearer_caller = _bearer_caller(request) if bearer else None
        if bearer_caller is None:
            return None
        caller = bearer_caller
    community_id = uuid.UUID(pk)
    key = selectors.community_cache_key(community_id)
    prefetched = None
    if throttled:
        keys = [key]
        if isinstance(caller, _TokenCaller):  # their row and their access entry come along
            keys += [user_cache_key(caller.pk), *access_prefetch_keys(community_id, caller.pk)]
        probe = _Probe(request, caller, keys)
        if not RateThrottle().allow_request(probe, probe):  # type: ignore[arg-type]  # duck-typed probe
            return None  # the view answers the 429 (a refused request counts nowhere)
        request.throttle_decided = True  # type: ignore[attr-defined]  # read by the throttle in the view
        prefetched = request_prefetched(request)
    user: User | AnonymousUser = AnonymousUser()
    if isinstance(caller, _TokenCaller):
        signed_in = _token_user(caller.token, prefetched)
        if signed_in is None:
            return None
        user = signed_in
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
    if isinstance(user, User):
        access = community_access(community_id=community_id, user=user, prefetched=prefetched)
        if not policy.sees_community(value[2], access):
            return None  # the view answers the 403 or the 404
    elif not policy.anonymous_sees_community(value[2]):
        return None  # the view answers the 404
    elif policy.anonymous_shares(value[2]):
        share_with_anonymous(request)  # the view's own call: what a shared cache may keep
    (body, etag) = value[0]
    if not_modified(request, etag):
        response = _BytesResponse(status=304)
    else:
        response = _BytesResponse(body, content_type="application/json")
    response["ETag"] = etag
    for name, header in headers.items():
        response[name] = header
    return response


class _TokenCaller:
    """The caller a valid bearer token names, before their row is read (it comes with the
    throttle's round trip): what RateThrottle reads of a user."""

    is_authenticated = True

    def __init__(self, token: Token) -> None:
        self.token = token
        self.pk = uuid.UUID(str(token[api_settings.USER_ID_CLAIM]))


def _bearer_caller(request: HttpRequest) -> _TokenCaller | None:
    """The caller of the request's bearer token as the view's JWTAuthentication validates it
    (signature, expiry, type), or None: no token it accepts (the view answers the 401), one
    naming no user id, or a superadmin's (the view decides what a superadmin reads)."""
    authentication = JWTAuthentication()
    header = authentication.get_header(request)  # type: ignore[arg-type]  # reads only META
    raw = authentication.get_raw_token(header) if header is not None else None
    if raw is None:
        return None
    try:
        caller = _TokenCaller(authentication.get_validated_token(raw))
    except (APIException, KeyError, ValueError):
        return None
    return None if token_is_superadmin(None, caller.token) else caller


def _token_user(token: Token, prefetched: dict | None) -> User | None:
    """The token's user as JWTAuthentication finds them (its checks; the cached row, here from
    the throttle's round trip), or None when it refuses them (the view answers the 401)."""
    try:
        return JWTAuthentication(prefetched=prefetched).get_user(token)
    except APIException:
        return None
