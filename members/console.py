"""Scoped moderators in the admin console.

A staff user who holds moderation codes in some communities (through their community
roles, or as owner) sees and acts on only those communities' objects; platform
superadmins (Django superusers) see everything. The rules are the API's: the console
resolves the same CommunityAccess and calls the same services, so the role hierarchy
applies here too.
"""

import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Exists, ForeignKey, Model, OuterRef, QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse

from community_service.exceptions import DomainError
from members.authentication import request_user
from members.catalogue import ALL_PERMISSIONS, Permission
from members.models import Member, MemberStatus, User
from members.selectors.access import CommunityAccess, community_access

# Holding any of these in a community makes a staff user one of its moderators.
MODERATION_CODES = frozenset({
    Permission.REPORT_REVIEW, Permission.POST_MODERATE, Permission.POST_DELETE, Permission.COMMENT_MODERATE,
    Permission.MEMBER_BAN, Permission.MEMBER_MUTE, Permission.MEMBER_KICK, Permission.AUDIT_VIEW,
})


def _held_codes(request: HttpRequest) -> dict[uuid.UUID, frozenset[str]]:
    """Per community: the codes the staff user holds there (one query, memoised on the request)."""
    if "_console_held_codes" not in request.__dict__:
        user = request.user
        held: dict[uuid.UUID, set[str]] = {}
        if user.is_active and user.is_staff:
            rows = (Member.objects.filter(user=user, status=MemberStatus.ACTIVE, community__deleted_at__isnull=True)
                    .values_list("community_id", "is_owner", "roles__permissions"))
            for community_id, is_owner, codes in rows:
                held.setdefault(community_id, set()).update(ALL_PERMISSIONS if is_owner else codes or ())
        request.__dict__["_console_held_codes"] = {key: frozenset(value) for key, value in held.items()}
    return request.__dict__["_console_held_codes"]


def moderated_community_ids(request: HttpRequest, codes: Iterable[str] = MODERATION_CODES) -> frozenset | None:
    """Communities where the request's user holds any of `codes`; None means all (superuser)."""
    if request.user.is_superuser:
        return None
    codes = frozenset(codes)
    return frozenset(community_id for community_id, held in _held_codes(request).items() if held & codes)


def console_access(request: HttpRequest, community_id: uuid.UUID) -> CommunityAccess:
    """The staff user's access in a community, as the API resolves it (superusers bypass)."""
    memo: dict = request.__dict__.setdefault("_console_access", {})
    key = str(community_id)
    if key not in memo:
        memo[key] = community_access(community_id=community_id, user=request_user(request),
                                     is_superadmin=request.user.is_superuser)
    return memo[key]


class CommunityScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose lists, object pages, actions and autocomplete stop at the moderator's communities.

    Subclasses name the lookup from their model to its community (`community_lookup`) and
    the codes that let a moderator see the model (`scope_codes`). Editing stays with
    superusers: for moderators an object's page is read-only and changes go through
    actions, which call the services.
    """

    community_lookup = "community"
    scope_codes: frozenset[str] = MODERATION_CODES

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        ids = moderated_community_ids(request, self.scope_codes)
        return queryset if ids is None else queryset.filter(**{f"{self.community_lookup}__in": ids})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope_queryset(request, super().get_queryset(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # Another community's object is a 404, exactly like one that does not exist.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such object in the communities you moderate.")
        return obj

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Moderators change things through actions (services); an object's page is read-only.
        if obj is not None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Hard deletes skip counters, events and the audit log: superusers only.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and (
            request.user.is_superuser or bool(moderated_community_ids(request, self.scope_codes))
        )

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_foreignkey(self, db_field: "ForeignKey[Any, Any]", request: HttpRequest,
                                 **kwargs: Any) -> "ModelChoiceField[Any] | None":
        # Dropdowns of communities list only the moderator's own.
        if db_field.name == "community" and not request.user.is_superuser:
            from communities.models import Community

            kwargs["queryset"] = Community.objects.filter(pk__in=moderated_community_ids(request) or [])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def users_in_scope(request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
    """Users who belong (in any status) to a community the staff user moderates."""
    ids = moderated_community_ids(request)
    if ids is None:
        return queryset
    return queryset.filter(Exists(Member.objects.filter(user=OuterRef("pk"), community_id__in=ids)))


# Sanction lengths offered in the console; "" is a permanent ban (mutes always end).
SANCTION_DURATIONS = [
    ("3600", "1 hour"), ("86400", "1 day"), ("604800", "7 days"), ("2592000", "30 days"), ("", "Permanent (bans only)"),
]


class SanctionForm(forms.Form):
    """Duration and reason of a ban or mute, asked once for a whole selection."""

    duration = forms.ChoiceField(choices=SANCTION_DURATIONS, initial="86400", required=False)
    reason = forms.CharField(max_length=500, required=False, widget=forms.TextInput(attrs={"size": 60}))

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_duration(self) -> timedelta | None:
        value = self.cleaned_data["duration"]
        if not value:
            if self.kind == "mute":
                raise forms.ValidationError("A mute needs a duration.")
            return None
        return timedelta(seconds=int(value))


def sanction_duration(value: str, *, kind: str) -> timedelta | None:
    """The duration a queue button posted (validated like SanctionForm); raises ValidationError."""
    form = SanctionForm({"duration": value, "reason": ""}, kind=kind)
    if not form.is_valid():
        raise forms.ValidationError(form.errors["duration"][0])
    return form.cleaned_data["duration"]


def apply_each(
    model_admin: admin.ModelAdmin, request: HttpRequest, objects: Iterable[Any], *, code: str,
    act: Callable[[Any, CommunityAccess], object], done_message: str, label: Callable[[Any], str] = str,
) -> None:
    """Run a service on each selected object the moderator may act on (`code` in its community).

    Refusals (a missing code, the hierarchy, a state conflict) are reported per object;
    the others still go through, each in its own transaction.
    """
    done, refused = 0, []
    for obj in objects:
        access = console_access(request, obj.community_id)
        if not access.has(code):
            refused.append(f"{label(obj)}: you need {code} in this community.")
            continue
        try:
            act(obj, access)
            done += 1
        except DomainError as exc:
            refused.append(f"{label(obj)}: {exc.detail}")
    if done:
        model_admin.message_user(request, done_message.format(count=done), messages.SUCCESS)
    for reason in refused:
        model_admin.message_user(request, reason, messages.WARNING)


def sanction_action(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, *, kind: str,
    act: Callable[[Any, CommunityAccess, timedelta | None, str], object], code: str,
    label: Callable[[Any], str] = str,
) -> TemplateResponse | None:
    """An admin action that first asks for a duration and a reason, then sanctions each selected row."""
    form = SanctionForm(request.POST if "apply" in request.POST else None, kind=kind)
    if form.is_bound and form.is_valid():
        duration, reason = form.cleaned_data["duration"], form.cleaned_data["reason"]
        apply_each(model_admin, request, queryset, code=code,
                   act=lambda obj, access: act(obj, access, duration, reason),
                   done_message="Banned {count}." if kind == "ban" else "Muted {count}.", label=label)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{kind.capitalize()} {queryset.count()} selected",
        "form": form,
        "kind": kind,
        "queryset": queryset,
        "labels": [label(obj) for obj in queryset],
        "opts": model_admin.model._meta,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/console/sanction.html", context)
