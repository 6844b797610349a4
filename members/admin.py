from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from members.models import Member, Role, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["username", "email", "is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["username", "email"]
    add_fieldsets = ((None, {"classes": ["wide"], "fields": ["email", "username", "password1", "password2"]}),)


class MemberRolesInline(admin.TabularInline):
    model = Member.roles.through
    extra = 0
    raw_id_fields = ["role"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "status", "is_owner", "nickname", "joined_at", "muted_until", "banned_until"]
    list_filter = ["status", "is_owner"]
    list_select_related = ["user", "community"]
    search_fields = ["user__username", "user__email", "nickname", "community__name", "community__slug"]
    raw_id_fields = ["user", "community"]
    # Membership changes go through the API (counters, events, audit); the admin looks.
    readonly_fields = ["community", "user", "status", "is_owner", "joined_at", "left_at", "created_at", "updated_at"]
    exclude = ["roles"]
    inlines = [MemberRolesInline]
    show_full_result_count = False


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "priority", "is_default", "color"]
    list_filter = ["is_default"]
    list_select_related = ["community"]
    search_fields = ["name", "community__name", "community__slug"]
    raw_id_fields = ["community"]
    ordering = ["community", "-priority"]
