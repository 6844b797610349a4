"""Likes on posts and comments: idempotent, and counts exact under any concurrency.

A like is an `INSERT ... ON CONFLICT DO NOTHING` against the partial unique constraints
(one like per user and target); the counter moves with an F() update only when a row was
really inserted or deleted. Two identical likes at once: the second INSERT waits on the
first's index entry and then inserts nothing, so the count moves once.

Lock order (docs/architecture.md): the liked post or comment is locked (FOR NO KEY UPDATE)
before its reaction row is inserted or deleted, and the counter UPDATE then takes no new
lock. (Deleting the reaction first and locking the target second would deadlock against a
like that holds the target and waits on that reaction's unique key.) A target deleted
meanwhile is NotFound.
"""

import uuid
from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from django.utils import timezone

from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import Conflict, NotFound
from community_service.outbox.services import outbox_record
from content.access import require_can_speak
from content.models import Comment, Post, PostStatus, Reaction
from members.models import User
from members.selectors.access import CommunityAccess


@dataclass(frozen=True)
class LikeState:
    liked: bool
    like_count: int


def _require_published(post: Post) -> None:
    if post.status != PostStatus.PUBLISHED:
        raise Conflict("Only published posts take likes.", code="post_not_published")


def _lock_live(target: Post | Comment) -> None:
    model = type(target)
    live = {"deleted_at__isnull": True} if model is Post else {"is_deleted": False}
    if not model.objects.select_for_update(no_key=True).filter(pk=target.pk, **live).exists():
        raise NotFound(f"{str(model._meta.verbose_name).capitalize()} not found.")


def _set_like(*, target: Post | Comment, user: User, liked: bool) -> LikeState:
    """Make the user's like on `target` exist (or not); move the counter only on a real change."""
    model = type(target)
    field = "post" if model is Post else "comment"
    _lock_live(target)
    if liked:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Reaction._meta.db_table} (id, user_id, {field}_id, created_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
                [uuid.uuid4(), user.pk, target.pk, timezone.now()],
            )
            changed = cursor.fetchone() is not None
    else:
        changed = Reaction.objects.filter(user=user, **{field: target}).delete()[0] > 0
    if changed:
        model.objects.filter(pk=target.pk).update(like_count=F("like_count") + (1 if liked else -1))
    if changed and liked:
        _record_like(target, user)
    count = model.objects.filter(pk=target.pk).values_list("like_count", flat=True).get()
    return LikeState(liked=liked, like_count=count)


def _record_like(target: Post | Comment, user: User) -> None:
    if isinstance(target, Post):
        outbox_record(event_type="post.liked", aggregate_type="post", aggregate_id=target.pk,
                      community_id=target.community_id,
                      payload={"community_id": target.community_id, "post_id": target.pk, "author_id": target.author_id,
                               "channel_id": target.channel_id, "user_id": user.pk})
    else:
        outbox_record(event_type="comment.liked", aggregate_type="comment", aggregate_id=target.pk,
                      community_id=target.community_id,
                      payload={"community_id": target.community_id, "comment_id": target.pk,
                               "post_id": target.post_id, "author_id": target.author_id, "user_id": user.pk})


@atomic_with_retry
def post_like(*, post: Post, user: User, access: CommunityAccess) -> LikeState:
    """Like a post (again: no change). Precondition: the caller may read the post.

    Raises PermissionDenied (require_can_speak) and Conflict (post not published).
    """
    require_can_speak(access)
    _require_published(post)
    return _set_like(target=post, user=user, liked=True)


@atomic_with_retry
def post_unlike(*, post: Post, user: User, access: CommunityAccess) -> LikeState:
    """Take a like back (none: no change). Raises PermissionDenied (require_can_speak)."""
    require_can_speak(access)
    return _set_like(target=post, user=user, liked=False)


@atomic_with_retry
def comment_like(*, comment: Comment, user: User, access: CommunityAccess) -> LikeState:
    """Like a live comment of a readable post. Raises PermissionDenied and Conflict (post
    not published)."""
    require_can_speak(access)
    _require_published(comment.post)
    return _set_like(target=comment, user=user, liked=True)


@atomic_with_retry
def comment_unlike(*, comment: Comment, user: User, access: CommunityAccess) -> LikeState:
    """Take a like on a comment back. Raises PermissionDenied (require_can_speak)."""
    require_can_speak(access)
    return _set_like(target=comment, user=user, liked=False)
