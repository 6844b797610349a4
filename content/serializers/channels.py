from typing import Any

from rest_framework import serializers

from community_service.api.fields import (
    NameField,
    StrictBooleanField,
    StrictCharField,
    StrictRegexField,
    UniqueListField,
)
from content.models import Channel, ChannelOverwrite, ChannelType

OVERWRITE_CODES = [(code, code) for code in ChannelOverwrite.CODES]


class ChannelOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Channel
        fields = ["id", "community_id", "name", "slug", "topic", "channel_type", "position", "is_members_only",
                  "created_at", "updated_at"]
        read_only_fields = fields


class ChannelInputSerializer(serializers.Serializer):
    name = NameField(max_length=100)
    slug = StrictRegexField(r"^[-a-zA-Z0-9_]+$", max_length=100, required=False,
                            message="Use letters, digits, hyphens or underscores.")
    topic = StrictCharField(max_length=1024, required=False, allow_blank=True, default="")
    channel_type = serializers.ChoiceField(choices=ChannelType.choices, default=ChannelType.TEXT)
    position = serializers.IntegerField(min_value=0, max_value=10_000, required=False)
    is_members_only = StrictBooleanField(default=False)


class ChannelReorderInputSerializer(serializers.Serializer):
    channel_ids = UniqueListField(child=serializers.UUIDField(), min_length=1, max_length=500,
                                  help_text="Every channel of the community, each once, in the new order.")


class OverwriteSerializer(serializers.Serializer):
    role_id = serializers.UUIDField(required=False, allow_null=True)
    user_id = serializers.UUIDField(required=False, allow_null=True)
    allow = serializers.ListField(child=serializers.ChoiceField(choices=OVERWRITE_CODES), default=list, max_length=2)
    deny = serializers.ListField(child=serializers.ChoiceField(choices=OVERWRITE_CODES), default=list, max_length=2)

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("role_id")) == bool(attrs.get("user_id")):
            raise serializers.ValidationError("Give exactly one of role_id or user_id.")
        if set(attrs["allow"]) & set(attrs["deny"]):
            # The one rule here the schema cannot state (docs/api.md, "Rules beyond the schema").
            raise serializers.ValidationError("A code cannot be both allowed and denied.", code="allow_deny_overlap")
        return attrs


class OverwritesInputSerializer(serializers.Serializer):
    # ListSerializer takes max_length (DRF 3.14+); the stubs' Serializer(many=True) signature lacks it.
    overwrites = OverwriteSerializer(many=True, max_length=200)  # type: ignore[call-arg]


def overwrite_output(overwrite: ChannelOverwrite) -> dict[str, Any]:
    member = overwrite.member if overwrite.member_id else None
    return {
        "role_id": overwrite.role_id,
        "user_id": member.user_id if member is not None else None,
        "allow": overwrite.allow,
        "deny": overwrite.deny,
    }
