"""Console pages for communities, members, roles and the audit log, scoped to the moderator.

Community, invite and audit-log pages are registered here rather than in communities/:
scoping needs RBAC resolution, which lives in members, a layer above communities.
"""

# Why this is long: the console pages of communities, members, roles, invites and the audit log, each a few
# lines on members.console.

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.db.models import Model, QuerySet
from django.forms import ModelMultipleChoiceField
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from rest_framework_simplejwt.token_blacklist.admin import BlacklistedTokenAdmin as SimpleJwtBlacklistedTokenAdmin
from rest_framework_simplejwt.token_blacklist.admin import OutstandingTokenAdmin as SimpleJwtOutstandingTokenAdmin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from communities.models import AuditLogEntry, Community, Invite
from communities.services import community_soft_delete, community_update
from community_service.admin_site import ConsoleActivity, ConsoleLink, SystemAdmin
from members import policy
from members.authentication import request_user
from members.catalogue import Permission
from members.console import (
    CommunityScopedAdmin,
    PrivateFieldsAdmin,
    ReadOnlyAdmin,
    ServiceWritesAdmin,
    apply_each,
    badge,
    confirm_first,
    console_access,
    console_actor,
    sanction_action,
    sanctions_allowed,
    target_names,
    users_in_scope,
    waiting_by_community,
)
from members.models import EmailView, EmailViewPage, Member, MemberStatus, Role, User
from members.selectors.access import CommunityAccess
from members.services.auth import user_password_hash_set, user_register, user_rename, user_sign_out_everywhere
from members.services.invites import invite_create, invite_revoke
from members.services.memberships import member_update
from members.services.moderation import member_ban, member_mute, member_unban, member_unmute
from members.services.privacy import email_views_record
from members.services.roles import role_create, role_delete, role_update
from members.services.staff import user_may_create_communities_directly, user_platform_access_set

# How many of other moderators' latest actions the console index lists.
ACTIVITY_ROWS = 10


class SessionEndingPasswordForm(AdminPasswordChangeForm):
    """The console's password form: a password set here ends every session of the user, as a
    change through the API does (a stolen token dies with the old password)."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)  # the new hash (or an unusable one) on the instance
        if commit:
            user_password_hash_set(user=user, password_hash=user.password)
        return user


class ConsoleUserCreationForm(AdminUserCreationForm):
    # user_register takes a password: an account without one is not something the API makes.
    usable_password = None  # type: ignore[assignment]  # Django's way to drop a declared field


class ConsoleUserChangeForm(UserChangeForm):
    """The account page: the flags user_platform_access_set writes, and the community.create grant.
    Django's form: the password shows as its hash's summary with a link to its own form, never a field."""

    may_create_communities = forms.BooleanField(
        required=False, label="May create communities",
        help_text="Counts when COMMUNITY_CREATE_POLICY=granted (a console group may grant it too).")

    class Meta(UserChangeForm.Meta):
        model = User
        fields = ("username", "password", "email", "is_active", "is_staff", "is_superuser", "groups")  # type: ignore[assignment]  # the stubs say "__all__"-only

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["may_create_communities"].initial = user_may_create_communities_directly(self.instance)


@admin.register(User)
class UserAdmin(ServiceWritesAdmin, PrivateFieldsAdmin, DjangoUserAdmin):
    """Accounts (superusers). A new account is user_register's, a new username user_rename's
    (its conflicts, the user_renamed caches), the flags and groups user_platform_access_set's.
    The email changes only through its confirm-by-mail flow, and accounts are closed by their
    owner (POST /auth/close-account): a hard delete would skip counters and events."""

    add_form = ConsoleUserCreationForm
    form = ConsoleUserChangeForm
    change_password_form = SessionEndingPasswordForm
    actions = ["sign_out_everywhere"]
    ordering = ["-date_joined"]
    list_display = ["username", "email", "is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["username", "email"]
    fieldsets = (
        (None, {"fields": ["username", "password", "email"]}),
        ("Platform access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "may_create_communities"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    )
    add_fieldsets = ((None, {"classes": ["wide"], "fields": ["email", "username", "password1", "password2"]}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # Moderators see the people of their communities (for lookups), nobody else.
        return users_in_scope(request, super().get_queryset(request))

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        return [] if obj is None else ["email", "last_login", "date_joined"]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> User:
        user = super().get_object(request, object_id, from_field)
        if user is None:
            raise Http404("No such user in the communities you moderate.")
        return user

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            obj.pk = user_register(email=data["email"], username=data["username"], password=data["password1"]).pk
            return
        if "username" in form.changed_data:
            user_rename(user=obj, username=data["username"])
        if {"is_active", "is_staff", "is_superuser", "groups", "may_create_communities"} & set(form.changed_data):
            user_platform_access_set(user=obj, is_active=data["is_active"], is_staff=data["is_staff"],
                                     is_superuser=data["is_superuser"], groups=data["groups"],
                                     may_create_communities=data["may_create_communities"])

    # Superusers see addresses; that they looked is audited (EmailView), once per page shown.
    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        user = (response.context_data or {}).get("original") if isinstance(response, TemplateResponse) else None
        if (response.status_code == 200 and isinstance(user, User)
                and "email" in flatten_fieldsets(self.get_fieldsets(request, user))):
            email_views_record(viewer=request_user(request), subject_ids=[user.pk], page=EmailViewPage.USER_PAGE)
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = (response.context_data or {}).get("cl") if isinstance(response, TemplateResponse) else None
        if response.status_code == 200 and changelist is not None and "email" in changelist.list_display:
            email_views_record(viewer=request_user(request), subject_ids=[user.pk for user in changelist.result_list],
                               page=EmailViewPage.USER_LIST)
        return response

    @admin.action(description="Sign selected users out of every device (passwords unchanged)", permissions=["change"])
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        # As POST /auth/logout-all: for an account that is shared or whose device was lost.
        for user in queryset:
            user_sign_out_everywhere(user=user)
        self.message_user(request, f"{len(queryset)} user(s) signed out of every device.", messages.SUCCESS)


def _member_label(member: Member) -> str:
    return f"{member.user} in {member.community}"


@admin.register(Member)
class MemberAdmin(ServiceWritesAdmin, CommunityScopedAdmin):
    """Members join, leave and are kicked through the API; here a superuser edits a nickname or
    the roles (member_update: the hierarchy, role events, cache) and moderators act."""

    list_display = ["user", "community", "state", "is_owner", "nickname", "joined_at", "muted_until", "banned_until"]
    list_filter = ["status", "is_owner"]
    list_select_related = ["user", "community"]
    search_fields = ["user__username", "user__email", "nickname", "community__name", "community__slug"]
    # Membership changes go through the services (counters, events, audit): the form shows all
    # and edits what member_update accepts; sanctions are the actions.
    fields = ["community", "user", "status", "is_owner", "nickname", "roles", "joined_at", "left_at", "banned_until",
              "ban_reason", "muted_until", "join_message", "created_at", "updated_at"]
    readonly_fields = ["community", "user", "status", "is_owner", "joined_at", "left_at", "banned_until", "ban_reason",
                       "muted_until", "join_message", "created_at", "updated_at"]
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
        # Unban and unmute have no hierarchy: a banned or muted row stays selectable.
        if sanctions is None or sanctions or policy.sanction_liftable(status=obj.status, muted_until=obj.muted_until):
            return super().action_checkbox(obj)
        why = "the community owner" if obj.is_owner else "ranked at or above you"
        checkbox = forms.CheckboxInput({"class": "action-select", "disabled": True,
                                        "title": f"No action applies: {why}.", "aria-label": f"{obj}: {why}"})
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # joins are the member's (POST .../join, invites)

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        """Join requests waiting, per community (approved or rejected through the API)."""
        if not self.has_view_permission(request):
            return []
        return waiting_by_community(self.get_queryset(request).filter(status=MemberStatus.PENDING),
                                    name="Join requests in {community}", url=reverse("admin:members_member_changelist"),
                                    filters={"status__exact": MemberStatus.PENDING})

    @admin.display(description="status", ordering="status")
    def state(self, member: Member) -> SafeString:
        tone = {MemberStatus.BANNED: "bad", MemberStatus.KICKED: "bad", MemberStatus.PENDING: "wait",
                MemberStatus.LEFT: "quiet", MemberStatus.REJECTED: "quiet"}.get(MemberStatus(member.status), "")
        label = "muted" if member.status == MemberStatus.ACTIVE and member.muted_until and \
            member.muted_until > timezone.now() else member.get_status_display().lower()
        return badge(label, "wait" if label == "muted" else tone)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # a member leaves or is kicked through the API; a deleted row skips counters and events

    def get_form(self, request: HttpRequest, obj: Member | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "roles" in form.base_fields:
            roles = cast(ModelMultipleChoiceField, form.base_fields["roles"])
            roles.queryset = Role.objects.filter(community_id=obj.community_id)
        return form

    def save_model(self, request: HttpRequest, obj: Member, form: Any, change: bool) -> None:
        changed = set(form.changed_data)
        member_update(actor=console_access(request, obj.community_id), actor_user=request_user(request), member=obj,
                      nickname=form.cleaned_data["nickname"] if "nickname" in changed else None,
                      role_ids=[role.pk for role in form.cleaned_data["roles"]] if "roles" in changed else None)

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
                   done_message="Lifted {count} ban{s}.", label=_member_label)

    @admin.action(description="Unmute selected members (audited)", permissions=["change"])
    def unmute_members(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        muted = queryset.filter(muted_until__gt=timezone.now()).select_related("user", "community")
        apply_each(self, request, muted, code=Permission.MEMBER_MUTE,
                   act=lambda member, access: member_unmute(actor=access, member=member),
                   done_message="Unmuted {count}.", label=_member_label)


# What role_create and role_update accept, as the API's role form.
ROLE_FORM_FIELDS = ["name", "permissions", "priority", "color", "is_default"]


@admin.register(Role)
class RoleAdmin(ServiceWritesAdmin, CommunityScopedAdmin):
    list_display = ["name", "community", "priority", "is_default", "color"]
    list_filter = ["is_default"]
    list_select_related = ["community"]
    search_fields = ["name", "community__name", "community__slug"]
    raw_id_fields = ["community"]
    ordering = ["community", "-priority"]

    def get_fields(self, request: HttpRequest, obj: Role | None = None) -> tuple[str, ...]:
        return (*(["community"] if obj is None else []), *ROLE_FORM_FIELDS)

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        # The services check role.manage and the hierarchy themselves.
        actor = console_access(request, obj.community_id)
        data = {name: form.cleaned_data[name] for name in ROLE_FORM_FIELDS}
        if change:
            role_update(actor=actor, role=obj, data={name: data[name] for name in form.changed_data if name in data})
        else:
            obj.pk = role_create(actor=actor, community=obj.community, **data).pk

    def delete_model(self, request: HttpRequest, obj: Role) -> None:
        role_delete(actor=console_access(request, obj.community_id), role=obj)


# What community_update accepts, as PATCH /communities/{id}.
COMMUNITY_FORM_FIELDS = ["name", "slug", "description", "community_type", "status", "language", "post_moderation"]


@admin.register(Community)
class CommunityAdmin(ServiceWritesAdmin, CommunityScopedAdmin):
    """Communities are created by their owners and change hands through the API
    (community_transfer_ownership); a superuser edits their settings and soft-deletes them here."""

    community_lookup = "pk"
    list_display = ["name", "slug", "community_type", "status", "owner", "member_count", "post_count",
                    "created_at", "deleted_at"]
    list_filter = ["community_type", "status", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]
    search_fields = ["name", "slug", "owner__username", "owner__email"]
    fields = ["id", "owner", *COMMUNITY_FORM_FIELDS, "member_count", "post_count", "created_at", "updated_at",
              "deleted_at"]
    readonly_fields = ["id", "owner", "member_count", "post_count", "created_at", "updated_at", "deleted_at"]
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Community, form: Any, change: bool) -> None:
        console_actor(request, obj.pk, Permission.COMMUNITY_UPDATE)
        community_update(community=obj, data={name: form.cleaned_data[name] for name in form.changed_data
                                               if name in COMMUNITY_FORM_FIELDS})

    def delete_model(self, request: HttpRequest, obj: Community) -> None:
        # As DELETE /communities/{id}: hidden, its rows and history kept.
        console_actor(request, obj.pk, Permission.COMMUNITY_DELETE)
        community_soft_delete(community=obj)


@admin.register(Invite)
class InviteAdmin(ServiceWritesAdmin, CommunityScopedAdmin):
    """Invites are made (invite_create: a fresh code, the staff user as creator) and revoked
    (invite_revoke), never edited or deleted: the uses and the revocation are the record."""

    scope_codes = frozenset({Permission.MEMBER_MANAGE})
    list_display = ["code", "community", "created_by", "uses", "max_uses", "expires_at", "revoked_at", "created_at"]
    list_select_related = ["community", "created_by"]
    search_fields = ["=code", "community__name", "community__slug"]
    raw_id_fields = ["community"]
    actions = ["revoke_invites"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Invite | None = None) -> tuple[str, ...]:
        made = ("community", "max_uses", "expires_at")  # what invite_create takes
        return made if obj is None else ("code", *made, "created_by", "uses", "revoked_at", "created_at")

    def save_model(self, request: HttpRequest, obj: Invite, form: Any, change: bool) -> None:
        console_actor(request, obj.community_id, Permission.MEMBER_MANAGE)
        expires_at = form.cleaned_data["expires_at"]
        obj.pk = invite_create(community=obj.community, created_by=request_user(request),
                               expires_in=expires_at - timezone.now() if expires_at else None,
                               max_uses=form.cleaned_data["max_uses"]).pk

    @admin.action(description="Revoke selected invites", permissions=["change"])
    def revoke_invites(self, request: HttpRequest, queryset: QuerySet[Invite]) -> TemplateResponse | None:
        live = queryset.filter(revoked_at__isnull=True).select_related("community")
        label = lambda invite: f"invite {invite.code} to {invite.community}"  # noqa: E731
        return confirm_first(
            self, request, live, title="Revoke {count} invite{s}", button="Yes, revoke them", verb_past="revoked",
            label=label, explanation="These invite links will stop working at once:",
            then=lambda: apply_each(self, request, live, code=Permission.MEMBER_MANAGE, label=label,
                                    act=lambda invite, access: invite_revoke(invite=invite),
                                    done_message="Revoked {count} invite{s}."))


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    """The moderation record: readable by those who may read it (audit.view), never editable."""

    scope_codes = frozenset({Permission.AUDIT_VIEW})
    list_display = ["created_at", "community", "actor", "action", "target", "reason"]
    list_filter = ["action", "target_type"]
    list_select_related = ["community", "actor"]
    search_fields = ["community__name", "community__slug", "actor__username", "=target_id"]
    ordering = ["-created_at"]
    show_full_result_count = False

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        # Who was acted on, in words: the apps that own the target types name a page of them.
        changelist = super().get_changelist_instance(request)
        entries = list(changelist.result_list)
        names = target_names((entry.target_type, entry.community_id, entry.target_id) for entry in entries)
        for entry in entries:
            entry.console_target = names[(entry.target_type, entry.community_id, entry.target_id)]
        return changelist

    @admin.display(description="target")
    def target(self, entry: AuditLogEntry) -> str:
        return getattr(entry, "console_target", "")

    def console_activity(self, request: HttpRequest) -> list[ConsoleActivity]:
        """What other moderators did lately in the staff user's communities, in words."""
        if not self.has_view_permission(request):
            return []
        entries = list(self.get_queryset(request).exclude(actor=request_user(request))
                       .select_related("community", "actor").order_by("-created_at")[:ACTIVITY_ROWS])
        names = target_names((entry.target_type, entry.community_id, entry.target_id) for entry in entries)
        return [ConsoleActivity(when=entry.created_at, who=str(entry.actor or "the system"),
                                what=f"{entry.get_action_display()}: "
                                     f"{names[(entry.target_type, entry.community_id, entry.target_id)]}",
                                where=entry.community.name) for entry in entries]


# Django REST framework simplejwt's page for revoked refresh tokens lets a superuser delete a
# revocation (reviving the token) or add one by hand; revoking is the services' (logout, log
# out everywhere, password changes), so here the list only shows.
admin.site.unregister(BlacklistedToken)


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(SystemAdmin, ReadOnlyAdmin, SimpleJwtBlacklistedTokenAdmin):
    pass


admin.site.unregister(OutstandingToken)


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(SystemAdmin, SimpleJwtOutstandingTokenAdmin):
    pass


@admin.register(EmailView)
class EmailViewAdmin(SystemAdmin, ReadOnlyAdmin):
    """Who looked at whose email address in the console (superusers only; written by UserAdmin)."""

    list_display = ["viewed_at", "viewer", "subject", "page"]
    list_filter = ["page"]
    list_select_related = ["viewer", "subject"]
    search_fields = ["viewer__username", "subject__username"]
    date_hierarchy = "viewed_at"


# Outbound webhooks' console pages live beside their services (members.services.webhooks).
from members import webhooks_admin  # noqa: E402, F401
