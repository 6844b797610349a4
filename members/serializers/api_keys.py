"""Personal API keys and bot accounts: what a client sends to create one, and what it is shown."""

from rest_framework import serializers

from community_service.api.fields import StrictCharField, StrictRegexField
from members.catalogue import KeyScope
from members.models import ApiKey, User


class ApiKeyInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=KeyScope.choices), min_length=1,
                                   max_length=len(KeyScope.values))
    communities = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=100,
        help_text="Limit the key to these communities (you must be an active member of each); omit for all.")
    expires_at = serializers.DateTimeField(required=False, help_text="At most 366 days ahead; default 90 days.")


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    communities = serializers.ListField(source="community_ids", child=serializers.UUIDField())

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scopes", "communities", "expires_at", "last_used_at", "revoked_at",
                  "created_at"]
        read_only_fields = fields


class ApiKeyCreatedSerializer(ApiKeyOutputSerializer):
    key = serializers.SerializerMethodField(help_text="The secret: shown this once, store it now.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]
        read_only_fields = fields

    def get_key(self, obj: ApiKey) -> str:
        return self.context["secret"]


class BotInputSerializer(serializers.Serializer):
    username = StrictRegexField(r"^[A-Za-z0-9_.-]{3,150}$", max_length=150,
                                message="3-150 characters: letters, digits, '_', '.' or '-'.")


class BotOutputSerializer(serializers.ModelSerializer):
    is_bot = serializers.BooleanField(read_only=True)
    community_id = serializers.UUIDField(source="bot_community_id", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "is_bot", "community_id", "date_joined"]
        read_only_fields = fields


class BotKeyInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=KeyScope.choices), min_length=1,
                                   max_length=len(KeyScope.values))
    expires_at = serializers.DateTimeField(required=False, help_text="At most 366 days ahead; default 90 days.")
