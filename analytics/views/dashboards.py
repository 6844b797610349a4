"""The seed's three analytics routes: community, post and member dashboards."""

from functools import cached_property
from uuid import UUID

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors.communities import community_analytics_cache_key, community_analytics_cached
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
from communities.selectors import community_cache_key, community_get, looks_like_uuid
from communities.serializers import community_detail_rendered
from community_service.api.rendered import cached_response, is_rendered, render
from community_service.api.throttling import ThrottleFirstMixin
from community_service.cache.aside import request_prefetched
from members.permissions import (
    CanViewCommunity,
    HasCommunityPermission,
    HasCommunityPermissionOrOwns,
    PermissionEntries,
)
from members.selectors.access import access_prefetch_keys

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
class CommunityAnalyticsView(ThrottleFirstMixin, APIView):
    """The dashboard is kept rendered under the seed's key: a hit costs the throttle's Redis
    round trip (which also reads the community's detail entry, the caller's access entry and
    the RBAC version it must match, and for the default range the dashboard) and the caller's
    cached user row; no SQL, no serializer, no renderer, an ETag and 304 for If-None-Match."""

    # The policy's gate first: a private community is a 404 to whoever may not see it, signed in or not.
    permission_classes: PermissionEntries = [CanViewCommunity(), IsAuthenticated,
                                             HasCommunityPermission("analytics.view")]
    conditional_actions = ("get",)

    def cache_prefetch_keys(self, request: Request) -> list[str]:
        if not looks_like_uuid(self.kwargs["community_pk"]):
            return []
        community_id = UUID(self.kwargs["community_pk"])
        keys = [community_cache_key(community_id), *access_prefetch_keys(community_id, request.user)]
        if not {"from", "to"} & set(request.query_params):
            keys.append(community_analytics_cache_key(community_id))
        return keys

    @cached_property
    def _community_entry(self) -> tuple[UUID, str]:
        """The URL's live community (its cached detail entry proves it): id and type; a 404 otherwise."""
        _, community_id, community_type = community_detail_rendered(id_or_slug=self.kwargs["community_pk"],
                                                                    prefetched=request_prefetched(self.request))
        return UUID(community_id), community_type

    @property
    def community(self) -> UUID:
        """What the permission classes check (with `community_type`)."""
        return self._community_entry[0]

    @property
    def community_type(self) -> str:
        return self._community_entry[1]

    @extend_schema(summary="Community dashboard: members, content, engagement (needs analytics.view)",
                   parameters=RANGE, responses=CommunityAnalyticsSerializer)
    def get(self, request: Request, community_pk: str) -> Response:
        rendered = community_analytics_cached(
            community_id=self.community, days=_days(request), serialize=render, valid=is_rendered,
            load=lambda: community_get(id_or_slug=str(self.community)), prefetched=request_prefetched(request),
        )
        return cached_response(request, rendered)


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
    path("communities/<str:community_pk>/analytics", CommunityAnalyticsView.as_view(), name="community-analytics"),
    path("posts/<uuid:post_id>/analytics", PostAnalyticsView.as_view(), name="post-analytics"),
    path("members/<uuid:member_id>/analytics", MemberAnalyticsView.as_view(), name="member-analytics"),
]
