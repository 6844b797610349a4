"""Reads for posts: feeds (page and keyset), detail, search."""

from collections.abc import Callable, Sequence
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.fields import BooleanField

from communities.models import Community
from community_service.db.router import replica_reads
from community_service.exceptions import NotFound
from community_service.search.query import (
    ALL_CONFIGS,
    SearchConfigOf,
    SearchPage,
    SearchSpec,
    TsQuery,
    config_for,
    fulltext_filter,
    headline,
    in_order,
    marked_html,
    search_ids,
)
from content.access import post_locked, post_locked_annotation, post_readable_filter, require_readable_post
from content.models import Attachment, Post, PostStatus, Reaction
from members import policy
from members.selectors.access import CommunityAccess

# Keyset orderings: the last field is the primary key, so every position is exact.
FEED_ORDERINGS = {
    "new": ["-published_at", "-id"],
    "top": ["-like_count", "-id"],
    "pinned": ["-is_pinned", "-published_at", "-id"],
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


def _with_viewer(queryset: QuerySet[Post], *, user_id: UUID | None) -> QuerySet[Post]:
    liked = (
        Exists(Reaction.objects.filter(post=OuterRef("pk"), user_id=user_id))
        if user_id is not None
        else Value(False, output_field=BooleanField())
    )
    # The media's file names ride in the post's row (an array subquery on the post_id index):
    # prefetch_related cost a second query and a queryset per post, ~1.5 ms of a 20-post page.
    media = ArraySubquery(Attachment.objects.filter(post=OuterRef("pk")).order_by("created_at").values("file"))
    return (
        queryset.defer("search_vector")
        .select_related("author", "channel")
        .annotate(liked_by_me=liked, media_files=media)
    )


def post_media_urls(post: Post) -> list[str]:
    """The URLs of a post's attachments, oldest first: from the `media_files` the feeds and
    post reads annotate (_with_viewer), else read from the table."""
    names = getattr(post, "media_files", None)
    if names is None:
        return [attachment.file.url for attachment in post.attachments.all()]
    storage = Attachment._meta.get_field("file").storage
    return [storage.url(name) for name in names]


def post_feed(*, community: Community, user_id: UUID | None, access: CommunityAccess) -> QuerySet[Post]:
    """The community's posts the caller may read, with author, channel, media, liked_by_me and
    is_locked (gated posts the caller holds no level of)."""
    # Feeds tolerate replication lag: served by the read replica when one is configured.
    posts = replica_reads(Post.objects).filter(community=community).filter(
        post_readable_filter(user_id=user_id, access=access))
    return _with_viewer(posts, user_id=user_id).annotate(
        is_locked=post_locked_annotation(user_id=user_id, access=access)
    )


# Search candidates are the newest matches (idx_posts_feed, idx_posts_published); ties go to the newest.
SEARCH_ORDER = ("-published_at", "-id")


def _search_page(queryset: QuerySet[Post], *, text: str, spec: SearchSpec, config: Combinable | str, page: int,
                 page_size: int, ranked: bool) -> SearchPage:
    """Needs `is_locked` annotated: a locked post matches and ranks on its title only, and its
    highlight shows no body, so a search never reveals what the body says."""
    result = search_ids(queryset, text=text, spec=spec, page=page, page_size=page_size, ranked=ranked)
    if not result.ids:
        return result
    query = TsQuery(result.tsquery)
    rows = queryset.filter(pk__in=result.ids).annotate(
        title_headline=headline(config, F("title"), query),
        content_headline=headline(config, F("content"), query),
    )
    result.items = in_order(list(rows), result.ids)
    for post in result.items:
        post.search_match = result.match_of[post.pk]
        post.search_highlight = {"title": marked_html(post.title_headline),
                                 "content": None if post.is_locked else marked_html(post.content_headline, whole=False)}
    return result


def post_search(queryset: QuerySet[Post], *, community: Community, text: str, page: int, page_size: int,
                order: Sequence[str] | None = None) -> SearchPage:
    """One page of a community's posts (`queryset`: readable, filtered, with is_locked)
    matching `text` in the community's language plus exact spelling: title (weight A),
    content (B). Ranked by relevance, or in `order` when the caller asked for one; titles
    spelled like the query are added when full text finds little. Items carry `search_match`
    and `search_highlight`."""
    spec = _post_spec(community, order=order)
    return _search_page(queryset, text=text, spec=spec, config=spec.configs[0], page=page, page_size=page_size,
                        ranked=order is None)


def _post_spec(community: Community, *, order: Sequence[str] | None = None) -> SearchSpec:
    return SearchSpec(configs=(config_for(community.language),), order=order or SEARCH_ORDER, fuzzy=True,
                      title_only_when="is_locked")


def post_search_filter(queryset: QuerySet[Post], *, community: Community, text: str) -> QuerySet[Post]:
    """The posts of `queryset` (with is_locked) whose words match `text`, unranked: for
    keyset feeds, where `ordering` orders and search only filters."""
    return fulltext_filter(queryset, text=text, spec=_post_spec(community))


def post_get(*, post_id: UUID, user_id: UUID | None, access_for: Callable[[UUID], CommunityAccess]) -> Post:
    """One readable post, or NotFound. `access_for(community_id)` gives the caller's access."""
    rows = _with_viewer(Post.objects.filter(pk=post_id, community__deleted_at__isnull=True), user_id=user_id)
    post = rows.select_related("community").first()
    if post is None:
        raise NotFound("Post not found.")
    access = access_for(post.community_id)
    post = require_readable_post(post, user_id=user_id, access=access)
    # is_locked: what the feed querysets annotate (post_locked_annotation), here worked out for one post.
    post.is_locked = post_locked(post, user_id=user_id, access=access)  # type: ignore[attr-defined]
    return post


def post_written(*, post_id: UUID, user_id: UUID | None) -> Post:
    """The post a write just committed, as its writer sees it, with no visibility re-check:
    a delete that commits right after must not turn that committed write into a 404."""
    return _with_viewer(Post.objects.filter(pk=post_id), user_id=user_id).select_related("community").get()


def post_global_search(*, text: str, user_id: UUID | None, superadmin: bool, page: int,
                       page_size: int) -> SearchPage:
    """Published posts in every community the caller may read matching `text` in every
    supported language, ranked (see post_search)."""
    posts = replica_reads(Post.objects).filter(
        status=PostStatus.PUBLISHED, deleted_at__isnull=True, community__deleted_at__isnull=True
    )
    posts = posts.filter(policy.visible_communities_q(viewer_id=user_id, superadmin=superadmin, via="community"))
    if not superadmin:  # an outsider's view of each community: members-only channels hidden
        posts = posts.filter(Q(channel__isnull=True) | Q(channel__is_members_only=False) |
                             policy.insider_of_q(user_id=user_id))
    locked = (Value(False, output_field=BooleanField()) if superadmin
              else post_locked_annotation(user_id=user_id, access=None))
    spec = SearchSpec(configs=ALL_CONFIGS, order=SEARCH_ORDER, fuzzy=True, title_only_when="is_locked")
    return _search_page(_with_viewer(posts, user_id=user_id).annotate(is_locked=locked), text=text, spec=spec,
                        config=SearchConfigOf(F("community__language")), page=page, page_size=page_size, ranked=True)
