"""A community's bot accounts and their API keys (members.services.bots; webhook.manage)."""

from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from members.catalogue import Permission
from members.models import User
from members.permissions import HasCommunityPermission
from members.selectors.access import KeyGrant, request_community_access
from members.serializers.api_keys import (
    ApiKeyCreatedSerializer,
    BotInputSerializer,
    BotKeyInputSerializer,
    BotOutputSerializer,
)
from members.services.bots import bot_create, bot_key_create, bot_remove
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
BOT = OpenApiParameter("user_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The bot's user id.")


@extend_schema(tags=["integrations"], parameters=[COMMUNITY])
class BotViewSet(CommunityScopedViewSet):
    serializer_class = BotOutputSerializer
    action_permissions = {
        action: [HasCommunityPermission(Permission.WEBHOOK_MANAGE)]
        for action in ("list", "create", "destroy", "create_key")
    }

    def get_queryset(self) -> QuerySet[User]:
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return User.objects.filter(is_bot=True, bot_community=self.community, is_active=True).order_by("username")

    @extend_schema(summary="The community's bot accounts")
    def list(self, request: Request, community_pk: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BotOutputSerializer(page, many=True).data)

    @extend_schema(summary="Create a bot account: a member with the default role, signing in with keys only",
                   request=BotInputSerializer, responses={201: BotOutputSerializer})
    def create(self, request: Request, community_pk: str) -> Response:
        serializer = BotInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bot = bot_create(actor=request_community_access(request, self.community.pk), community=self.community,
                         username=serializer.validated_data["username"])
        return Response(BotOutputSerializer(bot).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a bot: its account closes and its keys are refused at once", parameters=[BOT],
                   responses={204: None})
    def destroy(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        bot_remove(actor=request_community_access(request, self.community.pk), community=self.community,
                   user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Create an API key of the bot (limited to this community), its secret in this answer only",
                   parameters=[BOT], request=BotKeyInputSerializer, responses={201: ApiKeyCreatedSerializer})
    def create_key(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        serializer = BotKeyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key, secret = bot_key_create(
            actor=request_community_access(request, self.community.pk), community=self.community, user_id=user_id,
            name=data["name"], scopes=data["scopes"], expires_at=data.get("expires_at"),
            grant=request.auth if isinstance(request.auth, KeyGrant) else None)
        return Response(ApiKeyCreatedSerializer(key, context={"secret": secret}).data, status=status.HTTP_201_CREATED)
