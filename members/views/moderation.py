"""Bans and mutes of a community's members."""

from datetime import timedelta
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from members.models import Member, MemberStatus
from members.permissions import HasCommunityPermission, PermissionEntries
from members.serializers.memberships import BanInputSerializer, MemberOutputSerializer, MuteInputSerializer
from members.services.moderation import member_ban, member_mute, member_unban, member_unmute
from members.views.memberships import COMMUNITY, USER, MemberBaseViewSet


@extend_schema_view(
    list=extend_schema(summary="Banned users"),
    create=extend_schema(summary="Ban a user (optionally for a duration)", request=BanInputSerializer,
                         responses={201: MemberOutputSerializer}),
    destroy=extend_schema(summary="Lift a ban", parameters=[USER]),
)
@extend_schema(tags=["moderation"], parameters=[COMMUNITY])
class BanViewSet(MemberBaseViewSet):
    permission_classes: PermissionEntries = [HasCommunityPermission("member.ban")]

    def get_queryset(self) -> QuerySet[Member]:
        return super().get_queryset().filter(status=MemberStatus.BANNED)

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = BanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        seconds = data.get("duration_seconds")
        member = member_ban(
            actor=self.access(),
            community=self.community,
            user=data["user_id"],
            duration=timedelta(seconds=seconds) if seconds else None,
            reason=data["reason"],
        )
        return self.respond(member, status.HTTP_201_CREATED)

    def destroy(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        member_unban(actor=self.access(), member=self.member(user_id, statuses=(MemberStatus.BANNED,)))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Currently muted members"),
    create=extend_schema(summary="Mute a member for a duration", request=MuteInputSerializer,
                         responses={201: MemberOutputSerializer}),
    destroy=extend_schema(summary="Unmute a member", parameters=[USER]),
)
@extend_schema(tags=["moderation"], parameters=[COMMUNITY])
class MuteViewSet(MemberBaseViewSet):
    permission_classes: PermissionEntries = [HasCommunityPermission("member.mute")]

    def get_queryset(self) -> QuerySet[Member]:
        return super().get_queryset().filter(status=MemberStatus.ACTIVE, muted_until__gt=timezone.now())

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = MuteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = self.member(data["user_id"].pk, statuses=(MemberStatus.ACTIVE,), field="user_id")
        member = member_mute(
            actor=self.access(), member=member, duration=timedelta(seconds=data["duration_seconds"]),
            reason=data["reason"],
        )
        return self.respond(member, status.HTTP_201_CREATED)

    def destroy(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        member_unmute(actor=self.access(), member=self.member(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
