from rest_framework import serializers

from community_service.api.fields import StrictCharField
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

    class Meta:
        model = Post
        fields = [
            "id", "community_id", "channel_id", "author", "title", "content", "status", "rejection_reason",
            "is_pinned", "comments_locked", "media_urls", "like_count", "view_count", "comment_count",
            "liked_by_me", "published_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_media_urls(self, post: Post) -> list[str]:
        return [attachment.file.url for attachment in post.attachments.all()]


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


class PostUpdateSerializer(serializers.Serializer):
    title = StrictCharField(min_length=1, max_length=300)
    content = StrictCharField(min_length=1, max_length=40000)
    channel_id = serializers.UUIDField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[(s, s) for s in (PostStatus.DRAFT, PostStatus.PUBLISHED, PostStatus.ARCHIVED)], required=False
    )


class ModerationReasonSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class RejectInputSerializer(serializers.Serializer):
    reason = StrictCharField(min_length=1, max_length=500)


class PostCursorPageSerializer(serializers.Serializer):
    items = PostOutputSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
