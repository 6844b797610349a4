"""Comments and likes: input validation and output shaping only."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community_service.api.fields import StrictCharField
from community_service.search.api import HIGHLIGHT_HELP, ITEM_MATCH_HELP
from content.models import Comment

DELETED_PLACEHOLDER = "[deleted]"


class CommentAuthorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    is_bot = serializers.BooleanField(help_text="A bot account (docs/api.md, \"Integrations\").")


class CommentInputSerializer(serializers.Serializer):
    content = StrictCharField(min_length=1, max_length=10000)
    parent_id = serializers.UUIDField(required=False, allow_null=True, default=None,
                                      help_text="Reply to this comment of the same post; omit for a new thread.")


class CommentUpdateSerializer(serializers.Serializer):
    content = StrictCharField(min_length=1, max_length=10000)


class CommentOutputSerializer(serializers.ModelSerializer):
    """A comment. A deleted one that still holds replies is a placeholder: `is_deleted`
    true, content "[deleted]", author null."""

    post_id = serializers.UUIDField(read_only=True)
    parent_id = serializers.UUIDField(read_only=True, allow_null=True)
    author = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    liked_by_me = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Comment
        fields = [
            "id", "post_id", "parent_id", "depth", "author", "content", "is_edited", "is_deleted", "like_count",
            "reply_count", "liked_by_me", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(CommentAuthorSerializer(allow_null=True))
    def get_author(self, comment: Comment) -> dict | None:
        if comment.is_deleted or comment.author is None:
            return None
        return CommentAuthorSerializer(comment.author).data

    def get_content(self, comment: Comment) -> str:
        return DELETED_PLACEHOLDER if comment.is_deleted else comment.content


class CommentThreadSerializer(CommentOutputSerializer):
    """A comment with the replies shown under it, nested to the depth limit."""

    replies = serializers.SerializerMethodField()

    class Meta(CommentOutputSerializer.Meta):
        fields = [*CommentOutputSerializer.Meta.fields, "replies"]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/CommentThread"}})
    def get_replies(self, comment: Comment) -> list[dict[str, Any]]:
        return list(CommentThreadSerializer(getattr(comment, "tree_replies", []), many=True, context=self.context).data)


class LikeStateSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField(min_value=0)


class CommentHighlightSerializer(serializers.Serializer):
    content = serializers.CharField()


class CommentSearchResultSerializer(CommentOutputSerializer):
    """A comment found by a search, with how it matched and where."""

    match = serializers.CharField(source="search_match", read_only=True, help_text=ITEM_MATCH_HELP)
    highlight = CommentHighlightSerializer(source="search_highlight", read_only=True, help_text=HIGHLIGHT_HELP)

    class Meta(CommentOutputSerializer.Meta):
        fields = [*CommentOutputSerializer.Meta.fields, "match", "highlight"]
        read_only_fields = fields
