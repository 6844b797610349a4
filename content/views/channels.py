"""Channels: list/create/reorder under a community; read/update/delete and overwrites by id."""

from uuid import UUID

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.viewsets import ActionPermissionsMixin
from community_service.exceptions import NotFound
from content.access import channel_readable
from content.models import Channel
from content.selectors import channels as selectors
from content.serializers.channels import (
    ChannelInputSerializer,
    ChannelOutputSerializer,
    ChannelReorderInputSerializer,
    OverwritesInputSerializer,
    overwrite_output,
)
from content.services import channels as services
from members.permissions import CanViewCommunity, HasCommunityPermission
from members.selectors.access import request_community_access
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
CHANNEL = OpenApiParameter("channel_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Channel UUID.")


@extend_schema_view(
    list=extend_schema(summary="List channels in display order", responses={200: ChannelOutputSerializer(many=True)}),
    create=extend_schema(summary="Create a channel", request=ChannelInputSerializer,
                         responses={201: ChannelOutputSerializer}),
)
@extend_schema(tags=["channels"], parameters=[COMMUNITY])
class CommunityChannelViewSet(CommunityScopedViewSet):
    serializer_class = ChannelOutputSerializer
    pagination_class = None  # a community has a bounded, ordered set of channels
    action_permissions = {
        "list": [CanViewCommunity()],
        "create": [IsAuthenticated, HasCommunityPermission("channel.manage")],
        "reorder": [IsAuthenticated, HasCommunityPermission("channel.manage")],
    }

    def get_queryset(self) -> QuerySet[Channel]:
        if getattr(self, "swagger_fake_view", False):
            return Channel.objects.none()
        access = request_community_access(self.request, self.community.pk)
        return selectors.channel_list(community=self.community, access=access)

    def list(self, request: Request, community_pk: str) -> Response:
        return Response(ChannelOutputSerializer(self.get_queryset(), many=True).data)

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = ChannelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channel = services.channel_create(community=self.community, **serializer.validated_data)
        return Response(ChannelOutputSerializer(channel).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Reorder all channels in one request", request=ChannelReorderInputSerializer,
                   responses={200: ChannelOutputSerializer(many=True)})
    def reorder(self, request: Request, community_pk: str) -> Response:
        serializer = ChannelReorderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channels = services.channel_reorder(community=self.community, **serializer.validated_data)
        return Response(ChannelOutputSerializer(channels, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(summary="Get a channel"),
    update=extend_schema(summary="Replace a channel's settings", request=ChannelInputSerializer),
    partial_update=extend_schema(summary="Change a channel's settings", request=ChannelInputSerializer),
    destroy=extend_schema(summary="Delete a channel (its posts stay in the community)"),
)
@extend_schema(tags=["channels"], parameters=[CHANNEL])
class ChannelViewSet(ActionPermissionsMixin, GenericViewSet):
    serializer_class = ChannelOutputSerializer
    queryset = Channel.objects.none()
    manage = [IsAuthenticated, HasCommunityPermission("channel.manage")]
    action_permissions = {
        "retrieve": [CanViewCommunity()],
        "update": manage,
        "partial_update": manage,
        "destroy": manage,
        "overwrites": manage,
        "set_overwrites": manage,
    }

    def get_object(self) -> Channel:
        channel = selectors.channel_get(channel_id=self.kwargs["channel_id"])
        self.check_object_permissions(self.request, channel)
        if not channel_readable(channel, request_community_access(self.request, channel.community_id)):
            raise NotFound("Channel not found.")
        return channel

    def retrieve(self, request: Request, channel_id: UUID) -> Response:
        return Response(ChannelOutputSerializer(self.get_object()).data)

    def update(self, request: Request, channel_id: UUID, partial: bool = False) -> Response:
        channel = self.get_object()
        serializer = ChannelInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        channel = services.channel_update(channel=channel, data=dict(serializer.validated_data))
        return Response(ChannelOutputSerializer(channel).data)

    def partial_update(self, request: Request, channel_id: UUID) -> Response:
        return self.update(request, channel_id, partial=True)

    def destroy(self, request: Request, channel_id: UUID) -> Response:
        services.channel_delete(channel=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="The channel's role and member overwrites", responses={200: OverwritesInputSerializer})
    def overwrites(self, request: Request, channel_id: UUID) -> Response:
        channel = self.get_object()
        return Response({"overwrites": [overwrite_output(o) for o in selectors.channel_overwrites(channel=channel)]})

    @extend_schema(summary="Replace the channel's overwrites (allow/deny post.create, comment.create)",
                   request=OverwritesInputSerializer, responses={200: OverwritesInputSerializer})
    def set_overwrites(self, request: Request, channel_id: UUID) -> Response:
        channel = self.get_object()
        serializer = OverwritesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.channel_overwrites_set(channel=channel, overwrites=serializer.validated_data["overwrites"])
        return Response({"overwrites": [overwrite_output(o) for o in selectors.channel_overwrites(channel=channel)]})


C = "communities/<str:community_pk>"
urlpatterns = [
    path(f"{C}/channels", CommunityChannelViewSet.as_view({"get": "list", "post": "create"}), name="channel-list"),
    path(f"{C}/channels/reorder", CommunityChannelViewSet.as_view({"post": "reorder"}), name="channel-reorder"),
    path(
        "channels/<uuid:channel_id>",
        ChannelViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="channel-detail",
    ),
    path("channels/<uuid:channel_id>/overwrites",
         ChannelViewSet.as_view({"get": "overwrites", "put": "set_overwrites"}), name="channel-overwrites"),
]
