from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from community_service.admin_site import ConsoleLink, SystemAdmin
from community_service.api.idempotency import IdempotencyKey, idempotency_forget
from community_service.notifications.mail import mail_resend
from community_service.notifications.models import MailStatus, Notification
from community_service.outbox.models import OutboxDelivery, OutboxEvent, OutboxStatus
from community_service.outbox.selectors import outbox_lag
from community_service.outbox.services import outbox_retry_now
from community_service.outbox.subscribers import deliveries_retry_failed


class AttentionFilter(admin.SimpleListFilter):
    """Pending and failed events: what an operator looks at (the page opens on it)."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Pending or failed"), ("all", "All, published included")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> QuerySet[OutboxEvent]:
        if self.value() == "yes":
            return queryset.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED])
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(SystemAdmin):
    """Read-only view of domain events; failed ones can be sent again."""

    list_display = ["id", "event_type", "aggregate_type", "status", "attempts", "created_at", "next_attempt_at",
                    "published_at", "short_error"]
    list_filter = [AttentionFilter, "status", "aggregate_type", "event_type"]
    search_fields = ["=event_id", "=aggregate_id", "=community_id"]
    ordering = ["-id"]
    actions = ["retry_failed"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxEvent | None = None) -> bool:
        # Events are facts: staff may look and resend (an action), never edit.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: OutboxEvent | None = None) -> bool:
        return False

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        """The relay's lag on the index: pending events and the oldest one's age, failed ones."""
        if not self.has_view_permission(request):
            return []
        lag = outbox_lag()
        url = reverse("admin:community_service_outboxevent_changelist")
        oldest = (OutboxEvent.objects.filter(status=OutboxStatus.PENDING).order_by("id")
                  .values_list("created_at", flat=True).first())
        return [ConsoleLink(name="Outbox events waiting to be sent", url=f"{url}?attention=yes", count=lag.pending,
                            oldest=oldest, section="operations"),
                ConsoleLink(name="Outbox events that failed", url=f"{url}?status__exact=failed", count=lag.failed,
                            section="operations")]

    @admin.display(description="last error")
    def short_error(self, event: OutboxEvent) -> str:
        return event.last_error[:120]

    @admin.action(description="Send selected failed or waiting events again now", permissions=["change"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        ids = list(queryset.exclude(status=OutboxStatus.PUBLISHED).values_list("id", flat=True))
        count = outbox_retry_now(event_ids=ids)
        self.message_user(request, f"{count} event(s) queued again; the relay sends them within seconds.")

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "GET" and not request.GET:
            return HttpResponseRedirect(f"{request.path}?attention=yes")
        lag = outbox_lag()
        level = messages.WARNING if lag.failed or lag.oldest_pending_age_seconds > 60 else messages.INFO
        # The lag, where an operator looking at events sees it first.
        self.message_user(
            request,
            f"Outbox: {lag.pending} pending (oldest {lag.oldest_pending_age_seconds:.0f} s), {lag.failed} failed.",
            level=level,
        )
        return super().changelist_view(request, extra_context)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(SystemAdmin):
    """Stored first responses of money-moving POSTs. Deleting one lets its key run again."""

    list_display = ["key", "status", "response_status", "created_at", "expires_at"]
    list_filter = ["status", "response_status"]
    search_fields = ["=key", "=user_id"]
    ordering = ["-id"]
    exclude = ["response_body"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IdempotencyKey | None = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def delete_model(self, request: HttpRequest, obj: IdempotencyKey) -> None:
        idempotency_forget(row_ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[IdempotencyKey]) -> None:
        idempotency_forget(row_ids=list(queryset.values_list("pk", flat=True)))


class MailAttentionFilter(admin.SimpleListFilter):
    """Notices whose mail the SMTP server refused (the page opens on them)."""

    title = "mail"
    parameter_name = "mail"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("failed", "Delivery failed"), ("waiting", "Waiting (at once or digest)"), ("all", "All")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() == "failed":
            return queryset.filter(mail_status=MailStatus.FAILED)
        if self.value() == "waiting":
            return queryset.filter(mail_status__in=[MailStatus.IMMEDIATE, MailStatus.DIGEST])
        return queryset


@admin.register(Notification)
class NotificationAdmin(SystemAdmin):
    """Notification mail deliveries: failures with the SMTP server's answer, and resend."""

    list_display = ["id", "type", "recipient", "text", "mail_status", "short_error", "created_at"]
    list_filter = [MailAttentionFilter, "type"]
    search_fields = ["=recipient_id", "=source_event_id"]
    ordering = ["-id"]
    actions = ["resend"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        # The recipient's name in the same query (notices hold plain ids, no foreign key).
        users = get_user_model().objects.filter(pk=OuterRef("recipient_id")).values("username")[:1]
        return super().get_queryset(request).annotate(recipient_name=Subquery(users))

    @admin.display(description="recipient")
    def recipient(self, notification: Notification) -> str:
        return getattr(notification, "recipient_name", None) or "(closed account)"

    @admin.display(description="mail error")
    def short_error(self, notification: Notification) -> str:
        return notification.mail_error[:120]

    @admin.action(description="Send the selected failed mails again now", permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = mail_resend(notification_ids=list(queryset.values_list("id", flat=True)))
        failed = Notification.objects.filter(pk__in=queryset.values("id"), mail_status=MailStatus.FAILED).count()
        self.message_user(request, f"{count} mail(s) sent again; {failed} failed again.",
                          level=messages.WARNING if failed else messages.INFO)

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        if not self.has_view_permission(request):
            return []
        url = reverse("admin:community_service_notification_changelist")
        failed = Notification.objects.filter(mail_status=MailStatus.FAILED).count()
        return [ConsoleLink(name="Notification mails that failed", url=f"{url}?mail=failed", count=failed,
                            section="operations")]


@admin.register(OutboxDelivery)
class OutboxDeliveryAdmin(SystemAdmin):
    """In-process subscribers' handling of events (notifications, webhooks): failed rows can be retried."""

    list_display = ["id", "subscriber", "event_type", "event_number", "status", "attempts", "next_attempt_at",
                    "handled_at"]
    list_filter = ["status", "subscriber"]
    list_select_related = ["event"]
    ordering = ["-id"]
    actions = ["retry"]
    show_full_result_count = False
    raw_id_fields = ["event"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxDelivery | None = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: OutboxDelivery | None = None) -> bool:
        return False

    @admin.display(description="event")
    def event_type(self, delivery: OutboxDelivery) -> str:
        return delivery.event.event_type

    @admin.display(description="outbox row")
    def event_number(self, delivery: OutboxDelivery) -> int:
        return delivery.event_id

    @admin.action(description="Hand the selected failed rows to their subscriber again", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxDelivery]) -> None:
        count = deliveries_retry_failed(delivery_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} row(s) pending again; the sweep hands them over within seconds.")
