"""Reads for the moderation queue and the audit log."""

from django.db.models import Count, Prefetch, Q, QuerySet

from community_service.exceptions import NotFound
from communities.models import AuditLogEntry, Community
from content.models import Report, ReportCategory, ReportEntry

# How many of an item's latest reports the queue shows; the item itself lists them all.
QUEUE_RECENT_ENTRIES = 3


def _category_counts() -> dict[str, Count]:
    return {f"{category}_count": Count("entries", filter=Q(entries__category=category))
            for category in ReportCategory.values}


def report_queue(*, community: Community) -> QuerySet[Report]:
    """Most reporters first, then most recent; per-category counts and the latest entries loaded up front."""
    latest = ReportEntry.objects.select_related("reporter").order_by("-created_at", "-id")
    return (
        Report.objects.filter(community=community)
        .annotate(**_category_counts())
        .prefetch_related(Prefetch("entries", queryset=latest[:QUEUE_RECENT_ENTRIES], to_attr="recent_entries"))
        .order_by("-reporter_count", "-last_reported_at", "-id")
    )


def report_detail(*, report_id: object) -> Report:
    """One item with every entry, oldest first. Raises NotFound (also for a deleted community)."""
    entries = ReportEntry.objects.select_related("reporter").order_by("created_at", "id")
    report = (
        Report.objects.filter(pk=report_id, community__deleted_at__isnull=True)
        .select_related("community")
        .annotate(**_category_counts())
        .prefetch_related(Prefetch("entries", queryset=entries))
        .first()
    )
    if report is None:
        raise NotFound("Report not found.")
    return report


def audit_log(*, community: Community) -> QuerySet[AuditLogEntry]:
    return AuditLogEntry.objects.filter(community=community).select_related("actor").order_by("-created_at", "-id")
