"""Reads for the moderation queue and the audit log."""

from django.db.models import Prefetch, QuerySet

from community_service.exceptions import NotFound
from communities.models import AuditLogEntry, Community
from content.models import Report, ReportEntry


def report_queue(*, community: Community) -> QuerySet[Report]:
    """Most reporters first, then most recent; entries and names loaded up front."""
    return (
        Report.objects.filter(community=community)
        .select_related("resolved_by")
        .prefetch_related(Prefetch("entries", queryset=ReportEntry.objects.select_related("reporter")
                                   .order_by("created_at")))
        .order_by("-reporter_count", "-last_reported_at", "-id")
    )


def report_get(*, report_id: object) -> Report:
    report = Report.objects.select_related("community").filter(pk=report_id).first()
    if report is None:
        raise NotFound("Report not found.")
    return report


def audit_log(*, community: Community) -> QuerySet[AuditLogEntry]:
    return AuditLogEntry.objects.filter(community=community).select_related("actor").order_by("-created_at", "-id")
