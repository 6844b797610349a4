"""Console pages of outbound webhooks: the delivery log and manual redelivery (webhook.manage)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from community_service.exceptions import DomainError
from community_service.webhooks.models import WebhookDelivery
from members.catalogue import Permission
from members.console import CommunityScopedAdmin, ReadOnlyAdmin, console_access
from members.services.webhooks import webhook_redeliver


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    """Each event sent to a community's endpoints, with its attempts; redelivery calls the API's service."""

    community_lookup = "endpoint__community"
    scope_codes = frozenset({Permission.WEBHOOK_MANAGE})
    list_display = ["created_at", "event_type", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "event_type"]
    list_select_related = ["endpoint"]
    search_fields = ["=event_id", "endpoint__url"]
    date_hierarchy = "created_at"
    actions = ["redeliver"]

    @admin.action(description="Send selected deliveries again now", permissions=["change"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        sent = 0
        for delivery in queryset.select_related("endpoint"):
            try:
                webhook_redeliver(actor=console_access(request, delivery.endpoint.community_id),
                                  endpoint=delivery.endpoint, delivery_id=delivery.pk)
                sent += 1
            except DomainError as exc:
                self.message_user(request, f"{delivery}: {exc.detail}", messages.WARNING)
        if sent:
            self.message_user(request, f"{sent} deliver{'y' if sent == 1 else 'ies'} sent again.", messages.SUCCESS)
