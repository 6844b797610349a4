"""Events and registrations in the moderation console: staff look, and cancel through the service.

Edits go through the API: they bump the calendar SEQUENCE, keep seats and counters exact
and publish events, which a plain admin save would not.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from community_service.exceptions import DomainError
from events.models import Event, EventStatus, Registration
from events.services.events import event_cancel
from members.authentication import request_user
from members.selectors.access import CommunityAccess


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "organizer", "starts_at", "timezone", "status", "capacity", "going_count",
                    "waitlist_count", "is_members_only", "deleted_at"]
    list_filter = ["status", "is_members_only", "starts_at", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["community", "organizer"]
    search_fields = ["title", "=id", "organizer__username", "community__name", "community__slug"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    actions = ["cancel_events"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Event | None = None) -> list[str]:
        return [field.name for field in Event._meta.fields]

    @admin.action(description="Cancel selected events (registrants are told)", permissions=["change"])
    def cancel_events(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        cancelled = 0
        for event in queryset.filter(status__in=[EventStatus.SCHEDULED, EventStatus.ONGOING], deleted_at__isnull=True):
            # Staff act as platform superadmins; the outbox names the staff user as the actor.
            access = CommunityAccess(community_id=event.community_id, user_id=request.user.pk, is_superadmin=True)
            try:
                event_cancel(event=event, actor=request_user(request), access=access, reason="Cancelled by staff.")
                cancelled += 1
            except DomainError as exc:
                self.message_user(request, f"{event}: {exc.detail}", messages.WARNING)
        self.message_user(request, f"Cancelled {cancelled} events.", messages.SUCCESS)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "status", "position", "registered_at", "promoted_at", "cancelled_at"]
    list_filter = ["status", "registered_at"]
    list_select_related = ["user", "event"]
    search_fields = ["user__username", "user__email", "=event__id", "event__title"]
    ordering = ["-registered_at"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Registration | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Registration | None = None) -> list[str]:
        return [field.name for field in Registration._meta.fields]
