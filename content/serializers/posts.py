from rest_framework import serializers

from community_service.api.fields import StrictCharField
from community_service.api.search import HIGHLIGHT_HELP, ITEM_MATCH_HELP
from content.models import Post, PostStatus


class PostAuthorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()


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
        return [attachment.file.url for attachment in post.attachments.all()]

    def to_representation(self, post: Post) -> dict:
        data = super().to_representation(post)
        if getattr(post, "is_locked", False):
            data["content"] = ""  # the title and the marker only
        return data


class PostHighlightSerializer(serializers.Serializer):
    title = serializers.CharField()
    content = serializers.CharField(allow_null=True, help_text="null for a gated post the caller cannot read.")


class PostSearchResultSerializer(PostOutputSerializer):
    """A post found by a search: how it matched and where (community_service.api.search)."""

    match = serializers.CharField(source="search_match", read_only=True, help_text=ITEM_MATCH_HELP)
    highlight = PostHighlightSerializer(source="search_highlight", read_only=True, help_text=HIGHLIGHT_HELP)

    class Meta(PostOutputSerializer.Meta):
        fields = [*PostOutputSerializer.Meta.fields, "match", "highlight"]
        read_only_fields = fields


class PostInputSerializer(serializers.Serializer):
    title = StrictCharField(min_length=1, max_length=300)
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
    title = StrictCharField(min_length=1, max_length=300)
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
