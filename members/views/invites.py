"""Invites: created and revoked by member.manage holders, previewed and accepted by code."""

from datetime import timedelta
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.models import Invite
from community_service.exceptions import NotFound
from members.authentication import request_user
from members.permissions import HasCommunityPermission, PermissionEntries
from members.selectors.memberships import member_get
from members.serializers.invites import InviteInputSerializer, InviteOutputSerializer, InvitePreviewSerializer
from members.serializers.memberships import MemberOutputSerializer
from members.services.invites import invite_accept, invite_create, invite_revoke
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
INVITE = OpenApiParameter("invite_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Invite UUID.")


@extend_schema_view(
    list=extend_schema(summary="List invites"),
    create=extend_schema(summary="Create an invite", request=InviteInputSerializer,
                         responses={201: InviteOutputSerializer}),
    destroy=extend_schema(summary="Revoke an invite", parameters=[INVITE]),
)
@extend_schema(tags=["members"], parameters=[COMMUNITY])
class InviteViewSet(mixins.ListModelMixin, CommunityScopedViewSet):
    serializer_class = InviteOutputSerializer
    permission_classes: PermissionEntries = [HasCommunityPermission("member.manage")]

    def get_queryset(self) -> QuerySet[Invite]:
        if getattr(self, "swagger_fake_view", False):
            return Invite.objects.none()
        return Invite.objects.filter(community=self.community).order_by("-created_at", "-id")

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = InviteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        seconds = serializer.validated_data.get("expires_in_seconds")
        invite = invite_create(
            community=self.community,
            created_by=request_user(request),
            expires_in=timedelta(seconds=seconds) if seconds else None,
            max_uses=serializer.validated_data.get("max_uses"),
        )
        return Response(InviteOutputSerializer(invite).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, community_pk: str, invite_id: UUID) -> Response:
        invite = self.get_queryset().filter(pk=invite_id).first()
        if invite is None:
            raise NotFound("Invite not found.")
        invite_revoke(invite=invite)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _invite_by_code(code: str) -> Invite:
    invite = Invite.objects.select_related("community").filter(code=code, community__deleted_at__isnull=True).first()
    if invite is None:
        raise NotFound("Invite not found.")
    return invite


@extend_schema(tags=["members"])
class InviteCodeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="Preview an invite (which community it opens)", responses={200: InvitePreviewSerializer})
    def get(self, request: Request, code: str) -> Response:
        invite = _invite_by_code(code)
        usable = (
            invite.revoked_at is None
            and (invite.expires_at is None or invite.expires_at > timezone.now())
            and (invite.max_uses is None or invite.uses < invite.max_uses)
        )
        body = {
            "code": invite.code,
            "community_id": invite.community_id,
            "community_name": invite.community.name,
            "community_slug": invite.community.slug,
            "member_count": invite.community.member_count,
            "expires_at": invite.expires_at,
            "usable": usable,
        }
        return Response(InvitePreviewSerializer(body).data)


@extend_schema(tags=["members"])
class InviteAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Join a community with an invite code", request=None,
                   responses={201: MemberOutputSerializer})
    def post(self, request: Request, code: str) -> Response:
        member = invite_accept(code=code, user=request_user(request))
        fresh = member_get(community=member.community, user_id=member.user_id)
        return Response(MemberOutputSerializer(fresh).data, status=status.HTTP_201_CREATED)
