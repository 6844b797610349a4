"""Billing in the console: levels, subscriptions, donations and payments. Amounts are read-only;
refunds go through the service (provider first, then the books)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from billing.models import Donation, Payment, PaymentStatus, Subscription, SubscriptionLevel, WebhookEvent
from billing.services.payments import payment_refund
from community_service.exceptions import DomainError


@admin.register(SubscriptionLevel)
class SubscriptionLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "price", "currency", "duration_days", "is_active", "position", "archived_at"]
    list_filter = ["is_active", "currency"]
    list_select_related = ["community"]
    search_fields = ["name", "=id", "community__slug"]
    raw_id_fields = ["community"]
    # Prices change through the API (billing.manage), where they are validated.
    readonly_fields = ["price", "currency", "archived_at", "created_at", "updated_at"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "community", "level", "status", "starts_at", "expires_at", "ended_at"]
    list_filter = ["status", "end_reason"]
    list_select_related = ["user", "community", "level"]
    search_fields = ["=id", "user__username", "user__email", "community__slug"]
    raw_id_fields = ["user", "community", "level"]
    readonly_fields = ["status", "starts_at", "expires_at", "cancelled_at", "ended_at", "end_reason", "created_at",
                       "updated_at"]
    show_full_result_count = False


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ["id", "community", "donor", "amount", "currency", "is_anonymous", "status", "created_at"]
    list_filter = ["status", "currency", "is_anonymous"]
    list_select_related = ["community", "donor"]
    search_fields = ["=id", "donor__username", "community__slug"]
    raw_id_fields = ["community", "donor"]
    readonly_fields = ["amount", "currency", "status", "completed_at", "created_at", "updated_at"]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["id", "purpose", "community", "user", "amount", "currency", "status", "provider", "failure_code",
                    "created_at"]
    list_filter = ["status", "purpose", "provider", "currency"]
    list_select_related = ["community", "user"]
    search_fields = ["=id", "=provider_payment_id", "user__username", "community__slug"]
    raw_id_fields = ["community", "user", "donation", "subscription", "level"]
    readonly_fields = ["community", "user", "purpose", "donation", "subscription", "level", "amount", "currency",
                       "credit", "status", "provider", "provider_payment_id", "failure_code", "failure_message",
                       "created_at", "updated_at", "completed_at", "refunded_at"]
    actions = ["refund_payments"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # payments come from the API only

    @admin.action(description="Refund selected payments (at the provider, then here)")
    def refund_payments(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        refunded = 0
        for payment in queryset.filter(status=PaymentStatus.COMPLETED):
            try:
                payment_refund(payment=payment)
                refunded += 1
            except DomainError as exc:
                self.message_user(request, f"{payment.pk}: {exc.detail}", messages.WARNING)
        self.message_user(request, f"Refunded {refunded} payments.", messages.SUCCESS)


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "provider", "event_type", "outcome", "payment", "received_at"]
    list_filter = ["provider", "event_type", "outcome"]
    search_fields = ["=event_id"]
    raw_id_fields = ["payment"]
    readonly_fields = ["provider", "event_id", "event_type", "payment", "outcome", "received_at"]
