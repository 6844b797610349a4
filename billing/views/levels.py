"""Subscription levels: the managers' list and writes (billing.manage), and one level by id."""

from uuid import UUID

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from billing.models import SubscriptionLevel
from billing.selectors import levels as selectors
from billing.serializers.levels import LevelInputSerializer, LevelOutputSerializer, LevelReorderInputSerializer
from billing.services import levels as services
from billing.views.common import COMMUNITY, LEVEL
from community_service.api.viewsets import ActionPermissionsMixin
from community_service.exceptions import NotFound
from members.permissions import CanViewCommunity, HasCommunityPermission
from members.selectors.access import request_community_access
from members.viewsets import CommunityScopedViewSet

# CanViewCommunity first: a private community stays a 404 to outsiders, not a 403.
MANAGE = [IsAuthenticated, CanViewCommunity(), HasCommunityPermission("billing.manage")]


@extend_schema_view(
    list=extend_schema(summary="All levels, archived ones included (billing.manage)"),
    create=extend_schema(summary="Create a level (billing.manage)", request=LevelInputSerializer,
                         responses={201: LevelOutputSerializer}),
)
@extend_schema(tags=["subscriptions"], parameters=[COMMUNITY])
class CommunityLevelViewSet(CommunityScopedViewSet):
    serializer_class = LevelOutputSerializer
    action_permissions = {"list": MANAGE, "create": MANAGE, "reorder": MANAGE}

    def get_queryset(self) -> QuerySet[SubscriptionLevel]:
        if getattr(self, "swagger_fake_view", False):
            return SubscriptionLevel.objects.none()
        return selectors.level_list(community=self.community, include_inactive=True)

    def list(self, request: Request, community_pk: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(LevelOutputSerializer(page, many=True).data)

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = LevelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        level = services.level_create(actor=request_community_access(request, self.community.pk),
                                      community=self.community, **serializer.validated_data)
        return Response(LevelOutputSerializer(level).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Reorder the levels that are not archived, in one request",
                   request=LevelReorderInputSerializer, responses={200: LevelOutputSerializer(many=True)})
    def reorder(self, request: Request, community_pk: str) -> Response:
        serializer = LevelReorderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        levels = services.level_reorder(actor=request_community_access(request, self.community.pk),
                                        community=self.community, **serializer.validated_data)
        return Response(LevelOutputSerializer(levels, many=True).data)


@extend_schema(tags=["subscriptions"], parameters=[LEVEL])
class LevelViewSet(ActionPermissionsMixin, GenericViewSet):
    """One level. Levels that are not offered are visible to billing.manage holders only."""

    serializer_class = LevelOutputSerializer
    queryset = SubscriptionLevel.objects.none()
    action_permissions = {"retrieve": [CanViewCommunity()], "partial_update": MANAGE, "destroy": MANAGE}

    def get_object(self) -> SubscriptionLevel:
        level = selectors.level_get(level_id=self.kwargs["level_id"])
        self.check_object_permissions(self.request, level)
        if not level.is_active and not request_community_access(self.request, level.community_id).has("billing.manage"):
            raise NotFound("Subscription level not found.")
        return level

    @extend_schema(summary="Get a level")
    def retrieve(self, request: Request, level_id: UUID) -> Response:
        return Response(LevelOutputSerializer(self.get_object()).data)

    @extend_schema(summary="Edit a level (billing.manage); a new price applies to later payments",
                   request=LevelInputSerializer(partial=True), responses={200: LevelOutputSerializer})
    def partial_update(self, request: Request, level_id: UUID) -> Response:
        level = self.get_object()
        serializer = LevelInputSerializer(data=request.data, partial=True, context={"level": level})
        serializer.is_valid(raise_exception=True)
        level = services.level_update(actor=request_community_access(request, level.community_id), level=level,
                                      data=dict(serializer.validated_data))
        return Response(LevelOutputSerializer(level).data)

    @extend_schema(
        summary="Delete a level nobody subscribed to (204), or archive one with subscribers (200)",
        responses={200: LevelOutputSerializer, 204: None},
    )
    def destroy(self, request: Request, level_id: UUID) -> Response:
        level = self.get_object()
        archived = services.level_delete(actor=request_community_access(request, level.community_id), level=level)
        if archived is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(LevelOutputSerializer(archived).data)


C = "communities/<str:community_pk>"
urlpatterns = [
    path(f"{C}/subscription-levels", CommunityLevelViewSet.as_view({"get": "list", "post": "create"}),
         name="level-list"),
    path(f"{C}/subscription-levels/reorder", CommunityLevelViewSet.as_view({"post": "reorder"}),
         name="level-reorder"),
    path("subscription-levels/<uuid:level_id>",
         LevelViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
         name="level-detail"),
]
