"""Members of a community: join, leave, list, update, kick; join requests; ownership."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from communities.serializers import CommunityOutputSerializer
from community_service.api.pagination import IndexOrderedPagination
from community_service.exceptions import NotFound
from members import policy
from members.authentication import request_user
from members.filters import MemberFilter
from members.models import Member, MemberStatus
from members.permissions import CanViewCommunity, HasCommunityPermission, IsCommunityOwner, PermissionEntries
from members.selectors.access import CommunityAccess, request_community_access
from members.selectors.memberships import member_get, member_list
from members.serializers.memberships import (
    MemberJoinInputSerializer,
    MemberOutputSerializer,
    MemberUpdateInputSerializer,
    MyAccessOutputSerializer,
    UserTargetInputSerializer,
)
from members.services.memberships import join_request_decide, member_join, member_kick, member_leave, member_update
from members.services.ownership import community_transfer_ownership
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
USER = OpenApiParameter("user_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The member's user UUID.")


class MemberBaseViewSet(mixins.ListModelMixin, CommunityScopedViewSet):
    serializer_class = MemberOutputSerializer
    # A big community's members without a full count or a sort: idx_members_list_order serves
    # the list's order within a status (members, join requests, bans).
    pagination_class = IndexOrderedPagination

    def get_queryset(self) -> QuerySet[Member]:
        if getattr(self, "swagger_fake_view", False):
            return Member.objects.none()
        return member_list(community=self.community)

    def access(self) -> CommunityAccess:
        return request_community_access(self.request, self.community.pk)

    def member(self, user_id: UUID, *, statuses: tuple[str, ...] | None = None, field: str | None = None) -> Member:
        """The member the path names (NotFound), or the body's `field` names (UnknownReference)."""
        return member_get(community=self.community, user_id=user_id, statuses=statuses, field=field)

    def respond(self, member: Member, code: int = status.HTTP_200_OK) -> Response:
        fresh = member_get(community=self.community, user_id=member.user_id)
        return Response(MemberOutputSerializer(fresh).data, status=code)


@extend_schema_view(
    list=extend_schema(summary="List members (filter by status, role; search nickname/username)"),
    create=extend_schema(summary="Join the community", request=MemberJoinInputSerializer,
                         responses={201: MemberOutputSerializer}),
    retrieve=extend_schema(summary="Get a member", parameters=[USER]),
    update=extend_schema(summary="Update a member (self: nickname; others: nickname, roles)",
                         request=MemberUpdateInputSerializer, parameters=[USER]),
    partial_update=extend_schema(summary="Update a member (self: nickname; others: nickname, roles)",
                                 request=MemberUpdateInputSerializer, parameters=[USER]),
    destroy=extend_schema(summary="Leave (yourself) or kick (another member)", parameters=[USER]),
)
@extend_schema(tags=["members"], parameters=[COMMUNITY])
class MemberViewSet(MemberBaseViewSet):
    filterset_class = MemberFilter
    gate_exempt_actions = frozenset({"me"})
    action_permissions = {
        "list": [CanViewCommunity()],
        "retrieve": [CanViewCommunity()],
        "me": [IsAuthenticated],  # gate-exempt: a banned caller learns they are banned
        "create": [IsAuthenticated, CanViewCommunity()],
        "update": [IsAuthenticated, CanViewCommunity()],
        "partial_update": [IsAuthenticated, CanViewCommunity()],
        "destroy": [IsAuthenticated, CanViewCommunity()],
    }

    def filter_queryset(self, queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
        policy.require_lists_member_status(self.request.query_params.get("status") or MemberStatus.ACTIVE,
                                           self.access())
        queryset = super().filter_queryset(queryset)
        return queryset if "status" in self.request.query_params else queryset.filter(status=MemberStatus.ACTIVE)

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = MemberJoinInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_join(community=self.community, user=request_user(request), **serializer.validated_data)
        return self.respond(member, status.HTTP_201_CREATED)

    @extend_schema(summary="My membership and effective permissions", responses={200: MyAccessOutputSerializer})
    def me(self, request: Request, community_pk: str) -> Response:
        access = self.access()
        if not policy.knows_community(self.community.community_type, access):
            raise NotFound("Community not found.")
        member = (Member.objects.filter(pk=access.member_id).select_related("user").prefetch_related("roles").first()
                  if access.member_id is not None else None)
        body = {
            "member": MemberOutputSerializer(member).data if member else None,
            "permissions": sorted(access.effective_permissions),
            "is_banned": access.is_banned,
            "is_muted": access.is_muted,
        }
        return Response(body)

    def retrieve(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        member = self.member(user_id)
        if not policy.sees_member_row(status=member.status, user_id=member.user_id, access=self.access()):
            raise NotFound("Member not found.")  # a pending or banned row is moderators' knowledge
        return Response(MemberOutputSerializer(member).data)

    def update(self, request: Request, community_pk: str, user_id: UUID, partial: bool = False) -> Response:
        serializer = MemberUpdateInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        member = member_update(
            actor=self.access(), actor_user=request_user(request), member=self.member(user_id),
            **serializer.validated_data,
        )
        return self.respond(member)

    def partial_update(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        return self.update(request, community_pk, user_id, partial=True)

    def destroy(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        member = self.member(user_id)
        if member.user_id == request.user.pk:
            member_leave(member=member)
        else:
            member_kick(actor=self.access(), member=member)  # the service asks the policy for member.kick
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Pending join requests"),
)
@extend_schema(tags=["members"], parameters=[COMMUNITY])
class JoinRequestViewSet(MemberBaseViewSet):
    permission_classes: PermissionEntries = [HasCommunityPermission("member.manage")]

    def get_queryset(self) -> QuerySet[Member]:
        return super().get_queryset().filter(status=MemberStatus.PENDING)

    @extend_schema(summary="Approve a join request", request=None, parameters=[USER])
    def approve(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        member = self.member(user_id, statuses=(MemberStatus.PENDING,))
        return self.respond(join_request_decide(actor=self.access(), member=member, approve=True))

    @extend_schema(summary="Reject a join request", request=None, parameters=[USER])
    def reject(self, request: Request, community_pk: str, user_id: UUID) -> Response:
        member = self.member(user_id, statuses=(MemberStatus.PENDING,))
        return self.respond(join_request_decide(actor=self.access(), member=member, approve=False))


@extend_schema(tags=["communities"], parameters=[COMMUNITY])
class OwnershipViewSet(MemberBaseViewSet):
    permission_classes: PermissionEntries = [IsCommunityOwner()]

    @extend_schema(summary="Transfer ownership to another active member (owner only)",
                   request=UserTargetInputSerializer, responses={200: CommunityOutputSerializer})
    def transfer(self, request: Request, community_pk: str) -> Response:
        serializer = UserTargetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        community = community_transfer_ownership(community=self.community,
                                                 new_owner=serializer.validated_data["user_id"])
        return Response(CommunityOutputSerializer(community).data)
