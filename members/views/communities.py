"""Communities over HTTP: list, search, detail, create, edit, delete.

The Community model and its use cases live in communities/; the views live here, one layer
up, because every write is gated by the RBAC that members/ owns.
"""

import uuid
from collections.abc import Sequence
from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from communities import selectors, services
from communities.filters import CommunityFilter
from communities.models import Community
from communities.serializers import (
    CommunityInputSerializer,
    CommunityOutputSerializer,
    CommunitySearchResultSerializer,
    CommunityUpdateSerializer,
    community_data,
    community_detail_rendered,
    community_search_data,
)
from community_service.api.caching import CachedListMixin
from community_service.api.http_cache import share_with_anonymous
from community_service.api.pagination import CappedCountPagination, KeysetPagination, cursor_parameter
from community_service.api.rendered import cached_response
from community_service.api.schema import page_or_cursor_response
from community_service.api.viewsets import ActionPermissionsMixin
from community_service.cache.aside import request_prefetched
from community_service.search.api import SearchListMixin, search_page_schema, search_parameter
from community_service.search.query import SearchPage
from members import policy
from members.authentication import request_user
from members.permissions import HasCommunityPermission, is_superadmin
from members.selectors.access import access_prefetch_keys, request_community_access
from members.selectors.communities import community_get_visible, community_list_visible, my_memberships
from members.serializers.memberships import MyCommunityOutputSerializer

# `?cursor=` on the list: newest first, the primary key breaking ties (idx_communities_created_id).
LIST_KEYSET = KeysetPagination(["-created_at", "-id"])
PAGING_PARAMS = frozenset({"page", "page_size", "cursor"})
ID_OR_SLUG = OpenApiParameter("id", str, OpenApiParameter.PATH, description="Community UUID or slug.")


@extend_schema_view(
    list=extend_schema(
        summary="List and search communities",
        parameters=[search_parameter("community names and descriptions, in every supported language"),
                    cursor_parameter(not_with="Not with `search` (results are ranked) or `ordering`: "
                                     "400 `invalid_cursor`.")],
        responses={200: page_or_cursor_response(CommunityOutputSerializer, "Community",
                                                search_page_schema("Community", CommunitySearchResultSerializer),
                                                capped_count=True, component_name="CommunityListOrSearch")},
    ),
    retrieve=extend_schema(summary="Get a community by id or slug", parameters=[ID_OR_SLUG]),
    create=extend_schema(summary="Create a community", request=CommunityInputSerializer),
    update=extend_schema(summary="Replace a community's editable fields", request=CommunityUpdateSerializer,
                         parameters=[ID_OR_SLUG]),
    partial_update=extend_schema(summary="Change some of a community's fields", request=CommunityUpdateSerializer,
                                 parameters=[ID_OR_SLUG]),
    destroy=extend_schema(summary="Delete a community (soft)", parameters=[ID_OR_SLUG]),
)
@extend_schema(tags=["communities"])
class CommunityViewSet(
    CachedListMixin,
    SearchListMixin,
    ActionPermissionsMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CommunityOutputSerializer
    filterset_class = CommunityFilter
    permission_classes = [IsAuthenticatedOrReadOnly]
    action_permissions = {
        "update": [IsAuthenticated, HasCommunityPermission("community.update")],
        "partial_update": [IsAuthenticated, HasCommunityPermission("community.update")],
        "destroy": [IsAuthenticated, HasCommunityPermission("community.delete")],
    }
    lookup_value_regex = "[^/]+"
    pagination_class = CappedCountPagination
    list_cache_namespace = services.COMMUNITY_LIST_CACHE
    # An anonymous page lists only what anyone sees (no private community): the same for every
    # anonymous caller. A signed-in caller's page is never shared (community_service/api/http_cache.py).
    list_shared_with_anonymous = True
    conditional_actions = ("retrieve", "list")  # cached bytes with an ETag: 304 for If-None-Match
    search_serializer_class = CommunitySearchResultSerializer

    def _viewer(self) -> dict:
        user = self.request.user
        return {"viewer_id": user.pk if user.is_authenticated else None, "superadmin": is_superadmin(self.request)}

    def list_cache_scope(self, request: Request) -> str:
        viewer = self._viewer()
        return "all" if viewer["superadmin"] else str(viewer["viewer_id"] or "anon")

    def get_queryset(self) -> QuerySet[Community]:
        return (community_list_visible(**self._viewer()).only(*selectors.COMMUNITY_READ_FIELDS)
                .order_by("-created_at", "-id"))

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Without a filter parameter the FilterSet changes nothing: skip building its form.
        if set(self.request.query_params) <= PAGING_PARAMS:
            return queryset
        return super().filter_queryset(queryset)

    def list_uncached(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The page (or keyset page) of visible communities; CachedListMixin caches its bytes."""
        queryset = self.filter_queryset(self.get_queryset())
        if KeysetPagination.requested(request):
            # Search results are ranked: relevance is no keyset position, so a cursor cannot be honoured.
            if self.searching():
                raise ValidationError({"cursor": [ErrorDetail(
                    "?cursor= pages are not available with ?search= (results are ranked): use ?page=.",
                    "invalid_cursor")]})
            if request.query_params.get("ordering"):
                raise ValidationError({"cursor": [ErrorDetail(
                    "?cursor= pages follow the default order (newest first): drop ?ordering=.", "invalid_cursor")]})
            rows, next_url, previous_url = LIST_KEYSET.paginate(queryset, request)
            return Response({"items": [community_data(c) for c in rows], "next": next_url, "previous": previous_url})
        page = self.paginate_queryset(queryset)
        assert page is not None, "the list is always paginated"
        item_data = community_search_data if self.searching() else community_data
        return self.get_paginated_response([item_data(c) for c in page])

    def run_search(self, queryset: QuerySet[Community], *, text: str, page: int, page_size: int) -> SearchPage:
        # An explicit ?ordering= (applied by the filter) orders the matches; otherwise relevance.
        # The ordering filter orders by field names ("-created_at"), never by expressions.
        order = cast(Sequence[str], queryset.query.order_by) if self.request.query_params.get("ordering") else None
        return selectors.community_search(queryset, text=text, page=page, page_size=page_size, order=order)

    def get_object(self) -> Community:
        community = community_get_visible(id_or_slug=self.kwargs["pk"], **self._viewer())
        self.check_object_permissions(self.request, community)
        return community

    def cache_prefetch_keys(self, request: Request) -> list[str]:
        # The detail body by id, and a signed-in caller's access, are read in the throttle's
        # round trip: a hit is that round trip (and the caller's cached user row).
        pk = self.kwargs.get("pk", "")
        if self.action == "retrieve" and selectors.looks_like_uuid(pk):
            community_id = uuid.UUID(pk)
            return [selectors.community_cache_key(community_id), *access_prefetch_keys(community_id, request.user)]
        return super().cache_prefetch_keys(request)

    def retrieve(self, request: Request, pk: str) -> Response:
        # The cache holds the rendered bytes (and the id and type to authorise with): a hit
        # answers them as they are, after the checks below, or a 304 for If-None-Match.
        rendered, community_id, community_type = community_detail_rendered(
            id_or_slug=pk, prefetched=request_prefetched(request))
        if request.user.is_authenticated or not policy.anonymous_sees_community(community_type):
            # The policy's gate, as on every community-scoped endpoint (docs/permissions.md).
            policy.require_sees_community(community_type, request_community_access(request, uuid.UUID(community_id)))
        if policy.anonymous_shares(community_type):
            share_with_anonymous(request)
        return cached_response(request, rendered)

    def create(self, request: Request) -> Response:
        serializer = CommunityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        community = services.community_create(owner=request_user(request), **serializer.validated_data)
        return Response(CommunityOutputSerializer(community).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        community = self.get_object()
        serializer = CommunityUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        community = services.community_update(community=community, data=serializer.validated_data)
        return Response(CommunityOutputSerializer(community).data)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: str) -> Response:
        services.community_soft_delete(community=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["members"])
class MyCommunityViewSet(viewsets.GenericViewSet):
    """The communities the caller belongs to: a client's first screen (Discord's server list)."""

    serializer_class = MyCommunityOutputSerializer
    permission_classes = [IsAuthenticated]
    queryset = Community.objects.none()

    @extend_schema(summary="The communities you are an active member of, most recently joined first, "
                           "each with your membership (private ones included)")
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(my_memberships(user_id=request_user(request).pk))
        return self.get_paginated_response(MyCommunityOutputSerializer(page, many=True).data)
