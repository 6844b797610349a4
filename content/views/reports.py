"""Reports (flags) and the moderation queue."""

from typing import Any
from uuid import UUID

import django_filters
from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from community_service.api.filters import StrictFilterSet
from community_service.api.viewsets import ActionPermissionsMixin
from community_service.exceptions import NotFound
from content.models import Report, ReportStatus
from content.selectors import reports as selectors
from content.serializers.reports import (
    ReportCloseInputSerializer,
    ReportInputSerializer,
    ReportOutputSerializer,
    ReportQueueItemSerializer,
    ReportSubmittedSerializer,
)
from content.services import reports as services
from members.authentication import request_user
from members.permissions import HasCommunityPermission, IsActiveMember, PermissionEntries
from members.selectors.access import request_community_access
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")
REPORT = OpenApiParameter("report_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Report UUID.")


class ReportFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, help_text="Default: open.")

    class Meta:
        model = Report
        fields = ["status"]


@extend_schema_view(
    list=extend_schema(summary="The moderation queue (most reporters, most recent first)"),
    create=extend_schema(summary="Report a post, comment or member", request=ReportInputSerializer,
                         responses={201: ReportSubmittedSerializer}),
)
@extend_schema(tags=["moderation"], parameters=[COMMUNITY])
class CommunityReportViewSet(mixins.ListModelMixin, CommunityScopedViewSet):
    serializer_class = ReportQueueItemSerializer
    filterset_class = ReportFilter
    action_permissions = {
        "list": [IsAuthenticated, HasCommunityPermission("report.review")],
        "create": [IsAuthenticated, IsActiveMember()],
    }

    def get_queryset(self) -> QuerySet[Report]:
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return selectors.report_queue(community=self.community)

    def filter_queryset(self, queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
        queryset = super().filter_queryset(queryset)
        return queryset if "status" in self.request.query_params else queryset.filter(status=ReportStatus.OPEN)

    def create(self, request: Request, community_pk: str) -> Response:
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_submit(
            community=self.community, reporter=request_user(request),
            access=request_community_access(request, self.community.pk), **serializer.validated_data,
        )
        return Response(ReportSubmittedSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["moderation"], parameters=[REPORT])
class ReportViewSet(ActionPermissionsMixin, GenericViewSet):
    serializer_class = ReportOutputSerializer
    queryset = Report.objects.none()
    permission_classes: PermissionEntries = [IsAuthenticated, HasCommunityPermission("report.review")]

    def get_object(self) -> Report:
        report = selectors.report_detail(report_id=self.kwargs["report_id"])
        # A report exists only for its community's reviewers: to anyone else (another
        # community's moderators included) its id is a 404, not a confirmation.
        if not request_community_access(self.request, report.community_id).has("report.review"):
            raise NotFound("Report not found.")
        self.check_object_permissions(self.request, report)
        return report

    @extend_schema(summary="Get a report with its entries")
    def retrieve(self, request: Request, report_id: UUID) -> Response:
        return Response(ReportOutputSerializer(self.get_object()).data)

    def _close(self, request: Request, resolve: bool) -> Response:
        report = self.get_object()
        serializer = ReportCloseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_close(report=report, moderator=request_user(request), resolve=resolve,
                                       note=serializer.validated_data["note"],
                                       access=request_community_access(request, report.community_id))
        return Response(ReportOutputSerializer(selectors.report_detail(report_id=report.pk)).data)

    @extend_schema(summary="Resolve a report (action was taken), with a note", request=ReportCloseInputSerializer)
    def resolve(self, request: Request, report_id: UUID) -> Response:
        return self._close(request, resolve=True)

    @extend_schema(summary="Dismiss a report (nothing to do), with a note", request=ReportCloseInputSerializer)
    def dismiss(self, request: Request, report_id: UUID) -> Response:
        return self._close(request, resolve=False)


C = "communities/<str:community_pk>"
urlpatterns = [
    path(f"{C}/reports", CommunityReportViewSet.as_view({"get": "list", "post": "create"}), name="report-list"),
    path("reports/<uuid:report_id>", ReportViewSet.as_view({"get": "retrieve"}), name="report-detail"),
    path("reports/<uuid:report_id>/resolve", ReportViewSet.as_view({"post": "resolve"}), name="report-resolve"),
    path("reports/<uuid:report_id>/dismiss", ReportViewSet.as_view({"post": "dismiss"}), name="report-dismiss"),
]
