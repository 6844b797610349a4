"""Writes for comments: reply in threads, edit, delete (placeholder or gone).

Counters, all changed with F() updates:
- `Post.comment_count` counts the post's comments that are not deleted;
- `Comment.reply_count` counts the direct replies shown under a comment: live ones, and
  "[deleted]" placeholders that still hold replies. A deleted comment stays shown exactly
  while its reply_count is above zero, so when the last reply under a placeholder goes,
  the placeholder goes too (and that may empty its own parent placeholder, and so on up).

Every create and delete locks the post row first, so writes to one post's comments take
their turns (and always lock in the same order, docs/architecture.md: post, comment, then
its ancestors). Locks are FOR NO KEY UPDATE, which leaves the foreign-key checks of
concurrent replies and likes unblocked.
"""

from uuid import UUID

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from communities.audit import audit_record
from communities.models import AuditAction
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, NotFound, PermissionDenied, UnknownReference
from community_service.outbox.services import outbox_record
from content.access import require_can_write
from content.models import Comment, Post, PostStatus
from members.models import User
from members.selectors.access import CommunityAccess


def comment_max_depth() -> int:
    """How many levels of replies a root comment may have (COMMENT_MAX_DEPTH, default 5)."""
    return getattr(settings, "COMMENT_MAX_DEPTH", 5)


def _record(event_type: str, comment: Comment, **extra: object) -> None:
    outbox_record(
        event_type=event_type, aggregate_type="comment", aggregate_id=comment.pk, community_id=comment.community_id,
        payload={"community_id": comment.community_id, "comment_id": comment.pk, "post_id": comment.post_id,
                 **extra},
    )


def _require_open_for_comments(post: Post, access: CommunityAccess) -> None:
    """Comments go on live published posts, and on locked ones only from comment.moderate holders."""
    if post.deleted_at is not None:
        raise NotFound("Post not found.")
    if post.status != PostStatus.PUBLISHED:
        raise Conflict("Only published posts take comments.", code="post_not_published")
    if post.comments_locked and not access.has("comment.moderate"):
        raise PermissionDenied("Comments on this post are locked.", code="comments_locked")


@atomic_with_retry
def comment_create(
    *, post: Post, author: User, access: CommunityAccess, content: str, parent_id: UUID | None = None
) -> Comment:
    """Comment on a post, or reply to one of its comments.

    Precondition: the caller may read the post. Raises PermissionDenied (not a member,
    muted, channel overwrite, comments_locked), Conflict (post not published; `too_deep`
    on `parent_id`) and NotFound (post deleted meanwhile; no such live comment on this post).
    """
    require_can_write(post.channel, access, "comment.create")
    # Locked: a moderator locking comments, or unpublishing, is seen by this write.
    post = Post.objects.select_for_update(no_key=True).defer("search_vector").get(pk=post.pk)
    _require_open_for_comments(post, access)
    parent = None
    if parent_id is not None:
        # Locked so the parent cannot disappear (a delete with no replies) under this reply.
        parent = Comment.objects.select_for_update(no_key=True).filter(pk=parent_id, post=post,
                                                                        is_deleted=False).first()
        if parent is None:
            raise UnknownReference("No such comment on this post.", field="parent_id")
        if parent.depth + 1 > comment_max_depth():
            # Well-formed, but the thread is already as deep as it may go: a state conflict.
            raise Conflict(
                f"Replies nest at most {comment_max_depth()} levels deep; reply higher up the thread.",
                field="parent_id", code="too_deep",
            )
    comment = Comment.objects.create(
        post=post, community_id=post.community_id, author=author, content=content, parent=parent,
        thread_id=(parent.thread_id or parent.pk) if parent else None, depth=parent.depth + 1 if parent else 0,
    )
    if parent is not None:
        Comment.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    extra = {"parent_id": parent.pk} if parent else {}
    _record("comment.created", comment, author_id=author.pk, **extra)
    return comment


@atomic_with_retry
def comment_update(*, comment: Comment, actor: User, access: CommunityAccess, content: str | None = None) -> Comment:
    """Edit one's own comment (marks it edited). Nobody edits another's words. Without
    `content` (a PATCH that changes nothing) the same checks run and nothing changes.

    Raises PermissionDenied (not the author, or may no longer comment here: muted, left,
    channel overwrite, comments_locked), Conflict (post no longer published), NotFound
    is the selector's.
    """
    if comment.author_id != actor.pk:
        raise PermissionDenied("Only the author can edit a comment.", code="not_author")
    post = comment.post
    require_can_write(post.channel, access, "comment.create")
    _require_open_for_comments(post, access)
    comment = Comment.objects.select_for_update(no_key=True).get(pk=comment.pk)
    if comment.is_deleted:
        raise Conflict("This comment was deleted.", code="comment_deleted")
    if content is not None and comment.content != content:
        comment.content = content
        comment.is_edited = True
        comment.save(update_fields=["content", "is_edited", "updated_at"])
    return comment


def _unshow(comment: Comment) -> None:
    """`comment` just left the tree: its parent shows one reply fewer, and a placeholder
    parent left with none leaves the tree too, up the thread."""
    parent_id = comment.parent_id
    while parent_id is not None:
        Comment.objects.filter(pk=parent_id).update(reply_count=F("reply_count") - 1)
        parent = Comment.objects.only("id", "parent_id", "is_deleted", "reply_count").get(pk=parent_id)
        if not (parent.is_deleted and parent.reply_count == 0):
            return
        parent_id = parent.parent_id


@atomic_with_retry
def comment_delete(*, comment: Comment, actor: User, access: CommunityAccess, reason: str = "") -> None:
    """Delete a comment: the author may; holders of comment.moderate remove others' (audited,
    published as comment.moderated). With replies it stays as a "[deleted]" placeholder;
    without, it leaves the thread. Raises PermissionDenied.
    """
    is_author = comment.author_id == actor.pk
    if not is_author and not access.has("comment.moderate"):
        raise PermissionDenied("Only the author or a holder of comment.moderate can delete this comment.")
    Post.objects.select_for_update(no_key=True).only("id").get(pk=comment.post_id)
    comment = Comment.objects.select_for_update(no_key=True).get(pk=comment.pk)
    if comment.is_deleted:
        return  # a concurrent delete won
    comment.is_deleted = True
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)
    if comment.reply_count == 0:
        _unshow(comment)
    if not is_author:
        audit_record(community_id=comment.community_id, actor_id=actor.pk, action=AuditAction.COMMENT_REMOVED,
                     target_type="comment", target_id=comment.pk, reason=reason)
        _record("comment.moderated", comment, moderator_id=actor.pk, action="removed",
                **({"reason": reason} if reason else {}))
    _record("comment.deleted", comment, author_id=comment.author_id)


def _reshow(comment: Comment) -> None:
    """The inverse of _unshow: `comment` is back in the tree, and so is each placeholder above
    it that had left for want of replies."""
    parent_id = comment.parent_id
    while parent_id is not None:
        parent = Comment.objects.only("id", "parent_id", "is_deleted", "reply_count").get(pk=parent_id)
        Comment.objects.filter(pk=parent_id).update(reply_count=F("reply_count") + 1)
        if not (parent.is_deleted and parent.reply_count == 0):
            return
        parent_id = parent.parent_id


@atomic_with_retry
def comment_restore(*, comment: Comment, actor: User, access: CommunityAccess, reason: str = "") -> Comment:
    """Undo a delete: the comment shows again, counted again. Needs comment.moderate; audited
    and published as comment.moderated (`restored`). Raises PermissionDenied, Conflict.
    """
    if not access.has("comment.moderate"):
        raise PermissionDenied("You need the comment.moderate permission in this community to restore comments.")
    # The post row lock serialises every change to this post's comment tree (as comment_delete).
    Post.objects.select_for_update(no_key=True).only("id").get(pk=comment.post_id)
    comment = Comment.objects.select_for_update(no_key=True).get(pk=comment.pk)
    if not comment.is_deleted:
        raise Conflict("This comment is not deleted.", code="not_deleted")
    comment.is_deleted = False
    comment.deleted_at = None
    comment.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") + 1)
    if comment.reply_count == 0:
        _reshow(comment)
    audit_record(community_id=comment.community_id, actor_id=actor.pk, action=AuditAction.COMMENT_RESTORED,
                 target_type="comment", target_id=comment.pk, reason=reason)
    _record("comment.moderated", comment, moderator_id=actor.pk, action="restored",
            **({"reason": reason} if reason else {}))
    return comment
