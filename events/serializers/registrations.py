from rest_framework import serializers

from events.models import Registration


class RegistrationOutputSerializer(serializers.ModelSerializer):
    """The caller's RSVP. `waitlist_position`: 1 = promoted at the next free seat; null when going."""

    event_id = serializers.UUIDField(read_only=True)
    user_id = serializers.UUIDField(read_only=True)
    waitlist_position = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Registration
        fields = ["id", "event_id", "user_id", "status", "waitlist_position", "registered_at", "promoted_at"]
        read_only_fields = fields


class ParticipantUserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()


class ParticipantOutputSerializer(serializers.ModelSerializer):
    user = ParticipantUserSerializer(read_only=True)
    nickname = serializers.CharField(source="member.nickname", read_only=True)
    waitlist_position = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["user", "nickname", "status", "waitlist_position", "registered_at", "promoted_at"]
        read_only_fields = fields

    def get_waitlist_position(self, registration: Registration) -> int | None:
        # queue_rank is the participant_list queryset's annotation, which the model type does not carry.
        return registration.queue_rank if registration.status == "waitlisted" else None  # type: ignore[attr-defined]
