"""Events and registrations in the moderation console: staff look, cancel and delete through
the services, scoped to the communities where they hold event.manage.

Edits go through the API: they bump the calendar SEQUENCE, keep seats and counters exact
and publish events, which a plain admin save would not.
"""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString

from events.models import Event, EventStatus, Registration
from events.services.events import event_cancel, event_delete
from members.authentication import request_user
from members.catalogue import Permission
from members.console import (
    CommunityScopedAdmin,
    ReadOnlyAdmin,
    ServiceWritesAdmin,
    apply_each,
    badge,
    confirm_first,
    console_actor,
)

EVENT_CODES = frozenset({Permission.EVENT_MANAGE})


@admin.register(Event)
class EventAdmin(ServiceWritesAdmin, CommunityScopedAdmin):
    scope_codes = EVENT_CODES
    list_display = ["title", "community", "organizer", "starts_at", "timezone", "state", "capacity", "going_count",
                    "waitlist_count", "is_members_only"]
    list_filter = ["status", "is_members_only", "starts_at", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["community", "organizer"]
    search_fields = ["title", "=id", "organizer__username", "community__name", "community__slug"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    actions = ["cancel_events"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # events are created by their organisers through the API

    @admin.display(description="status", ordering="status")
    def state(self, event: Event) -> SafeString:
        if event.deleted_at is not None:
            return badge("removed", "bad")
        tone = {EventStatus.CANCELLED: "bad", EventStatus.COMPLETED: "quiet"}.get(EventStatus(event.status), "")
        return badge(event.get_status_display().lower(), tone)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The page only shows; changes are the actions and the API's.
        return obj is None and super().has_change_permission(request)

    def delete_model(self, request: HttpRequest, obj: Event) -> None:
        # As DELETE /events/{id}: soft, and registrants of an upcoming event are told.
        event_delete(event=obj, actor=request_user(request),
                     access=console_actor(request, obj.community_id, Permission.EVENT_MANAGE))

    @admin.action(description="Cancel selected events (registrants are told)", permissions=["change"])
    def cancel_events(self, request: HttpRequest, queryset: QuerySet[Event]) -> TemplateResponse | None:
        live = queryset.filter(status__in=[EventStatus.SCHEDULED, EventStatus.ONGOING], deleted_at__isnull=True)
        return confirm_first(
            self, request, live, title="Cancel {count} event{s}", button="Yes, cancel them", verb_past="cancelled",
            explanation="These events will be cancelled and everyone registered told:",
            then=lambda: apply_each(
                self, request, live, code=Permission.EVENT_MANAGE, done_message="Cancelled {count} event{s}.",
                act=lambda event, access: event_cancel(event=event, actor=request_user(request), access=access,
                                                       reason="Cancelled by staff.")))


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    """Read-only: registrations move only as their members and the waitlist move them (the API)."""

    scope_codes = EVENT_CODES
    community_lookup = "event__community"
    list_display = ["user", "event", "status", "position", "registered_at", "promoted_at", "cancelled_at"]
    list_filter = ["status", "registered_at"]
    list_select_related = ["user", "event"]
    search_fields = ["user__username", "user__email", "=event__id", "event__title"]
    ordering = ["-registered_at"]
    show_full_result_count = False
