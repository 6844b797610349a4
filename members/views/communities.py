"""Communities over HTTP: list, search, detail, create, edit, delete.

The Community model and its use cases live in communities/; the views live here, one layer
up, because every write is gated by the RBAC that members/ owns.
"""

from collections.abc import Sequence
from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from communities import selectors, services
from communities.filters import CommunityFilter
from communities.models import Community, CommunityType
from communities.serializers import (
    CommunityInputSerializer,
    CommunityOutputSerializer,
    CommunitySearchResultSerializer,
    CommunityUpdateSerializer,
)
from community_service.api.caching import CachedListMixin
from community_service.api.search import SearchListMixin, plain_page_schema, search_page_schema, search_parameter
from community_service.api.viewsets import ActionPermissionsMixin
from community_service.exceptions import NotFound
from community_service.search import SearchPage
from members.authentication import request_user
from members.permissions import HasCommunityPermission, is_superadmin
from members.selectors.access import request_community_access
from members.selectors.communities import community_get_visible, community_list_visible

ID_OR_SLUG = OpenApiParameter("id", str, OpenApiParameter.PATH, description="Community UUID or slug.")


@extend_schema_view(
    list=extend_schema(
        summary="List and search communities",
        parameters=[search_parameter("community names and descriptions, in every supported language")],
        responses={200: PolymorphicProxySerializer(
            component_name="CommunityListOrSearch",
            serializers=[plain_page_schema("Community", CommunityOutputSerializer),
                         search_page_schema("Community", CommunitySearchResultSerializer)],
            resource_type_field_name=None,
            many=False,
        )},
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
    list_cache_namespace = services.COMMUNITY_LIST_CACHE
    search_serializer_class = CommunitySearchResultSerializer

    def _viewer(self) -> dict:
        user = self.request.user
        return {"viewer_id": user.pk if user.is_authenticated else None, "superadmin": is_superadmin(self.request)}

    def list_cache_scope(self, request: Request) -> str:
        viewer = self._viewer()
        return "all" if viewer["superadmin"] else str(viewer["viewer_id"] or "anon")

    def get_queryset(self) -> QuerySet[Community]:
        return community_list_visible(**self._viewer()).order_by("-created_at", "-id")

    def run_search(self, queryset: QuerySet[Community], *, text: str, page: int, page_size: int) -> SearchPage:
        # An explicit ?ordering= (applied by the filter) orders the matches; otherwise relevance.
        # The ordering filter orders by field names ("-created_at"), never by expressions.
        order = cast(Sequence[str], queryset.query.order_by) if self.request.query_params.get("ordering") else None
        return selectors.community_search(queryset, text=text, page=page, page_size=page_size, order=order)

    def get_object(self) -> Community:
        community = community_get_visible(id_or_slug=self.kwargs["pk"], **self._viewer())
        self.check_object_permissions(self.request, community)
        return community

    def retrieve(self, request: Request, pk: str) -> Response:
        body = selectors.community_detail_cached(id_or_slug=pk, serialize=lambda c: CommunityOutputSerializer(c).data)
        if request.user.is_authenticated or body["community_type"] == CommunityType.PRIVATE:
            access = request_community_access(request, body["id"])
            if access.is_banned and not access.is_superadmin:
                # As on every community-scoped endpoint (docs/permissions.md).
                raise PermissionDenied("You are banned from this community.", code="banned")
            may_see_private = access.is_superadmin or access.is_active_member
            if body["community_type"] == CommunityType.PRIVATE and not may_see_private:
                raise NotFound("Community not found.")
        return Response(body)

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
