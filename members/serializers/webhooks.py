"""Webhook endpoints and their delivery log."""

from rest_framework import serializers

from community_service.api.fields import StrictCharField
from community_service.outbox.catalogue import EVENT_TYPES
from community_service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointInputSerializer(serializers.Serializer):
    # Not a URLField: the SSRF guard parses and checks the URL (one refusal, `unsafe_url`, for every way
    # it can fail, rather than Django's hostname-length rules first under another code).
    url = StrictCharField(max_length=2000, help_text="https (checked: no private, loopback or link-local "
                                                         "addresses, at registration and at every delivery).")
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)), required=False,
                                        max_length=len(EVENT_TYPES), help_text="Omit or empty: every type.")
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookEndpointOutputSerializer(serializers.ModelSerializer):
    community_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "community_id", "url", "event_types", "is_active", "disabled_reason", "failing_since",
                  "previous_secret_expires_at", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookEndpointSecretSerializer(WebhookEndpointOutputSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret (whsec_...): shown this once.")

    class Meta(WebhookEndpointOutputSerializer.Meta):
        fields = [*WebhookEndpointOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["id", "succeeded", "status_code", "latency_ms", "response_excerpt", "error", "created_at"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    log = WebhookAttemptSerializer(many=True, read_only=True, help_text="Attempts, newest first.")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "event_type", "status", "attempts", "next_attempt_at", "delivered_at",
                  "created_at", "log"]
        read_only_fields = fields
