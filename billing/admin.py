"""Billing in the console: levels, subscriptions, donations and payments.

Levels are written by the API's services (validation, names, archiving); subscriptions,
donations and payments are facts the API and the provider write, read-only here, and refunds
go through the service (provider first, then the books)."""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from billing.models import Donation, Payment, PaymentStatus, Subscription, SubscriptionLevel, WebhookEvent
from billing.providers.breaker import breaker_for
from billing.services.levels import level_create, level_delete, level_update
from billing.services.payments import payment_refund
from community_service.admin_site import ConsoleLink, SystemAdmin
from community_service.exceptions import DomainError
from members.catalogue import Permission
from members.console import (
    CommunityScopedAdmin,
    PrivateFieldsAdmin,
    ReadOnlyAdmin,
    ServiceWritesAdmin,
    confirm_first,
    console_access,
    console_actor,
)

# What level_update accepts, as the API's level form; position is level_reorder's (the API).
LEVEL_FORM_FIELDS = ["name", "description", "price", "currency", "duration_days", "benefits", "is_active"]


@admin.register(SubscriptionLevel)
class SubscriptionLevelAdmin(ServiceWritesAdmin, CommunityScopedAdmin):
    scope_codes = frozenset({Permission.BILLING_MANAGE})
    list_display = ["name", "community", "price", "currency", "duration_days", "is_active", "position", "archived_at"]
    list_filter = ["is_active", "currency"]
    list_select_related = ["community"]
    search_fields = ["name", "=id", "community__slug"]
    raw_id_fields = ["community"]
    readonly_fields = ["position", "archived_at", "created_at", "updated_at"]

    def get_fields(self, request: HttpRequest, obj: SubscriptionLevel | None = None) -> tuple[str, ...]:
        # A level stays in its community; the rest is what the services accept.
        return (*(["community"] if obj is None else []), *LEVEL_FORM_FIELDS, *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: SubscriptionLevel, form: Any, change: bool) -> None:
        actor = console_actor(request, obj.community_id, Permission.BILLING_MANAGE)
        data = {name: form.cleaned_data[name] for name in LEVEL_FORM_FIELDS if name in form.cleaned_data}
        if change:
            level_update(actor=actor, level=obj, data={name: data[name] for name in form.changed_data if name in data})
        else:
            obj.pk = level_create(actor=actor, community=obj.community, **data).pk

    def delete_model(self, request: HttpRequest, obj: SubscriptionLevel) -> None:
        # As DELETE .../levels/{id}: a level with subscribers is archived, not deleted.
        level_delete(actor=console_actor(request, obj.community_id, Permission.BILLING_MANAGE), level=obj)


# Read-only: subscriptions, donations and payments change only as the API and the provider's
# webhooks move them (with their events); a console edit would skip both.
@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin, PrivateFieldsAdmin):
    list_display = ["user", "level", "community", "status", "starts_at", "expires_at", "ended_at"]
    list_filter = ["status", "end_reason"]
    list_select_related = ["user", "community", "level"]
    search_fields = ["=id", "user__username", "user__email", "community__slug"]
    raw_id_fields = ["user", "community", "level"]
    readonly_fields = ["status", "starts_at", "expires_at", "cancelled_at", "ended_at", "end_reason", "created_at",
                       "updated_at"]
    show_full_result_count = False


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "community", "donor", "amount", "currency", "is_anonymous", "status", "created_at"]
    list_filter = ["status", "currency", "is_anonymous"]
    list_select_related = ["community", "donor"]
    search_fields = ["=id", "donor__username", "community__slug"]
    raw_id_fields = ["community", "donor"]
    readonly_fields = ["amount", "currency", "status", "completed_at", "created_at", "updated_at"]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "purpose", "community", "user", "amount", "currency", "status", "provider",
                    "failure_code", "created_at"]
    list_filter = ["status", "purpose", "provider", "currency"]
    list_select_related = ["community", "user"]
    search_fields = ["=id", "=provider_payment_id", "user__username", "community__slug"]
    raw_id_fields = ["community", "user", "donation", "subscription", "level"]
    readonly_fields = ["community", "user", "purpose", "donation", "subscription", "level", "amount", "currency",
                       "credit", "status", "provider", "provider_payment_id", "failure_code", "failure_message",
                       "created_at", "updated_at", "completed_at", "refunded_at"]
    actions = ["refund_payments"]
    show_full_result_count = False

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        """Failed payments and each provider's breaker (closed: calls go through) on the index."""
        if not request.user.is_superuser:
            return []
        url = reverse("admin:billing_payment_changelist")
        failed = Payment.objects.filter(status=PaymentStatus.FAILED)
        breakers = ", ".join(f"{name} {breaker_for(name).current_state}" for name in settings.BILLING_PROVIDERS)
        return [ConsoleLink(name="Failed payments", url=f"{url}?status__exact={PaymentStatus.FAILED}",
                            count=failed.count(), section="operations", note=f"breakers: {breakers}")]

    @admin.action(description="Refund selected payments (at the provider, then here)", permissions=["change"])
    def refund_payments(self, request: HttpRequest, queryset: QuerySet[Payment]) -> TemplateResponse | None:
        completed = list(queryset.filter(status=PaymentStatus.COMPLETED).select_related("user"))
        return confirm_first(
            self, request, completed, title="Refund {count} payments", button="Yes, refund them",
            verb_past="refunded", explanation="The provider will pay these back, then the books follow:",
            then=lambda: self._refund(request, completed))

    def _refund(self, request: HttpRequest, completed: list[Payment]) -> None:
        refunded = []
        for payment in completed:
            try:
                payment_refund(actor=console_access(request, payment.community_id), payment=payment)
                refunded.append(str(payment))
            except DomainError as exc:
                self.message_user(request, f"{payment}: {exc.detail}", messages.WARNING)
        self.message_user(request, f"Refunded {len(refunded)} payments: {'; '.join(refunded) or 'none'}.",
                          messages.SUCCESS)


@admin.register(WebhookEvent)
class WebhookEventAdmin(SystemAdmin, ReadOnlyAdmin):
    list_display = ["__str__", "event_id", "payment", "received_at"]
    list_filter = ["provider", "event_type", "outcome"]
    search_fields = ["=event_id"]
    raw_id_fields = ["payment"]
    list_select_related = ["payment__user"]
    readonly_fields = ["provider", "event_id", "event_type", "payment", "outcome", "received_at"]
