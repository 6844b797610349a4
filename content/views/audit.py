"""The community's moderation audit log (who did what to whom, and why)."""

import django_filters
from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.permissions import IsAuthenticated

from communities.models import AuditAction, AuditLogEntry
from community_service.api.filters import StrictFilterSet
from community_service.api.pagination import IndexOrderedPagination
from content.selectors import reports as selectors
from content.serializers.reports import AuditLogEntrySerializer
from members.permissions import HasCommunityPermission, PermissionEntries
from members.viewsets import CommunityScopedViewSet

COMMUNITY = OpenApiParameter("community_pk", str, OpenApiParameter.PATH, description="Community UUID or slug.")


class AuditLogFilter(StrictFilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    actor = django_filters.UUIDFilter(field_name="actor_id", help_text="The moderator's user id.")

    class Meta:
        model = AuditLogEntry
        fields = ["action", "actor"]


@extend_schema_view(list=extend_schema(summary="Moderation audit log, newest first"))
@extend_schema(tags=["moderation"], parameters=[COMMUNITY])
class AuditLogViewSet(mixins.ListModelMixin, CommunityScopedViewSet):
    serializer_class = AuditLogEntrySerializer
    filterset_class = AuditLogFilter
    # Append-only, so it grows without bound: no full count; idx_audit_community_created serves its order.
    pagination_class = IndexOrderedPagination
    permission_classes: PermissionEntries = [IsAuthenticated, HasCommunityPermission("audit.view")]

    def get_queryset(self) -> QuerySet[AuditLogEntry]:
        if getattr(self, "swagger_fake_view", False):
            return AuditLogEntry.objects.none()
        return selectors.audit_log(community=self.community)


urlpatterns = [
    path("communities/<str:community_pk>/audit-log", AuditLogViewSet.as_view({"get": "list"}), name="audit-log"),
]
