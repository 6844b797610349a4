"""Personal API keys: what a client sends to create one, and what it is shown."""

from rest_framework import serializers

from community_service.api.fields import StrictCharField
from members.catalogue import KeyScope
from members.models import ApiKey


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
