"""Reports (flags) and the moderation queue.

One open Report per target: the first report creates it, later ones join it. A user
reports an open item once. The partial unique constraint on open (target_type, target_id)
makes concurrent first reports converge on one item.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from community_service.exceptions import Conflict, NotFound, ValidationFailed
from communities.audit import audit_record
from communities.models import AuditAction, Community
from content.access import post_readable
from content.models import Comment, Post, Report, ReportEntry, ReportStatus, ReportTarget
from members.selectors.access import CommunityAccess
from members.models import Member, MemberStatus, User


def _check_target(*, community: Community, reporter: User, access: CommunityAccess, target_type: str,
                  target_id: object) -> None:
    """The target must exist in this community and be visible to the reporter (else 404)."""
    if target_type == ReportTarget.POST:
        post = Post.objects.select_related("community", "channel").filter(pk=target_id, community=community).first()
        if post is None or not post_readable(post, user_id=reporter.pk, access=access):
            raise NotFound("Post not found.")
        author_id = post.author_id
    elif target_type == ReportTarget.COMMENT:
        comment = (Comment.objects.select_related("post__community", "post__channel")
                   .filter(pk=target_id, community=community, is_deleted=False, deleted_at__isnull=True).first())
        if comment is None or not post_readable(comment.post, user_id=reporter.pk, access=access):
            raise NotFound("Comment not found.")
        author_id = comment.author_id
    else:
        if not Member.objects.filter(community=community, user_id=target_id, status=MemberStatus.ACTIVE).exists():
            raise NotFound("Member not found.")
        author_id = target_id
    if str(author_id) == str(reporter.pk):
        raise ValidationFailed("You cannot report yourself or your own content.", field="target_id", code="self_report")


def _open_report(*, community: Community, target_type: str, target_id: object) -> Report:
    report = (Report.objects.select_for_update()
              .filter(target_type=target_type, target_id=target_id, status=ReportStatus.OPEN).first())
    if report is not None:
        return report
    try:
        with transaction.atomic():
            return Report.objects.create(community=community, target_type=target_type, target_id=target_id,
                                         last_reported_at=timezone.now())
    except IntegrityError:
        # A concurrent first report created it; join theirs.
        return Report.objects.select_for_update().get(target_type=target_type, target_id=target_id,
                                                      status=ReportStatus.OPEN)


@transaction.atomic
def report_submit(
    *, community: Community, reporter: User, access: CommunityAccess, target_type: str, target_id: object,
    category: str, text: str = "",
) -> Report:
    """File a report. Raises NotFound for an unknown/invisible target, ValidationFailed for a
    self-report, Conflict (`already_reported`) when this user already reported the open item.
    """
    _check_target(community=community, reporter=reporter, access=access, target_type=target_type,
                  target_id=target_id)
    report = _open_report(community=community, target_type=target_type, target_id=target_id)
    try:
        with transaction.atomic():
            ReportEntry.objects.create(report=report, reporter=reporter, category=category, text=text)
    except IntegrityError:
        raise Conflict("You already reported this.", code="already_reported")
    Report.objects.filter(pk=report.pk).update(reporter_count=F("reporter_count") + 1,
                                               last_reported_at=timezone.now())
    report.refresh_from_db()
    return report


@transaction.atomic
def report_close(*, report: Report, moderator: User, resolve: bool, note: str = "") -> Report:
    """Resolve (action taken) or dismiss (nothing to do) an open item, with a note; audited."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.OPEN:
        raise Conflict("This report is already closed.", code="already_closed")
    report.status = ReportStatus.RESOLVED if resolve else ReportStatus.DISMISSED
    report.resolved_by = moderator
    report.resolution_note = note
    report.resolved_at = timezone.now()
    report.save()
    audit_record(community_id=report.community_id, actor_id=moderator.pk,
                 action=AuditAction.REPORT_RESOLVED if resolve else AuditAction.REPORT_DISMISSED,
                 target_type="report", target_id=report.pk, reason=note)
    return report
