"""Roles: the full shape, the brief shape members show, and input."""


from rest_framework import serializers

from community_service.api.fields import NameField, StrictBooleanField, StrictRegexField
from members.catalogue import Permission
from members.models import Role


class RoleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "name", "color", "priority"]
        read_only_fields = fields


class RoleOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Role
        fields = ["id", "community_id", "name", "permissions", "is_default", "priority", "color", "created_at",
                  "updated_at"]
        read_only_fields = fields


class RoleInputSerializer(serializers.Serializer):
    name = NameField(max_length=100)
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=Permission.choices), max_length=len(Permission.choices), default=list
    )
    priority = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0,
                                        help_text="Higher outranks lower; must be below your own highest role.")
    color = StrictRegexField(r"^#[0-9A-Fa-f]{6}$", required=False, allow_blank=True, default="",
                             message="Use a hex colour like #3498DB.")
    is_default = StrictBooleanField(default=False, help_text="Given to every member who joins.")
