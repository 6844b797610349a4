from django.contrib import admin
from django.http import HttpRequest

from communities.models import AuditLogEntry, Community, Invite


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "community_type", "status", "owner", "member_count", "post_count",
                    "created_at", "deleted_at"]
    list_filter = ["community_type", "status", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "slug", "owner__username", "owner__email"]
    readonly_fields = ["id", "member_count", "post_count", "created_at", "updated_at"]
    raw_id_fields = ["owner"]
    ordering = ["-created_at"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["code", "community", "created_by", "uses", "max_uses", "expires_at", "revoked_at", "created_at"]
    list_select_related = ["community", "created_by"]
    search_fields = ["=code", "community__name", "community__slug"]
    raw_id_fields = ["community", "created_by"]
    readonly_fields = ["uses", "created_at"]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """The moderation record: readable by staff, never editable."""

    list_display = ["created_at", "community", "actor", "action", "target_type", "target_id", "reason"]
    list_filter = ["action", "target_type"]
    list_select_related = ["community", "actor"]
    search_fields = ["community__name", "community__slug", "actor__username", "=target_id"]
    ordering = ["-created_at"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLogEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLogEntry | None = None) -> bool:
        return False
