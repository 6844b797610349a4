"""Roles of a community: list (cached), create, update, delete."""

from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from community_service.api.rendered import cached_response, is_rendered, render
from members.models import Role
from members.permissions import CanViewCommunity, HasCommunityPermission
from members.selectors.access import CommunityAccess, request_community_access
from members.selectors.roles import role_get, role_list, role_list_cached
from members.serializers.roles import RoleInputSerializer, RoleOutputSerializer
from members.services.roles import role_create, role_delete, role_update
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
ROLE = OpenApiParameter("role_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Role UUID.")


@extend_schema_view(
    list=extend_schema(summary="List roles, highest first", responses={200: RoleOutputSerializer(many=True)}),
    create=extend_schema(summary="Create a role", request=RoleInputSerializer, responses={201: RoleOutputSerializer}),
    retrieve=extend_schema(summary="Get a role", parameters=[ROLE]),
    update=extend_schema(summary="Replace a role", request=RoleInputSerializer, parameters=[ROLE]),
    partial_update=extend_schema(summary="Change a role", request=RoleInputSerializer, parameters=[ROLE]),
    destroy=extend_schema(summary="Delete a role (members lose it)", parameters=[ROLE]),
)
@extend_schema(tags=["roles"], parameters=[COMMUNITY])
class RoleViewSet(CommunityScopedViewSet):
    serializer_class = RoleOutputSerializer
    pagination_class = None  # a community has a handful of roles; the seed caches the whole list
    conditional_actions = ("list",)  # cached bytes with an ETag: 304 for If-None-Match
    action_permissions = {
        "list": [CanViewCommunity()],
        "retrieve": [CanViewCommunity()],
        "create": [HasCommunityPermission("role.manage")],
        "update": [HasCommunityPermission("role.manage")],
        "partial_update": [HasCommunityPermission("role.manage")],
        "destroy": [HasCommunityPermission("role.manage")],
    }

    def get_queryset(self) -> QuerySet[Role]:
        if getattr(self, "swagger_fake_view", False):
            return Role.objects.none()
        return role_list(community=self.community)

    def access(self) -> CommunityAccess:
        return request_community_access(self.request, self.community.pk)

    def list(self, request: Request, community_pk: str) -> Response:
        # The cache holds rendered bytes: a hit skips the serializer and the renderer.
        rendered = role_list_cached(
            community=self.community, serialize=lambda roles: render(RoleOutputSerializer(roles, many=True).data),
            valid=is_rendered,
        )
        return cached_response(request, rendered)

    def retrieve(self, request: Request, community_pk: str, role_id: UUID) -> Response:
        return Response(RoleOutputSerializer(role_get(community=self.community, role_id=role_id)).data)

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = RoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        role = role_create(actor=self.access(), community=self.community, **serializer.validated_data)
        return Response(RoleOutputSerializer(role).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, community_pk: str, role_id: UUID, partial: bool = False) -> Response:
        role = role_get(community=self.community, role_id=role_id)
        serializer = RoleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        role = role_update(actor=self.access(), role=role, data=dict(serializer.validated_data))
        return Response(RoleOutputSerializer(role).data)

    def partial_update(self, request: Request, community_pk: str, role_id: UUID) -> Response:
        return self.update(request, community_pk, role_id, partial=True)

    def destroy(self, request: Request, community_pk: str, role_id: UUID) -> Response:
        role_delete(actor=self.access(), role=role_get(community=self.community, role_id=role_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
