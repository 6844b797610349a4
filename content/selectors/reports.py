"""Reads for the moderation queue and the audit log."""

from typing import Any
from uuid import UUID

from django.db.models import Count, Min, Prefetch, Q, QuerySet

from communities.models import AuditLogEntry, Community
from community_service.exceptions import NotFound
from content.models import Comment, Post, Report, ReportCategory, ReportEntry, ReportStatus, ReportTarget
from members.models import Member

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


def report_detail(*, report_id: UUID) -> Report:
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


def report_open_queue(*, community_ids: frozenset[UUID] | None) -> QuerySet[Report]:
    """The console's queue: open items of the given communities (None: all), oldest first, each
    with its claim, per-category counts and every reporter's entry (oldest first) loaded up front."""
    entries = ReportEntry.objects.select_related("reporter").order_by("created_at", "id")
    reports = Report.objects.filter(status=ReportStatus.OPEN, community__deleted_at__isnull=True)
    if community_ids is not None:
        reports = reports.filter(community_id__in=community_ids)
    return (
        reports.select_related("community", "claimed_by")
        .annotate(**_category_counts())
        .prefetch_related(Prefetch("entries", queryset=entries, to_attr="all_entries"))
        .order_by("created_at", "id")
    )


def report_open_count(*, community_ids: frozenset[UUID] | None) -> int:
    """How many reports wait on the queue of the given communities (None: all)."""
    reports = Report.objects.filter(status=ReportStatus.OPEN, community__deleted_at__isnull=True)
    if community_ids is not None:
        reports = reports.filter(community_id__in=community_ids)
    return reports.count()


def report_open_by_community(*, community_ids: frozenset[UUID] | None) -> list[dict[str, Any]]:
    """Per community with open reports (None: all): its name, how many, and the oldest's filing time."""
    reports = Report.objects.filter(status=ReportStatus.OPEN, community__deleted_at__isnull=True)
    if community_ids is not None:
        reports = reports.filter(community_id__in=community_ids)
    return [dict(row) for row in reports.values("community_id", "community__name")
            .annotate(n=Count("id"), oldest=Min("created_at")).order_by("oldest")]


def report_target_key(report: Report) -> tuple[str, str, str]:
    return (report.target_type, str(report.community_id), str(report.target_id))


def report_targets(reports: list[Report]) -> dict[tuple[str, str, str], Post | Comment | Member]:
    """The reported posts, comments and members of a page of reports, in three queries at most.

    Keyed by report_target_key; a target that no longer exists is absent.
    """
    ids: dict[str, set] = {ReportTarget.POST: set(), ReportTarget.COMMENT: set(), ReportTarget.MEMBER: set()}
    for report in reports:
        ids[report.target_type].add(report.target_id)
    targets: dict[tuple[str, str, str], Post | Comment | Member] = {}
    if ids[ReportTarget.POST]:
        for post in Post.objects.filter(pk__in=ids[ReportTarget.POST]).select_related("author", "channel",
                                                                                      "community"):
            targets[(ReportTarget.POST, str(post.community_id), str(post.pk))] = post
    if ids[ReportTarget.COMMENT]:
        for comment in Comment.objects.filter(pk__in=ids[ReportTarget.COMMENT]).select_related("author", "post",
                                                                                               "community"):
            targets[(ReportTarget.COMMENT, str(comment.community_id), str(comment.pk))] = comment
    if ids[ReportTarget.MEMBER]:
        communities = {report.community_id for report in reports if report.target_type == ReportTarget.MEMBER}
        members = Member.objects.filter(user_id__in=ids[ReportTarget.MEMBER], community_id__in=communities)
        for member in members.select_related("user", "community"):
            targets[(ReportTarget.MEMBER, str(member.community_id), str(member.user_id))] = member
    return targets


def report_reasons(reports: list[Report]) -> dict[UUID, str]:
    """Per report, its reporters' most given reason (one query; ties go to the catalogue's order)."""
    order = {value: index for index, value in enumerate(ReportCategory.values)}
    counts: dict[UUID, dict[str, int]] = {}
    rows = (ReportEntry.objects.filter(report__in=[report.pk for report in reports])
            .values_list("report_id", "category").annotate(n=Count("id")))
    for report_id, category, n in rows:
        counts.setdefault(report_id, {})[category] = n
    return {report_id: ReportCategory(min(by, key=lambda c: (-by[c], order[c]))).label
            for report_id, by in counts.items()}


def report_labels(reports: list[Report]) -> dict[UUID, str]:
    """Each report in words, "Spam — post 'Buy cheap…' by bob in Python Developers", for a page
    of reports in four queries at most (the reasons, then the targets by type)."""
    targets = report_targets(reports)
    reasons = report_reasons(reports)
    labels = {}
    for report in reports:
        target = targets.get(report_target_key(report))
        what = (f"member {target}" if isinstance(target, Member) else str(target) if target is not None
                else f"a {report.get_target_type_display().lower()} that no longer exists")
        labels[report.pk] = f"{reasons.get(report.pk, 'Report')} — {what}"
    return labels
