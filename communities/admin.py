from django.contrib import admin

from communities.models import Community


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
