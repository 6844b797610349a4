from rest_framework import serializers

from content.models import Attachment


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, help_text="JPEG, PNG, GIF, WebP, MP4 or PDF.")


class AttachmentOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)
    post_id = serializers.UUIDField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "community_id", "post_id", "url", "content_type", "size", "original_name", "created_at"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        return attachment.file.url
