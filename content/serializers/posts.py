from rest_framework import serializers

from community_service.api.fields import NameField, StrictCharField, iso_datetime
from community_service.search.api import HIGHLIGHT_HELP, ITEM_MATCH_HELP
from content.models import Post, PostStatus
from content.selectors.posts import post_media_urls


class PostAuthorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    is_bot = serializers.BooleanField(help_text="A bot account (docs/api.md, \"Integrations\").")


class PostOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)
    channel_id = serializers.UUIDField(read_only=True, allow_null=True)
    author = PostAuthorSerializer(read_only=True, allow_null=True)
    media_urls = serializers.SerializerMethodField()
    liked_by_me = serializers.BooleanField(read_only=True, default=False)
    locked = serializers.BooleanField(source="is_locked", read_only=True, default=False,
                                      help_text="Gated post you hold none of the levels of: `content` is empty, "
                                                "`media_urls` too, and its comments are closed to you.")
    required_level_ids = serializers.ListField(child=serializers.UUIDField(), read_only=True,
                                               help_text="Subscription levels that unlock the post; empty: open.")

    class Meta:
        model = Post
        fields = [
            "id", "community_id", "channel_id", "author", "title", "content", "status", "rejection_reason",
            "is_pinned", "comments_locked", "media_urls", "like_count", "view_count", "comment_count",
            "liked_by_me", "locked", "required_level_ids", "published_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_media_urls(self, post: Post) -> list[str]:
        if getattr(post, "is_locked", False):
            return []
        return post_media_urls(post)

    def to_representation(self, post: Post) -> dict:
        data = super().to_representation(post)
        if getattr(post, "is_locked", False):
            data["content"] = ""  # the title and the marker only
        return data


class PostHighlightSerializer(serializers.Serializer):
    title = serializers.CharField()
    content = serializers.CharField(allow_null=True, help_text="null for a gated post the caller cannot read.")


class PostSearchResultSerializer(PostOutputSerializer):
    """A post found by a search: how it matched and where (community_service.search.api)."""

    match = serializers.CharField(source="search_match", read_only=True, help_text=ITEM_MATCH_HELP)
    highlight = PostHighlightSerializer(source="search_highlight", read_only=True, help_text=HIGHLIGHT_HELP)

    class Meta(PostOutputSerializer.Meta):
        fields = [*PostOutputSerializer.Meta.fields, "match", "highlight"]
        read_only_fields = fields


def post_data(post: Post) -> dict:
    """Exactly PostOutputSerializer(post).data (tests compare them on every kind of post),
    without DRF's per-field machinery: a feed or search page of 20 posts paid ~0.2 ms a post
    for it. The serializer stays the schema's source of truth."""
    locked = bool(getattr(post, "is_locked", False))
    author = post.author
    return {
        "id": str(post.id),
        "community_id": str(post.community_id),
        "channel_id": None if post.channel_id is None else str(post.channel_id),
        "author": None if author is None else {"id": str(author.id), "username": str(author.username),
                                           "is_bot": bool(author.is_bot)},
        "title": str(post.title),
        "content": "" if locked else str(post.content),
        "status": str(post.status),
        "rejection_reason": str(post.rejection_reason),
        "is_pinned": bool(post.is_pinned),
        "comments_locked": bool(post.comments_locked),
        "media_urls": [] if locked else post_media_urls(post),
        "like_count": int(post.like_count),
        "view_count": int(post.view_count),
        "comment_count": int(post.comment_count),
        "liked_by_me": bool(getattr(post, "liked_by_me", False)),
        "locked": locked,
        "required_level_ids": [str(level_id) for level_id in post.required_level_ids],
        "published_at": iso_datetime(post.published_at),
        "created_at": iso_datetime(post.created_at),
        "updated_at": iso_datetime(post.updated_at),
    }


def post_search_data(post: Post) -> dict:
    """Exactly PostSearchResultSerializer(post).data: post_data, how it matched and where."""
    highlight = post.search_highlight  # type: ignore[attr-defined]  # set by post_search
    content = highlight["content"]
    return {**post_data(post), "match": str(post.search_match),  # type: ignore[attr-defined]  # post_search's
            "highlight": {"title": str(highlight["title"]), "content": None if content is None else str(content)}}


class PostInputSerializer(serializers.Serializer):
    title = NameField(max_length=300)
    content = StrictCharField(min_length=1, max_length=40000)
    channel_id = serializers.UUIDField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[(PostStatus.DRAFT, "Draft"), (PostStatus.PUBLISHED, "Published")], default=PostStatus.PUBLISHED,
        help_text="published (held for review in pre-moderated communities) or draft.",
    )
    attachment_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=10,
                                           help_text="Uploaded attachments (POST .../attachments) to attach.")
    required_level_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=20,
        help_text="Gate the post: only subscribers of one of these levels (and moderators) read its body, media "
                  "and comments. Needs billing.manage. Empty: open to every reader.",
    )


class PostUpdateSerializer(serializers.Serializer):
    title = NameField(max_length=300)
    content = StrictCharField(min_length=1, max_length=40000)
    channel_id = serializers.UUIDField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[(s, s) for s in (PostStatus.DRAFT, PostStatus.PUBLISHED, PostStatus.ARCHIVED)], required=False
    )
    required_level_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=20,
        help_text="Gate the post: only subscribers of one of these levels (and moderators) read its body, media "
                  "and comments. Needs billing.manage. Empty: open to every reader.",
    )


class ModerationReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class RejectInputSerializer(serializers.Serializer):
    reason = StrictCharField(min_length=1, max_length=500)


class PostCursorPageSerializer(serializers.Serializer):
    items = PostOutputSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
