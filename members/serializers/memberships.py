"""Members, join requests, bans and mutes."""


from django.utils import timezone
from rest_framework import serializers

from communities.serializers import CommunityOutputSerializer
from community_service.api.fields import NameField, StrictCharField
from members.models import Member, User
from members.serializers.roles import RoleBriefSerializer


class MemberOutputSerializer(serializers.ModelSerializer):
    user_id = serializers.UUIDField(read_only=True)
    community_id = serializers.UUIDField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    is_bot = serializers.BooleanField(source="user.is_bot", read_only=True,
                                      help_text="A bot account (docs/api.md, \"Integrations\").")
    roles = RoleBriefSerializer(many=True, read_only=True)
    is_muted = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id", "community_id", "user_id", "username", "is_bot", "nickname", "status", "is_owner", "roles",
            "joined_at", "left_at", "banned_until", "ban_reason", "muted_until", "is_muted", "join_message",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_muted(self, member: Member) -> bool:
        return member.muted_until is not None and member.muted_until > timezone.now()


class MyMembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "nickname", "is_owner", "joined_at"]
        read_only_fields = fields


class MyCommunityOutputSerializer(serializers.Serializer):
    """One community the caller belongs to, with their membership in it (`GET /me/communities`)."""

    community = CommunityOutputSerializer(read_only=True)
    membership = MyMembershipSerializer(source="*", read_only=True)


class MemberJoinInputSerializer(serializers.Serializer):
    message = StrictCharField(max_length=500, required=False, allow_blank=True, default="",
                              help_text="Shown to moderators with a join request (restricted communities).")


class MemberUpdateInputSerializer(serializers.Serializer):
    nickname = NameField(max_length=64, required=False, allow_blank=True,
                         help_text="Trimmed; blank clears it.")
    role_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=50,
                                     help_text="The member's complete set of roles (needs role.manage).")


class MyAccessOutputSerializer(serializers.Serializer):
    member = MemberOutputSerializer(allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField())
    is_banned = serializers.BooleanField()
    is_muted = serializers.BooleanField()


class UserTargetInputSerializer(serializers.Serializer):
    # A closed (inactive) account is as unknown as a made-up id: 400 `does_not_exist` on user_id.
    user_id = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True),
                                                 pk_field=serializers.UUIDField(),
                                                 error_messages={"does_not_exist": "No such user."})


class BanInputSerializer(UserTargetInputSerializer):
    duration_seconds = serializers.IntegerField(
        min_value=60, max_value=10 * 365 * 86400, required=False, allow_null=True,
        help_text="Omit or null for a permanent ban.",
    )
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class MuteInputSerializer(UserTargetInputSerializer):
    duration_seconds = serializers.IntegerField(min_value=60, max_value=365 * 86400)
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
