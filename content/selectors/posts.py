"""Reads for posts: feeds (page and keyset), detail, search."""

from collections.abc import Callable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField

from communities.models import Community, CommunityType
from content.access import post_locked, post_locked_annotation, post_readable_filter, require_readable_post
from content.models import Post, PostStatus, Reaction
from members.selectors.access import CommunityAccess
from members.models import Member, MemberStatus

# Keyset orderings: the last field is the primary key, so every position is exact.
FEED_ORDERINGS = {
    "new": ["-published_at", "-id"],
    "top": ["-like_count", "-id"],
}
PAGE_ORDERINGS = {
    "new": ["-published_at", "-created_at", "-id"],
    "top": ["-like_count", "-published_at", "-id"],
    "pinned": ["-is_pinned", "-pinned_at", "-published_at", "-id"],
}


def post_feed_keys(*, ordering: str, status: str) -> list[str]:
    """The keyset ordering of a cursor feed (`ordering` in FEED_ORDERINGS) for posts in `status`."""
    if status not in (PostStatus.PUBLISHED, PostStatus.ARCHIVED):
        return ["-created_at", "-id"]  # drafts and queued posts have no published_at yet
    return FEED_ORDERINGS[ordering]


def _with_viewer(queryset: QuerySet[Post], *, user_id: object | None) -> QuerySet[Post]:
    liked = (
        Exists(Reaction.objects.filter(post=OuterRef("pk"), user_id=user_id))
        if user_id is not None
        else Value(False, output_field=BooleanField())
    )
    return (
        queryset.defer("search_vector")
        .select_related("author", "channel")
        .prefetch_related("attachments")
        .annotate(liked_by_me=liked)
    )


def post_feed(*, community: Community, user_id: object | None, access: CommunityAccess) -> QuerySet[Post]:
    """The community's posts the caller may read, with author, channel, media, liked_by_me and
    is_locked (gated posts the caller holds no level of)."""
    posts = Post.objects.filter(community=community).filter(post_readable_filter(user_id=user_id, access=access))
    return _with_viewer(posts, user_id=user_id).annotate(
        is_locked=post_locked_annotation(user_id=user_id, access=access)
    )


def post_search(queryset: QuerySet[Post], *, text: str) -> QuerySet[Post]:
    """Full-text match over title (weight A) and content (weight B), best first.

    Needs `is_locked` annotated: a locked post matches and ranks on its title only, so a
    search never reveals what its body says.
    """
    query = SearchQuery(text, search_type="websearch", config="english")
    title_vector = SearchVector("title", weight="A", config="english")
    return (
        # The title is part of search_vector, so the GIN index still picks the candidates.
        queryset.filter(search_vector=query)
        .annotate(title_vector=title_vector)
        .filter(Q(is_locked=False) | Q(title_vector=query))
        .annotate(search_rank=Case(
            When(is_locked=True, then=SearchRank(F("title_vector"), query)),
            default=SearchRank(F("search_vector"), query), output_field=FloatField(),
        ))
        .order_by("-search_rank", "-published_at", "-id")
    )


def post_get(*, post_id: object, user_id: object | None, access_for: Callable[[object], CommunityAccess]) -> Post:
    """One readable post, or NotFound. `access_for(community_id)` gives the caller's access."""
    post = _with_viewer(Post.objects.filter(pk=post_id, community__deleted_at__isnull=True), user_id=user_id)
    post = post.select_related("community").first()
    access = access_for(post.community_id) if post is not None else None
    post = require_readable_post(post, user_id=user_id, access=access)
    post.is_locked = post_locked(post, user_id=user_id, access=access)
    return post


def post_global_search(*, text: str, user_id: object | None, superadmin: bool) -> QuerySet[Post]:
    """Published posts in every community the caller may read, ranked."""
    posts = Post.objects.filter(
        status=PostStatus.PUBLISHED, deleted_at__isnull=True, community__deleted_at__isnull=True
    )
    if not superadmin:
        readable = ~Q(community__community_type=CommunityType.PRIVATE) & (
            Q(channel__isnull=True) | Q(channel__is_members_only=False)
        )
        if user_id is not None:
            active = Member.objects.filter(
                community=OuterRef("community_id"), user_id=user_id, status=MemberStatus.ACTIVE
            )
            banned = Member.objects.filter(community=OuterRef("community_id"), user_id=user_id,
                                           status=MemberStatus.BANNED)
            readable = (readable | Q(Exists(active))) & ~Q(Exists(banned))
        posts = posts.filter(readable)
    locked = (Value(False, output_field=BooleanField()) if superadmin
              else post_locked_annotation(user_id=user_id, access=None))
    return post_search(_with_viewer(posts, user_id=user_id).annotate(is_locked=locked), text=text)
