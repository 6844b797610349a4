from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from community_service.api.fields import StrictBooleanField, StrictCharField, StrictRegexField
from communities.models import Invite
from members.catalogue import Permission
from members.models import Member, Role, User
from members.tokens import user_claims


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    username = StrictRegexField(
        r"^[A-Za-z0-9_.-]{3,150}$", max_length=150, message="3-150 characters: letters, digits, '_', '.' or '-'."
    )
    password = StrictCharField(
        write_only=True,
        min_length=8,
        max_length=128,
        style={"input_type": "password"},
        help_text="8-128 characters; not entirely numeric, not a common password, not similar to the email or username.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            validate_password(attrs["password"], user=User(email=attrs["email"], username=attrs["username"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class UserOutputSerializer(serializers.ModelSerializer):
    is_superadmin = serializers.BooleanField(source="is_superuser", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "username", "is_superadmin", "date_joined"]
        read_only_fields = fields


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterOutputSerializer(serializers.Serializer):
    user = UserOutputSerializer()
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenObtainInputSerializer(TokenObtainPairSerializer):
    """Email + password → token pair carrying the seed's claims."""

    @classmethod
    def get_token(cls, user: User) -> RefreshToken:
        token = super().get_token(user)
        for claim, value in user_claims(user).items():
            token[claim] = value
        return token


class TokenRefreshInputSerializer(serializers.Serializer):
    refresh = StrictCharField()


class TokenRefreshOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LogoutInputSerializer(serializers.Serializer):
    refresh = StrictCharField()


# --- members, roles, invites ---------------------------------------------------------------


class RoleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "name", "color", "priority"]
        read_only_fields = fields


class MemberOutputSerializer(serializers.ModelSerializer):
    user_id = serializers.UUIDField(read_only=True)
    community_id = serializers.UUIDField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    roles = RoleBriefSerializer(many=True, read_only=True)
    is_muted = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id", "community_id", "user_id", "username", "nickname", "status", "is_owner", "roles",
            "joined_at", "left_at", "banned_until", "ban_reason", "muted_until", "is_muted", "join_message",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_muted(self, member: Member) -> bool:
        return member.muted_until is not None and member.muted_until > timezone.now()


class MemberJoinInputSerializer(serializers.Serializer):
    message = StrictCharField(max_length=500, required=False, allow_blank=True, default="",
                              help_text="Shown to moderators with a join request (restricted communities).")


class MemberUpdateInputSerializer(serializers.Serializer):
    nickname = StrictCharField(max_length=64, required=False, allow_blank=True)
    role_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=50,
                                     help_text="The member's complete set of roles (needs role.manage).")


class MyAccessOutputSerializer(serializers.Serializer):
    member = MemberOutputSerializer(allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField())
    is_banned = serializers.BooleanField()
    is_muted = serializers.BooleanField()


class UserTargetInputSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()


class BanInputSerializer(UserTargetInputSerializer):
    duration_seconds = serializers.IntegerField(
        min_value=60, max_value=10 * 365 * 86400, required=False, allow_null=True,
        help_text="Omit or null for a permanent ban.",
    )
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class MuteInputSerializer(UserTargetInputSerializer):
    duration_seconds = serializers.IntegerField(min_value=60, max_value=365 * 86400)
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class RoleOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Role
        fields = ["id", "community_id", "name", "permissions", "is_default", "priority", "color", "created_at",
                  "updated_at"]
        read_only_fields = fields


class RoleInputSerializer(serializers.Serializer):
    name = StrictCharField(min_length=1, max_length=100)
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=Permission.choices), max_length=len(Permission.choices), default=list
    )
    priority = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0,
                                        help_text="Higher outranks lower; must be below your own highest role.")
    color = StrictRegexField(r"^#[0-9A-Fa-f]{6}$", required=False, allow_blank=True, default="",
                             message="Use a hex colour like #3498DB.")
    is_default = StrictBooleanField(default=False, help_text="Given to every member who joins.")


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
