"""Invite links."""


from rest_framework import serializers

from communities.models import Invite


class InviteOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)
    created_by_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = Invite
        fields = ["id", "code", "community_id", "created_by_id", "expires_at", "max_uses", "uses", "revoked_at",
                  "created_at"]
        read_only_fields = fields


class InviteInputSerializer(serializers.Serializer):
    expires_in_seconds = serializers.IntegerField(min_value=60, max_value=365 * 86400, required=False,
                                                  allow_null=True, help_text="Omit for an invite that never expires.")
    max_uses = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)


class InvitePreviewSerializer(serializers.Serializer):
    code = serializers.CharField()
    community_id = serializers.UUIDField()
    community_name = serializers.CharField()
    community_slug = serializers.CharField()
    member_count = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)
    usable = serializers.BooleanField()
