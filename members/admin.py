"""Console pages for communities, members, roles and the audit log, scoped to the moderator.

Community, invite and audit-log pages are registered here rather than in communities/:
scoping needs RBAC resolution, which lives in members, a layer above communities.
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import SafeString

from communities.models import AuditLogEntry, Community, Invite
from members.catalogue import Permission
from members.console import CommunityScopedAdmin, apply_each, sanction_action, sanctions_allowed, users_in_scope
from members.models import Member, MemberStatus, Role, User
from members.selectors.access import CommunityAccess
from members.services.auth import user_password_hash_set, user_sign_out_everywhere
from members.services.moderation import member_ban, member_mute, member_unban, member_unmute
from members.signals import user_renamed


class SessionEndingPasswordForm(AdminPasswordChangeForm):
    """The console's password form: a password set here ends every session of the user, as a
    change through the API does (a stolen token dies with the old password)."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)  # the new hash (or an unusable one) on the instance
        if commit:
            user_password_hash_set(user=user, password_hash=user.password)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = SessionEndingPasswordForm
    actions = ["sign_out_everywhere"]
    ordering = ["-date_joined"]
    list_display = ["username", "email", "is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["username", "email"]
    add_fieldsets = ((None, {"classes": ["wide"], "fields": ["email", "username", "password1", "password2"]}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # Moderators see the people of their communities (for lookups), nobody else.
        return users_in_scope(request, super().get_queryset(request))

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> User:
        user = super().get_object(request, object_id, from_field)
        if user is None:
            raise Http404("No such user in the communities you moderate.")
        return user

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Only the fields the form changed: a whole-row save would write back the password and
        # token generation this request read, reviving tokens a sign-out meanwhile ended.
        columns = {field.name for field in User._meta.concrete_fields}
        obj.save(update_fields=[name for name in form.changed_data if name in columns])
        if "username" in form.changed_data:
            user_renamed.send(sender=User, user=obj)  # as PATCH /auth/me: caches that hold usernames

    @admin.action(description="Sign selected users out of every device (passwords unchanged)", permissions=["change"])
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        # As POST /auth/logout-all: for an account that is shared or whose device was lost.
        for user in queryset:
            user_sign_out_everywhere(user=user)
        self.message_user(request, f"{len(queryset)} user(s) signed out of every device.", messages.SUCCESS)


class MemberRolesInline(admin.TabularInline):
    model = Member.roles.through
    extra = 0
    raw_id_fields = ["role"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Role changes carry the hierarchy rules: they go through the API's role_assign.
        return request.user.is_superuser

    has_add_permission = has_delete_permission = has_change_permission


def _member_label(member: Member) -> str:
    return f"{member.user} in {member.community}"


@admin.register(Member)
class MemberAdmin(CommunityScopedAdmin):
    list_display = ["user", "community", "status", "is_owner", "nickname", "joined_at", "muted_until", "banned_until"]
    list_filter = ["status", "is_owner"]
    list_select_related = ["user", "community"]
    search_fields = ["user__username", "user__email", "nickname", "community__name", "community__slug"]
    raw_id_fields = ["user", "community"]
    # Membership changes go through the services (counters, events, audit); the form only shows.
    readonly_fields = ["community", "user", "status", "is_owner", "joined_at", "left_at", "created_at", "updated_at"]
    exclude = ["roles"]
    inlines = [MemberRolesInline]
    actions = ["ban_members", "mute_members", "unban_members", "unmute_members"]
    show_full_result_count = False

    # The console offers only what the services would do (docs/operations.md): a row no action
    # can apply to has a disabled checkbox, and the ban/mute page sets aside whom the hierarchy protects.
    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        allowed = sanctions_allowed(request, ((m.community_id, m.user_id) for m in changelist.result_list))
        for member in changelist.result_list:
            member.console_sanctions = allowed[(member.community_id, member.user_id)]
        return changelist

    def action_checkbox(self, obj: Member) -> SafeString:
        sanctions = getattr(obj, "console_sanctions", None)
        now = timezone.now()
        # Unban and unmute have no hierarchy: a banned or muted row stays selectable.
        liftable = obj.status == MemberStatus.BANNED or (obj.muted_until is not None and obj.muted_until > now)
        if sanctions is None or sanctions or liftable:
            return super().action_checkbox(obj)
        why = "the community owner" if obj.is_owner else "ranked at or above you"
        checkbox = forms.CheckboxInput({"class": "action-select", "disabled": True,
                                        "title": f"No action applies: {why}.", "aria-label": f"{obj}: {why}"})
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    def _sanction_refusal(self, request: HttpRequest, members: list[Member], kind: str) -> dict[Any, str]:
        """Why each member the hierarchy protects from `kind` is set aside, by pk."""
        allowed = sanctions_allowed(request, ((m.community_id, m.user_id) for m in members))
        refusals = {}
        for member in members:
            if kind in allowed[(member.community_id, member.user_id)]:
                continue
            if member.is_owner:
                refusals[member.pk] = f"nobody can {kind} the community owner"
            elif kind == "mute" and member.status != MemberStatus.ACTIVE:
                refusals[member.pk] = "only active members can be muted"
            else:
                refusals[member.pk] = f"you can only {kind} members ranked below you"
        return refusals

    @admin.action(description="Ban selected members (asks duration and reason; audited)", permissions=["change"])
    def ban_members(self, request: HttpRequest, queryset: QuerySet[Member]) -> TemplateResponse | None:
        def ban(member: Member, access: CommunityAccess, duration: timedelta | None, reason: str) -> Member:
            return member_ban(actor=access, community=member.community, user=member.user, duration=duration,
                              reason=reason)

        return sanction_action(self, request, queryset.select_related("user", "community"), kind="ban", act=ban,
                               code=Permission.MEMBER_BAN, label=_member_label,
                               refusals=lambda members: self._sanction_refusal(request, members, "ban"))

    @admin.action(description="Mute selected members (asks duration and reason; audited)", permissions=["change"])
    def mute_members(self, request: HttpRequest, queryset: QuerySet[Member]) -> TemplateResponse | None:
        def mute(member: Member, access: CommunityAccess, duration: timedelta | None, reason: str) -> Member:
            assert duration is not None, "SanctionForm refuses a mute without a duration"
            return member_mute(actor=access, member=member, duration=duration, reason=reason)

        return sanction_action(self, request, queryset.select_related("user", "community"), kind="mute", act=mute,
                               code=Permission.MEMBER_MUTE, label=_member_label,
                               refusals=lambda members: self._sanction_refusal(request, members, "mute"))

    @admin.action(description="Lift the ban of selected members (audited)", permissions=["change"])
    def unban_members(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        apply_each(self, request, queryset.filter(status=MemberStatus.BANNED).select_related("user", "community"),
                   code=Permission.MEMBER_BAN, act=lambda member, access: member_unban(actor=access, member=member),
                   done_message="Lifted {count} ban(s).", label=_member_label)

    @admin.action(description="Unmute selected members (audited)", permissions=["change"])
    def unmute_members(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        muted = queryset.filter(muted_until__gt=timezone.now()).select_related("user", "community")
        apply_each(self, request, muted, code=Permission.MEMBER_MUTE,
                   act=lambda member, access: member_unmute(actor=access, member=member),
                   done_message="Unmuted {count}.", label=_member_label)


@admin.register(Role)
class RoleAdmin(CommunityScopedAdmin):
    list_display = ["name", "community", "priority", "is_default", "color"]
    list_filter = ["is_default"]
    list_select_related = ["community"]
    search_fields = ["name", "community__name", "community__slug"]
    raw_id_fields = ["community"]
    ordering = ["community", "-priority"]


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdmin):
    community_lookup = "pk"
    list_display = ["name", "slug", "community_type", "status", "owner", "member_count", "post_count",
                    "created_at", "deleted_at"]
    list_filter = ["community_type", "status", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "slug", "owner__username", "owner__email"]
    readonly_fields = ["id", "member_count", "post_count", "created_at", "updated_at"]
    exclude = ["search_vector"]
    raw_id_fields = ["owner"]
    ordering = ["-created_at"]


@admin.register(Invite)
class InviteAdmin(CommunityScopedAdmin):
    scope_codes = frozenset({Permission.MEMBER_MANAGE})
    list_display = ["code", "community", "created_by", "uses", "max_uses", "expires_at", "revoked_at", "created_at"]
    list_select_related = ["community", "created_by"]
    search_fields = ["=code", "community__name", "community__slug"]
    raw_id_fields = ["community", "created_by"]
    readonly_fields = ["uses", "created_at"]


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(CommunityScopedAdmin):
    """The moderation record: readable by those who may read it (audit.view), never editable."""

    scope_codes = frozenset({Permission.AUDIT_VIEW})
    list_display = ["created_at", "community", "actor", "action", "target_type", "target_id", "reason"]
    list_filter = ["action", "target_type"]
    list_select_related = ["community", "actor"]
    search_fields = ["community__name", "community__slug", "actor__username", "=target_id"]
    ordering = ["-created_at"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
