"""Reports (flags) and the moderation queue.

One open Report per target: the first report creates it, later ones join it. A user
reports an open item once. The partial unique constraint on open (target_type, target_id)
makes concurrent first reports converge on one item.
"""

from datetime import UTC, timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from communities.audit import audit_record
from communities.models import AuditAction, Community
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, UnknownReference, ValidationFailed
from community_service.outbox.catalogue import Aggregate, EventType
from community_service.outbox.services import outbox_record
from content.access import post_readable
from content.models import Comment, Post, PostStatus, Report, ReportEntry, ReportStatus, ReportTarget
from content.services.comments import comment_delete
from content.services.posts import post_delete, post_moderate
from members import policy
from members.models import Member, MemberStatus, User
from members.selectors.access import CommunityAccess
from members.services.moderation import member_ban, member_mute


def _check_target(*, community: Community, reporter: User, access: CommunityAccess, target_type: str,
                  target_id: UUID) -> None:
    """The target must exist in this community and be visible to the reporter (else a 400
    `does_not_exist` on target_id: the same for a missing and a hidden one)."""
    if target_type == ReportTarget.POST:
        post = Post.objects.select_related("community", "channel").filter(pk=target_id, community=community).first()
        if post is None or not post_readable(post, user_id=reporter.pk, access=access):
            raise UnknownReference("Post not found.", field="target_id")
        author_id = post.author_id
    elif target_type == ReportTarget.COMMENT:
        comment = (Comment.objects.select_related("post__community", "post__channel")
                   .filter(pk=target_id, community=community, is_deleted=False, deleted_at__isnull=True).first())
        if comment is None or not post_readable(comment.post, user_id=reporter.pk, access=access):
            raise UnknownReference("Comment not found.", field="target_id")
        author_id = comment.author_id
    else:
        if not Member.objects.filter(community=community, user_id=target_id, status=MemberStatus.ACTIVE).exists():
            raise UnknownReference("Member not found.", field="target_id")
        author_id = target_id
    if str(author_id) == str(reporter.pk):
        raise Conflict("You cannot report yourself or your own content.", field="target_id", code="self_report")


def _open_report(*, community: Community, target_type: str, target_id: UUID) -> Report:
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


@atomic_with_retry
def report_submit(
    *, community: Community, reporter: User, access: CommunityAccess, target_type: str, target_id: UUID,
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
    except IntegrityError as exc:
        raise Conflict("You already reported this.", code="already_reported") from exc
    Report.objects.filter(pk=report.pk).update(reporter_count=F("reporter_count") + 1,
                                               last_reported_at=timezone.now())
    report.refresh_from_db()
    return report


def _refuse_claimed(report: Report, access: CommunityAccess) -> None:
    """Conflict `claimed`, naming the holder, while another moderator's claim holds (members.policy)."""
    holder_id, until_at = report.claimed_by_id, report.claimed_until
    if holder_id is not None and until_at is not None and policy.claim_blocks(
            claimed_by_id=holder_id, claimed_until=until_at, user_id=access.user_id,
            is_superadmin=access.is_superadmin):
        holder = User.objects.filter(pk=holder_id).values_list("username", flat=True).first()
        until = until_at.astimezone(UTC).strftime("%H:%M")
        raise Conflict(f"{holder or 'Another moderator'} is working on this report (claimed until {until} UTC).",
                       code="claimed")


def _locked_open(report: Report) -> Report:
    """The item's row, locked for this transaction (not its community's: the services that act
    on the target take that one in their own order); Conflict `already_closed` once it is decided."""
    report = Report.objects.select_for_update(of=("self",)).select_related("community").get(pk=report.pk)
    if report.status != ReportStatus.OPEN:
        raise Conflict("This report is already closed.", code="already_closed")
    return report


@atomic_with_retry
def report_close(*, report: Report, moderator: User, resolve: bool, note: str = "",
                 access: CommunityAccess | None = None) -> Report:
    """Resolve (action taken) or dismiss (nothing to do) an open item, with a note; audited.

    With the moderator's `access`, another moderator's claim refuses it (Conflict `claimed`)."""
    report = _locked_open(report)
    if access is not None:
        _refuse_claimed(report, access)
    report.status = ReportStatus.RESOLVED if resolve else ReportStatus.DISMISSED
    report.resolved_by = moderator
    report.resolution_note = note
    report.resolved_at = timezone.now()
    report.claimed_by, report.claimed_until = None, None
    report.save()
    audit_record(community_id=report.community_id, actor_id=moderator.pk,
                 action=AuditAction.REPORT_RESOLVED if resolve else AuditAction.REPORT_DISMISSED,
                 target_type="report", target_id=report.pk, reason=note)
    return report


def claim_minutes() -> int:
    """How long a claim holds (REPORT_CLAIM_MINUTES, default 30)."""
    return settings.REPORT_CLAIM_MINUTES


@transaction.atomic
def report_claim(*, report: Report, moderator: User, access: CommunityAccess) -> Report:
    """Take an open item for claim_minutes() so two moderators do not work on it at once.

    One conditional UPDATE: of moderators claiming at once exactly one wins (PostgreSQL re-checks
    the condition on the row the winner wrote); the others get Conflict `claimed` naming the
    holder. Claiming one's own item again extends it; a superadmin may take over a claim.
    Raises PermissionDenied without report.review, Conflict `already_closed`.
    """
    policy.require_permission(access, "report.review")
    until = timezone.now() + timedelta(minutes=claim_minutes())
    free = policy.claim_free_q(user_id=access.user_id, is_superadmin=access.is_superadmin)
    taken = (Report.objects.filter(free, pk=report.pk, status=ReportStatus.OPEN)
             .update(claimed_by=moderator, claimed_until=until))
    current = Report.objects.select_related("community").get(pk=report.pk)
    if not taken:
        if current.status != ReportStatus.OPEN:
            raise Conflict("This report is already closed.", code="already_closed")
        _refuse_claimed(current, access)
    return current


@transaction.atomic
def report_release(*, report: Report, moderator: User, access: CommunityAccess) -> Report:
    """Give a claim back (its holder, or a superadmin); releasing an unclaimed item changes nothing."""
    policy.require_permission(access, "report.review")
    report = _locked_open(report)
    _refuse_claimed(report, access)
    if report.claimed_by_id is not None:
        report.claimed_by, report.claimed_until = None, None
        report.save(update_fields=["claimed_by", "claimed_until"])
    return report


# What a moderator can decide about a reported target, from the queue.
DECISIONS = ("approve", "remove", "lock", "ban", "mute")
DECISION_CODES = {"approve": "report.review", "remove": None, "lock": "post.moderate", "ban": "member.ban",
                  "mute": "member.mute"}


def report_target(report: Report) -> Post | Comment | Member | None:
    """The reported post, comment (deleted ones included) or member, or None if it is gone."""
    if report.target_type == ReportTarget.POST:
        return Post.objects.filter(pk=report.target_id, community_id=report.community_id).first()
    if report.target_type == ReportTarget.COMMENT:
        return Comment.objects.filter(pk=report.target_id, community_id=report.community_id).first()
    return (Member.objects.select_related("user")
            .filter(community_id=report.community_id, user_id=report.target_id).first())


def _target_user(target: Post | Comment | Member | None) -> User:
    """Precondition: `target` exists (report_decide refuses a gone target before acting on it)."""
    assert target is not None
    user = target.user if isinstance(target, Member) else target.author
    if user is None:
        raise Conflict("The author's account no longer exists.", code="author_gone")
    return user


@transaction.atomic
def report_decide(
    *, report: Report, moderator: User, access: CommunityAccess, decision: str, reason: str = "",
    duration: timedelta | None = None,
) -> Report:
    """Act on a reported target and close its item, in one transaction (the queue's one click).

    The item gathers every report of the target (one open item per target), so all of them
    are decided at once:

    - approve: the target stays (a post waiting for review is published); the item is dismissed;
    - remove: the post or comment is soft-deleted (restorable); the item is resolved;
    - lock: comments on the post (a comment's post) are locked; resolved;
    - ban / mute: the author of the target, or the reported member, is banned (`duration`
      None: permanently) or muted for `duration`; resolved.

    The item's row is locked first, so of two moderators deciding at once one acts and the
    other gets Conflict `already_closed`; another moderator's unexpired claim refuses it
    (Conflict `claimed`) unless `access` is a superadmin's. Each step is the API's own service,
    with its audit entry and event, and the role hierarchy applies; `report.decided` carries
    the reason (docs/events.md). Precondition: `access` is the moderator's in the report's
    community. Raises PermissionDenied (missing code, hierarchy), Conflict (closed, claimed,
    target gone), ValidationFailed (a decision that does not fit the target).
    """
    if decision not in DECISIONS:
        raise ValidationFailed(f"Unknown decision {decision!r}.", field="decision", code="invalid_choice")
    policy.require_permission(access, "report.review")
    code = DECISION_CODES[decision]
    if code:
        policy.require_permission(access, code)
    report = _locked_open(report)
    _refuse_claimed(report, access)
    target = report_target(report)
    if target is None and decision != "approve":
        raise Conflict("The reported content no longer exists.", code="target_gone")
    note = reason or f"{decision} from the moderation queue"
    until: dict[str, object] = {}
    if decision == "approve":
        if isinstance(target, Post) and target.status == PostStatus.PENDING_REVIEW:
            policy.require_permission(access, "post.moderate")
            post_moderate(post=target, moderator=moderator, access=access, action="approve", reason=reason)
    elif decision == "remove":
        if isinstance(target, Post):
            post_delete(post=target, actor=moderator, access=access, reason=note)
        elif isinstance(target, Comment):
            comment_delete(comment=target, actor=moderator, access=access, reason=note)
        else:
            raise ValidationFailed("Remove applies to posts and comments; ban or mute a member.", field="decision")
    elif decision == "lock":
        if isinstance(target, Member):
            raise ValidationFailed("Lock applies to posts and comments.", field="decision")
        assert target is not None  # refused above: only an approval may find the target gone
        post = target if isinstance(target, Post) else target.post
        post_moderate(post=post, moderator=moderator, access=access, action="lock", reason=note)
    elif decision == "ban":
        banned = member_ban(actor=access, community=report.community, user=_target_user(target), duration=duration,
                            reason=note)
        until = {"until": banned.banned_until}
    else:
        if duration is None:
            raise ValidationFailed("A mute needs a duration.", field="duration")
        member = Member.objects.filter(community_id=report.community_id, user=_target_user(target),
                                       status=MemberStatus.ACTIVE).first()
        if member is None:
            raise Conflict("The author is not an active member any more.", code="not_member")
        until = {"until": member_mute(actor=access, member=member, duration=duration, reason=note).muted_until}
    report = report_close(report=report, moderator=moderator, resolve=decision != "approve", note=note, access=access)
    _record_decided(report, target=target, moderator=moderator, decision=decision, reason=reason, **until)
    return report


def _author_id(target: Post | Comment | Member | None) -> UUID | None:
    if target is None:
        return None
    return target.user_id if isinstance(target, Member) else target.author_id


def _record_decided(report: Report, *, target: Post | Comment | Member | None, moderator: User, decision: str,
                    reason: str, **until: object) -> None:
    reporter_ids = list(ReportEntry.objects.filter(report=report).order_by("created_at", "id")
                        .values_list("reporter_id", flat=True))
    outbox_record(
        event_type=EventType.REPORT_DECIDED, aggregate_type=Aggregate.REPORT, aggregate_id=report.pk,
        community_id=report.community_id, actor_id=moderator.pk,
        payload={"community_id": report.community_id, "report_id": report.pk, "target_type": report.target_type,
                 "target_id": report.target_id, "author_id": _author_id(target), "decision": decision,
                 "status": report.status, "moderator_id": moderator.pk, "reason": reason,
                 "reporter_ids": reporter_ids, **until},
    )
