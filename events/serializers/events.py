from datetime import datetime
from typing import Any

from django.core.validators import URLValidator
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community_service.api.fields import FullMatchRegexValidator, NameField, StrictBooleanField, StrictCharField
from events.access import can_manage_event, sees_online_url
from events.models import Event, EventStatus
from events.zones import NonexistentLocalTime, known_zones, local_isoformat, localize

TIME_HELP = ("ISO 8601. With an offset or Z it is exact; without one it is wall-clock time in the event's "
             "`timezone` (a time skipped by a DST change is refused; a repeated one means its first occurrence).")


class ZonedDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time kept naive when it has no offset, so the serializer can read it
    in the event's time zone (which may arrive in the same body)."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value

    default_error_messages = {"out_of_range": "Must be between the years 1900 and 2999."}

    def to_internal_value(self, value: Any) -> datetime:
        # A bare date would silently mean midnight: ask for the time.
        if isinstance(value, str) and "T" not in value.upper() and " " not in value.strip():
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|Z]")
        parsed = super().to_internal_value(value)
        # Far enough from datetime's limits that no zone conversion can overflow.
        if not 1900 <= parsed.year <= 2999:
            self.fail("out_of_range")
        return parsed


class TimeZoneField(StrictCharField):
    default_error_messages = {"unknown": "Unknown time zone; use an IANA name such as Europe/Berlin or UTC."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "IANA time zone the event is shown in, e.g. Asia/Tokyo. Default UTC.")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in known_zones():
            self.fail("unknown")
        return value


# The URLs we accept, as a pattern the schema carries: a subset of what URLValidator takes
# (a host of at most 253 characters, labels of at most 63, a letter TLD, an optional port),
# so a client that follows the schema is never refused; the validator still runs too.
WEB_URL_PATTERN = (
    r"^https?://(?=[^/:?#]{1,253}(?:[/:?#]|$))([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(:[0-9]{1,5})?([/?#][^\s]*)?$"
)


class WebUrlField(serializers.URLField):
    """An http(s) URL given as a string."""

    default_error_messages = {"invalid": "Enter a valid http or https URL."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        message = self.error_messages["invalid"]
        # One refusal, not one per validator: URLField's own (any scheme) makes way for these.
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)]
        self.validators += [URLValidator(schemes=["http", "https"], message=message),
                            FullMatchRegexValidator(WEB_URL_PATTERN, message=message, code="invalid")]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _fields(*, defaults: bool) -> dict[str, serializers.Field]:
    """The writable fields; with `defaults` (create) optional ones fall back to their defaults,
    without (edit) an absent field stays as it is."""

    def optional(**default: Any) -> dict[str, Any]:
        return {"required": False, **(default if defaults else {})}

    return {
        "title": NameField(max_length=200),
        "description": StrictCharField(max_length=10000, allow_blank=True, **optional(default="")),
        "starts_at": ZonedDateTimeField(help_text=TIME_HELP),
        "ends_at": ZonedDateTimeField(help_text=f"After starts_at, at most 31 days later. {TIME_HELP}"),
        "timezone": TimeZoneField(**optional(default="UTC")),
        "location": StrictCharField(max_length=500, allow_blank=True, help_text="A place; give it, an online_url, "
                                    "or both.", **optional(default="")),
        "online_url": WebUrlField(max_length=2000, allow_blank=True, help_text="Shown only to members going, the "
                                  "organiser and event.manage holders.", **optional(default="")),
        "capacity": serializers.IntegerField(min_value=1, max_value=100_000, allow_null=True, help_text="Seats; "
                                             "null for no limit. Never below the members going.",
                                             **optional(default=None)),
        "registration_deadline": ZonedDateTimeField(allow_null=True, help_text="Registration closes then "
                                                    f"(default: at the start). {TIME_HELP}",
                                                    **optional(default=None)),
        "is_members_only": StrictBooleanField(help_text="Only active members see it, even in a public community.",
                                              **optional(default=False)),
    }


class _ZonedInput(serializers.Serializer):
    def validate(self, attrs: dict) -> dict:
        """Read offset-less times in the body's timezone, else the event's (context), else UTC."""
        zone_name = attrs.get("timezone") or self.context.get("timezone") or "UTC"
        for name in ("starts_at", "ends_at", "registration_deadline"):
            value = attrs.get(name)
            if value is not None and timezone.is_naive(value):
                try:
                    attrs[name] = localize(value, zone_name)
                except NonexistentLocalTime as exc:
                    raise serializers.ValidationError({name: [str(exc)]}, code="nonexistent_time") from None
        return attrs


# Two field sets that differ only in their defaults, so one definition builds both.
EventInputSerializer = type("EventInputSerializer", (_ZonedInput,), {
    "__module__": __name__, "__doc__": "Schedule an event.", **_fields(defaults=True),
})
EventUpdateSerializer = type("EventUpdateSerializer", (_ZonedInput,), {
    "__module__": __name__, **_fields(defaults=False),
    "__doc__": "PUT needs title, starts_at and ends_at; PATCH any subset. Absent fields stay as they are.",
})


class EventCancelSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, help_text="Told to every registrant.")


class EventOrganizerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()


class MyRegistrationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["going", "waitlisted"])
    waitlist_position = serializers.IntegerField(allow_null=True, help_text="1 = promoted at the next free seat.")


class EventOutputSerializer(serializers.ModelSerializer):
    """Context: `user_id` (the caller or None) and `access` (their CommunityAccess)."""

    community_id = serializers.UUIDField(read_only=True)
    organizer = EventOrganizerSerializer(read_only=True, allow_null=True)
    starts_at_local = serializers.SerializerMethodField(help_text="starts_at in the event's time zone.")
    ends_at_local = serializers.SerializerMethodField(help_text="ends_at in the event's time zone.")
    online_url = serializers.SerializerMethodField(help_text="Only for members going, the organiser and managers.")
    has_online_url = serializers.SerializerMethodField()
    seats_left = serializers.IntegerField(read_only=True, allow_null=True)
    registration_open = serializers.SerializerMethodField()
    my_registration = serializers.SerializerMethodField()
    can_manage = serializers.SerializerMethodField(help_text="The caller may edit, cancel and delete it.")

    class Meta:
        model = Event
        fields = [
            "id", "community_id", "organizer", "title", "description", "starts_at", "ends_at", "timezone",
            "starts_at_local", "ends_at_local", "location", "online_url", "has_online_url", "capacity",
            "registration_deadline", "is_members_only", "status", "cancel_reason", "cancelled_at", "going_count",
            "waitlist_count", "seats_left", "registration_open", "my_registration", "can_manage", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def _my_status(self, event: Event) -> str | None:
        return getattr(event, "my_status", None)

    @extend_schema_field(OpenApiTypes.STR)
    def get_starts_at_local(self, event: Event) -> str:
        return local_isoformat(event.starts_at, event.timezone)

    @extend_schema_field(OpenApiTypes.STR)
    def get_ends_at_local(self, event: Event) -> str:
        return local_isoformat(event.ends_at, event.timezone)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_online_url(self, event: Event) -> str | None:
        if not event.online_url:
            return None
        allowed = sees_online_url(event, user_id=self.context.get("user_id"), access=self.context["access"],
                                  my_status=self._my_status(event))
        return event.online_url if allowed else None

    def get_has_online_url(self, event: Event) -> bool:
        return bool(event.online_url)

    def get_registration_open(self, event: Event) -> bool:
        now = timezone.now()
        deadline = event.registration_deadline or event.starts_at
        return event.status == EventStatus.SCHEDULED and now < min(deadline, event.starts_at)

    @extend_schema_field(MyRegistrationSerializer(allow_null=True))
    def get_my_registration(self, event: Event) -> dict | None:
        status = self._my_status(event)
        if status is None:
            return None
        return {"status": status, "waitlist_position": getattr(event, "my_waitlist_position", None)}

    def get_can_manage(self, event: Event) -> bool:
        return can_manage_event(event, user_id=self.context.get("user_id"), access=self.context["access"])


class MyEventCommunitySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.CharField()


class MyEventOutputSerializer(EventOutputSerializer):
    """An event in the caller's own list (/me/events): its community, times, state and their
    registration. The online link and what they may manage are on the event's own page (each
    depends on the caller's rights in that community)."""

    community = MyEventCommunitySerializer(read_only=True)
    # None removes an inherited declared field (DRF's rule; the stubs do not know it).
    community_id = None  # type: ignore[assignment]
    online_url = None  # type: ignore[assignment]
    can_manage = None  # type: ignore[assignment]

    class Meta(EventOutputSerializer.Meta):
        fields = [
            "id", "community", "organizer", "title", "starts_at", "ends_at", "timezone", "starts_at_local",
            "ends_at_local", "location", "has_online_url", "capacity", "registration_deadline", "is_members_only",
            "status", "cancel_reason", "cancelled_at", "going_count", "waitlist_count", "seats_left",
            "registration_open", "my_registration",
        ]  # fmt: skip
        read_only_fields = fields
