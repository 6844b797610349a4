"""Counters content's services keep (checked and fixed by `manage.py recount_counters`)."""

from django.conf import settings
from django.db.models import Q

from communities.models import Community
from community_service.db.counters import CounterSpec, count_of
from content.models import Comment, Post, Reaction
from content.services.posts import COUNTED


def _lock_posts_of_comments(comment_ids: list) -> None:
    # Comment writers lock the post first (content/services/comments.py); so does the recount.
    post_ids = Comment.objects.filter(pk__in=comment_ids).values("post_id")
    list(Post.objects.select_for_update().filter(pk__in=post_ids).order_by("pk").values_list("pk"))


def _deepest_first() -> list[Q]:
    # A reply's own reply_count decides whether it still shows under its parent, so the
    # deepest level is settled before the level above it.
    depth = getattr(settings, "COMMENT_MAX_DEPTH", 5)
    return [Q(depth=level) for level in range(depth, -1, -1)] + [Q(depth__gt=depth)]


COUNTERS = [
    # Visible posts: published or archived, not deleted.
    CounterSpec(Community, "post_count",
                count_of(Post.objects.filter(status__in=COUNTED, deleted_at__isnull=True), "community")),
    CounterSpec(Post, "like_count", count_of(Reaction.objects.filter(post__isnull=False), "post")),
    # Comments that are not deleted (placeholders are deleted).
    CounterSpec(Post, "comment_count", count_of(Comment.objects.filter(is_deleted=False), "post")),
    CounterSpec(Comment, "like_count", count_of(Reaction.objects.filter(comment__isnull=False), "comment"),
                lock_first=_lock_posts_of_comments),
    # Direct replies shown: live ones, and placeholders that still hold replies.
    CounterSpec(Comment, "reply_count",
                count_of(Comment.objects.filter(Q(is_deleted=False) | Q(reply_count__gt=0)), "parent"),
                passes=_deepest_first, lock_first=_lock_posts_of_comments),
]
