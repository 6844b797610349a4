"""Shapes of the inbox API."""

from rest_framework import serializers

from community_service.notifications.models import Delivery, Notification


class ActorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    text = serializers.CharField()
    actor = ActorSerializer(allow_null=True)
    actor_count = serializers.IntegerField(help_text="How many people this notice stands for (collapsed likes).")
    community_id = serializers.UUIDField(allow_null=True)
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    url = serializers.CharField(help_text="API path of the object.")
    # The API names it `data`; this serializer only describes the shape (Serializer.data is unused).
    data = serializers.DictField()  # type: ignore[assignment]
    is_read = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


def notification_data(notification: Notification, actors: dict) -> dict:
    data = {key: value for key, value in notification.data.items() if key != "event_ids"}
    return {
        "id": notification.pk, "type": notification.type, "text": notification.text,
        "actor": actors.get(notification.actor_id), "actor_count": notification.actor_count,
        "community_id": notification.community_id, "object_type": notification.object_type,
        "object_id": notification.object_id, "url": notification.url, "data": data,
        "is_read": notification.read_at is not None, "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


class NotificationPageSerializer(serializers.Serializer):
    items = NotificationSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    type = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    default_delivery = serializers.CharField(read_only=True)
    urgent = serializers.BooleanField(read_only=True)


class PreferenceUpdateSerializer(serializers.Serializer):
    preferences = serializers.DictField(
        child=serializers.ChoiceField(choices=Delivery.choices), required=False,
        help_text='Notice type → in_app | email | both | off, e.g. {"reaction": "off"}; the types not named keep '
                  'their delivery (a PATCH without any changes nothing).',
    )
