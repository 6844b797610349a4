"""Reads for comments: a page of threads with their nested replies, one comment.

A comment is shown while it is not deleted, or while it is a "[deleted]" placeholder that
still holds replies (`reply_count` counts the replies shown under it). A page of threads
costs a constant number of queries whatever its size or depth: the roots page, then every
shown reply of those roots at once through `Comment.thread` (the root), then the tree is
assembled in Python.
"""

from collections.abc import Callable
from uuid import UUID

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.fields import BooleanField

from communities.models import Community
from community_service.exceptions import NotFound
from community_service.search.query import (
    SearchPage,
    SearchSpec,
    TsQuery,
    config_for,
    headline,
    in_order,
    marked_html,
    search_ids,
)
from content.access import post_locked_annotation, post_readable_filter, require_readable_post, require_unlocked
from content.models import Comment, Post, Reaction
from members.selectors.access import CommunityAccess

# ?ordering= of the roots; replies always read oldest first, as a conversation.
ROOT_ORDERINGS = {
    "created_at": ["created_at", "id"],
    "-created_at": ["-created_at", "-id"],
}
DEFAULT_ROOT_ORDERING = "-created_at"

SHOWN = Q(is_deleted=False) | Q(reply_count__gt=0)


def _with_viewer(queryset: QuerySet[Comment], *, user_id: UUID | None) -> QuerySet[Comment]:
    liked = (
        Exists(Reaction.objects.filter(comment=OuterRef("pk"), user_id=user_id))
        if user_id is not None
        else Value(False, output_field=BooleanField())
    )
    # The search vector (content's own lexemes) is never shown: do not ship it with every comment.
    return queryset.defer("search_vector").select_related("author").annotate(liked_by_me=liked)


def comment_post_get(
    *, post_id: UUID, user_id: UUID | None, access_for: Callable[[UUID], CommunityAccess]
) -> Post:
    """The post whose comments are read or written (or that is liked), if the caller may read it.

    Raises NotFound (missing or invisible post) or PermissionDenied (banned caller, or a
    gated post the caller holds no level of: `subscription_required`).
    """
    post = (
        Post.objects.defer("search_vector")
        .select_related("community", "channel")
        .filter(pk=post_id, community__deleted_at__isnull=True)
        .first()
    )
    if post is None:
        raise NotFound("Post not found.")
    access = access_for(post.community_id)
    post = require_readable_post(post, user_id=user_id, access=access)
    return require_unlocked(post, user_id=user_id, access=access)


def comment_roots(*, post: Post, user_id: UUID | None) -> QuerySet[Comment]:
    """The post's shown root comments, unordered (the caller orders and pages them)."""
    roots = Comment.objects.filter(post=post, parent__isnull=True).filter(SHOWN)
    return _with_viewer(roots, user_id=user_id)


def comment_tree_attach(roots: list[Comment], *, user_id: UUID | None) -> list[Comment]:
    """Give each root (and each reply) its shown replies as `tree_replies`, in one query."""
    by_id: dict[UUID, Comment] = {}
    for root in roots:
        root.tree_replies = []
        by_id[root.pk] = root
    if not roots:
        return roots
    replies = _with_viewer(
        Comment.objects.filter(thread_id__in=list(by_id)).filter(SHOWN), user_id=user_id
    ).order_by("depth", "created_at", "id")
    # Ordered by depth, so a reply's parent is always placed before the reply itself.
    for reply in replies:
        reply.tree_replies = []
        parent = by_id.get(reply.parent_id) if reply.parent_id is not None else None
        if parent is None:  # under a parent that is no longer shown
            continue
        parent.tree_replies.append(reply)
        by_id[reply.pk] = reply
    for comment in by_id.values():
        comment.tree_replies.sort(key=lambda c: (c.created_at, c.pk))
    return roots


def comment_written(*, comment_id: UUID, user_id: UUID | None) -> Comment:
    """The comment a write just committed, as its writer sees it, with no visibility re-check
    (its post may have been deleted since: the write still happened)."""
    return (
        _with_viewer(Comment.objects.filter(pk=comment_id), user_id=user_id)
        .select_related("post", "post__community", "post__channel")
        .defer("post__search_vector")
        .get()
    )


def comment_get(
    *, comment_id: UUID, user_id: UUID | None, access_for: Callable[[UUID], CommunityAccess]
) -> Comment:
    """One live (not deleted) comment on a post the caller may read, with its post.

    Raises NotFound (missing, deleted, or on an invisible post) or PermissionDenied (banned).
    """
    comment = (
        _with_viewer(Comment.objects.filter(pk=comment_id, is_deleted=False), user_id=user_id)
        .select_related("post", "post__community", "post__channel")
        .defer("post__search_vector")
        .first()
    )
    if comment is None:
        raise NotFound("Comment not found.")
    access = access_for(comment.post.community_id)
    try:
        require_readable_post(comment.post, user_id=user_id, access=access)
    except NotFound:
        raise NotFound("Comment not found.") from None
    require_unlocked(comment.post, user_id=user_id, access=access)
    return comment


def comment_search(*, community: Community, user_id: UUID | None, access: CommunityAccess, text: str, page: int,
                   page_size: int) -> SearchPage:
    """One page of the community's live comments on posts the caller may read (and that are
    not locked to them: a gated post's comments are for its subscribers), matching
    `text` in the community's language (plus exact spelling), ranked, newest first on ties.
    Comments have no title, so there is no typo fallback. Items carry `search_match` and
    `search_highlight` ({"content"} as safe HTML)."""
    readable_posts = (
        Post.objects.filter(community=community)
        .filter(post_readable_filter(user_id=user_id, access=access))
        .annotate(is_locked=post_locked_annotation(user_id=user_id, access=access))
        .filter(is_locked=False)
        .values("pk")
    )
    comments = Comment.objects.filter(community=community, is_deleted=False, post__in=readable_posts)
    config = config_for(community.language)
    spec = SearchSpec(configs=(config,), order=("-created_at", "-id"), fuzzy=False)
    result = search_ids(comments, text=text, spec=spec, page=page, page_size=page_size)
    if not result.ids:
        return result
    rows = _with_viewer(comments.filter(pk__in=result.ids), user_id=user_id).annotate(
        content_headline=headline(config, F("content"), TsQuery(result.tsquery)))
    result.items = in_order(list(rows), result.ids)
    for comment in result.items:
        comment.search_match = result.match_of[comment.pk]
        comment.search_highlight = {"content": marked_html(comment.content_headline, whole=False)}
    return result
