"""My notification level in a community or one of its channels (watching, tracking, normal, muted)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from community_service.exceptions import UnknownReference
from community_service.notifications.models import Level, NotificationLevel
from community_service.notifications.selectors import levels_of_user
from community_service.notifications.services import level_set
from content.access import channel_readable
from content.selectors.channels import channel_in_community
from members.authentication import request_user
from members.permissions import IsActiveMember
from members.selectors.access import request_community_access
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")


class LevelSerializer(serializers.Serializer):
    channel_id = serializers.UUIDField(allow_null=True, required=False, default=None,
                                       help_text="A channel of this community; absent or null: the community.")
    level = serializers.ChoiceField(choices=Level.choices, help_text=(
        "watching: every new post and everything addressed to me; tracking: replies and mentions only; "
        "normal (the default): everything addressed to me; muted: nothing."))


@extend_schema(tags=["notifications"], parameters=[COMMUNITY])
class NotificationLevelViewSet(CommunityScopedViewSet):
    """Levels work as Discourse's: a channel's own level wins over the community's."""

    serializer_class = LevelSerializer
    queryset = NotificationLevel.objects.none()  # for the schema; rows are read by the caller's id
    pagination_class = None
    permission_classes = [IsAuthenticated, IsActiveMember]

    @extend_schema(summary="My notification levels in this community", responses={200: LevelSerializer(many=True)})
    def list(self, request: Request, community_pk: str) -> Response:
        rows = levels_of_user(user_id=request_user(request).pk).filter(community_id=self.community.pk)
        return Response([{"channel_id": row.channel_id, "level": row.level} for row in rows])

    @extend_schema(summary="Set my notification level in this community or one of its channels",
                   request=LevelSerializer, responses={200: LevelSerializer})
    def update(self, request: Request, community_pk: str) -> Response:
        serializer = LevelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channel_id = serializer.validated_data["channel_id"]
        if channel_id is not None:
            channel = channel_in_community(community=self.community, channel_id=channel_id)
            if not channel_readable(channel, request_community_access(request, self.community.pk)):
                raise UnknownReference("No such channel in this community.", field="channel_id")
        row = level_set(user_id=request_user(request).pk, community_id=self.community.pk, channel_id=channel_id,
                        level=serializer.validated_data["level"])
        return Response({"channel_id": row.channel_id, "level": row.level})


urlpatterns = [
    path("communities/<str:community_pk>/notification-levels",
         NotificationLevelViewSet.as_view({"get": "list", "put": "update"}), name="notification-levels"),
]
