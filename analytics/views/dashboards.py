"""The seed's three analytics routes: community, post and member dashboards."""

from uuid import UUID

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors.communities import community_analytics
from analytics.selectors.members import member_analytics
from analytics.selectors.posts import post_analytics
from analytics.selectors.ranges import DayRange, day_range
from analytics.selectors.targets import member_for_analytics, post_for_analytics
from analytics.serializers.dashboards import (
    CommunityAnalyticsSerializer,
    DayRangeInputSerializer,
    MemberAnalyticsSerializer,
    PostAnalyticsSerializer,
)
from members.permissions import HasCommunityPermission, HasCommunityPermissionOrOwns, PermissionEntries
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
RANGE = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (UTC). Default: 29 days before `to`."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (UTC). Default: today. At most "
                     "ANALYTICS_MAX_DAYS (366) days in all, else 400."),
]


def _days(request: Request) -> DayRange:
    # A plain dict, not the QueryDict: DRF reads `?to=` in a QueryDict as "not given", and the
    # schema says an empty value is no date (a 400, as for every other typed parameter).
    serializer = DayRangeInputSerializer(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return day_range(**serializer.bounds())


@extend_schema(tags=["analytics"], parameters=[COMMUNITY])
class CommunityAnalyticsViewSet(CommunityScopedViewSet):
    permission_classes: PermissionEntries = [IsAuthenticated, HasCommunityPermission("analytics.view")]

    @extend_schema(summary="Community dashboard: members, content, engagement (needs analytics.view)",
                   parameters=RANGE, responses=CommunityAnalyticsSerializer)
    def retrieve(self, request: Request, community_pk: str) -> Response:
        return Response(community_analytics(community=self.community, days=_days(request)))


@extend_schema(tags=["analytics"])
class PostAnalyticsView(APIView):
    permission_classes: PermissionEntries = [IsAuthenticated,
                                             HasCommunityPermissionOrOwns("analytics.view", user_field="author_id")]

    @extend_schema(summary="Post analytics: views, likes, comments, engagement (analytics.view or the author)",
                   parameters=RANGE, responses=PostAnalyticsSerializer)
    def get(self, request: Request, post_id: UUID) -> Response:
        post = post_for_analytics(post_id=post_id)
        self.check_object_permissions(request, post)
        return Response(post_analytics(post=post, days=_days(request)))


@extend_schema(tags=["analytics"])
class MemberAnalyticsView(APIView):
    permission_classes: PermissionEntries = [IsAuthenticated,
                                             HasCommunityPermissionOrOwns("analytics.view", user_field="user_id")]

    @extend_schema(
        summary="A member's activity in their community (analytics.view or the member)",
        description="`{member_id}` is a membership id (`id` in the members list), so the numbers are "
                    "scoped to that membership's community.",
        parameters=RANGE, responses=MemberAnalyticsSerializer,
    )
    def get(self, request: Request, member_id: UUID) -> Response:
        member = member_for_analytics(member_id=member_id)
        self.check_object_permissions(request, member)
        return Response(member_analytics(member=member, days=_days(request)))


urlpatterns = [
    path("communities/<str:community_pk>/analytics", CommunityAnalyticsViewSet.as_view({"get": "retrieve"}),
         name="community-analytics"),
    path("posts/<uuid:post_id>/analytics", PostAnalyticsView.as_view(), name="post-analytics"),
    path("members/<uuid:member_id>/analytics", MemberAnalyticsView.as_view(), name="member-analytics"),
]
