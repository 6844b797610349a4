"""Scoped moderators in the admin console.

A staff user who holds moderation codes in some communities (through their community
roles, or as owner) sees and acts on only those communities' objects; platform
superadmins (Django superusers) see everything. The rules are the API's: the console
resolves the same CommunityAccess and calls the same services, so the role hierarchy
applies here too.
"""

# Why this is long: the scoping every console page uses (querysets, choices, actions, permissions) in one base
# class, so no page can forget a part.

import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Exists, ForeignKey, Max, Min, Model, OuterRef, QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from community_service.admin_site import ConsoleLink
from community_service.exceptions import DomainError
from members import policy
from members.authentication import request_user
from members.catalogue import Permission
from members.models import Member, User
from members.selectors.access import OWNER_PRIORITY, CommunityAccess, community_access

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
            rows = (Member.objects.filter(policy.holding_rows_q(), user=user, community__deleted_at__isnull=True)
                    .values_list("community_id", "is_owner", "roles__permissions"))
            for community_id, is_owner, codes in rows:
                held.setdefault(community_id, set()).update(policy.codes_of_row(is_owner=is_owner, role_codes=codes))
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


def console_actor(request: HttpRequest, community_id: uuid.UUID, code: str) -> CommunityAccess:
    """The staff user's access in the community once the policy grants `code` there, for a
    service that takes no access of its own. Raises the policy's PermissionDenied."""
    access = console_access(request, community_id)
    policy.require_permission(access, code)
    return access


def badge(text: str, tone: str = "") -> SafeString:
    """A status as the API names it, drawn as a badge (admin/base_site.html styles the tones:
    "bad" for removed or banned, "wait" for what waits on someone, "quiet" for what is over)."""
    return format_html('<span class="badge{}">{}</span>', f" badge-{tone}" if tone else "", text)


# Who names a target in words, per target type ("post", "member", ...): an audit row or a report
# names its target by type and id, and the app that owns the type registers how to name a batch
# of them, so a page of a lower layer (the audit log) names an upper layer's rows.
TargetKey = tuple[str, uuid.UUID, uuid.UUID]  # (target type, community id, target id)
TargetNamer = Callable[[list[tuple[uuid.UUID, uuid.UUID]]], dict[tuple[uuid.UUID, uuid.UUID], str]]
_TARGET_NAMERS: dict[str, TargetNamer] = {}


def target_namer_register(target_type: str, namer: TargetNamer) -> None:
    _TARGET_NAMERS[target_type] = namer


def target_names(keys: Iterable[TargetKey]) -> dict[TargetKey, str]:
    """The registered namers' words for each (type, community id, target id); one or two queries
    per type. A target that is gone, or of a type nobody names, reads as its type."""
    by_type: dict[str, list[tuple[uuid.UUID, uuid.UUID]]] = {}
    for target_type, community_id, target_id in keys:
        by_type.setdefault(target_type, []).append((community_id, target_id))
    names: dict[TargetKey, str] = {}
    for target_type, pairs in by_type.items():
        namer = _TARGET_NAMERS.get(target_type)
        found = namer(pairs) if namer else {}
        for pair in pairs:
            names[(target_type, *pair)] = found.get(pair, f"a {target_type} no longer here")
    return names


def _member_names(pairs: list[tuple[uuid.UUID, uuid.UUID]]) -> dict[tuple[uuid.UUID, uuid.UUID], str]:
    users = User.objects.filter(pk__in={user_id for _, user_id in pairs}).values_list("pk", "username")
    usernames = dict(users)
    return {(community_id, user_id): f"member {usernames[user_id]}" for community_id, user_id in pairs
            if user_id in usernames}


# Moderation of people targets the user (members.services.effects.member_audit_record).
target_namer_register("member", _member_names)


def refusal_text(exc: DomainError) -> str:
    return f"{exc.field}: {exc.detail}" if exc.field else exc.detail


def sanctions_allowed(request: HttpRequest, keys: Iterable[tuple[uuid.UUID, uuid.UUID]]
                      ) -> dict[tuple[uuid.UUID, uuid.UUID], frozenset[str]]:
    """Which of "ban" and "mute" the role hierarchy lets the staff user apply to each
    (community id, user id), as member_ban and member_mute decide (require_outranks): nobody
    sanctions the owner, and an active member only from strictly above. The console offers
    only these, so a button never leads to a refusal. Permission codes are the caller's check.
    Two queries, whatever the number of keys."""
    keys = set(keys)
    if not keys:
        return {}
    community_ids = {community_id for community_id, _ in keys}
    actor_rank: dict[uuid.UUID, int] = {}
    if not request.user.is_superuser:
        rows = (Member.objects.filter(policy.holding_rows_q(), user=request_user(request),
                                      community_id__in=community_ids)
                .values_list("community_id", "is_owner").annotate(top=Max("roles__priority")))
        actor_rank = {community_id: OWNER_PRIORITY if is_owner else top or 0 for community_id, is_owner, top in rows}
    targets = {
        (community_id, user_id): (status, is_owner, OWNER_PRIORITY if is_owner else top or 0)
        for community_id, user_id, status, is_owner, top in
        Member.objects.filter(community_id__in=community_ids, user_id__in={user_id for _, user_id in keys})
        .values_list("community_id", "user_id", "status", "is_owner").annotate(top=Max("roles__priority"))
    }
    allowed = {}
    for key in keys:
        rank = OWNER_PRIORITY if request.user.is_superuser else actor_rank.get(key[0], -1)
        status, is_owner, target_rank = targets.get(key, (None, False, 0))
        allowed[key] = policy.sanctions_open(actor_rank=rank, target_status=status, target_is_owner=is_owner,
                                             target_rank=target_rank)
    return allowed


# Members' contact details are the platform's: a community moderator neither sees nor searches
# them (issue 37), on any page; superusers do. A lookup's last part names the field.
PRIVATE_FIELDS = frozenset({"email"})


def _is_private(name: object) -> bool:
    return isinstance(name, str) and name.lstrip("=^@").split("__")[-1] in PRIVATE_FIELDS


class PrivateFieldsAdmin(admin.ModelAdmin):
    """Leaves PRIVATE_FIELDS out of lists, forms, searches and filters for non-superusers."""

    def _public(self, request: HttpRequest, names: Iterable[Any]) -> list[Any]:
        names = list(names)
        return names if request.user.is_superuser else [name for name in names if not _is_private(name)]

    def get_list_display(self, request: HttpRequest) -> Any:
        return self._public(request, super().get_list_display(request))

    def get_list_filter(self, request: HttpRequest) -> Any:
        return self._public(request, super().get_list_filter(request))

    def get_search_fields(self, request: HttpRequest) -> Any:
        return self._public(request, super().get_search_fields(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._public(request, super().get_readonly_fields(request, obj))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._public(request, super().get_fields(request, obj))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return [(name, {**options, "fields": self._public(request, options["fields"])})
                for name, options in super().get_fieldsets(request, obj)]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        # The form leaves them out too, so no hidden value carries them.
        excluded = list(super().get_exclude(request, obj) or ())
        return excluded if request.user.is_superuser else [*excluded, *PRIVATE_FIELDS]


class CommunityScopedAdmin(PrivateFieldsAdmin):
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Looked at, never written from its page: no add, no edit, no delete. Actions that call
    services still run (they ask has_change_permission without an object)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ServiceWritesAdmin(admin.ModelAdmin):
    """A ModelAdmin whose add, change and delete are the API's services, so a console write
    publishes the same events and leaves the same audit rows as the API's. Subclasses write
    `save_model` and `delete_model` with a service; the form names only fields it accepts.

    A refusal (the policy, a conflict, a value the service rejects) rolls the write back (the
    admin's views are atomic) and comes back as an error message on the page it came from.
    """

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
                    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raise NotImplementedError(f"{type(self).__name__} writes through a service")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} deletes through a service")

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list, dict, set, list]:
        # The service decides what a delete does (often a soft delete or an archive), so the
        # confirmation lists the objects themselves, not the database's cascade.
        objs = list(objs)
        return [str(obj) for obj in objs], {self.model._meta.verbose_name_plural: len(objs)}, set(), []

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The service wrote what the form held; no many-to-many or inline saves beside it.
        pass

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # "Delete selected": the service once per object, each in its own transaction.
        for obj in queryset:
            try:
                self.delete_model(request, obj)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {refusal_text(exc)}", messages.WARNING)


def waiting_by_community(queryset: QuerySet, *, name: str, url: str, filters: dict[str, str]) -> list[ConsoleLink]:
    """Index links to what waits in each community of `queryset` (already scoped): how many and
    since when (`created_at`), each to its list filtered to that community. `name` takes {community}."""
    rows = (queryset.values("community_id", "community__name").annotate(n=Count("pk"), oldest=Min("created_at"))
            .order_by("oldest"))
    return [ConsoleLink(name=name.format(community=row["community__name"]), count=row["n"], oldest=row["oldest"],
                        url=f"{url}?{urlencode({**filters, 'community__id__exact': row['community_id']})}")
            for row in rows]


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


def confirm_first(
    model_admin: admin.ModelAdmin, request: HttpRequest, objects: Iterable[Any], *, title: str, explanation: str,
    button: str, verb_past: str, then: Callable[[], object], label: Callable[[Any], str] = str,
) -> TemplateResponse | None:
    """A bulk or destructive action's confirmation page, listing each object it will change in
    words; once the moderator confirmed, runs `then` (the action) and returns None."""
    if request.POST.get("confirmed") == "yes":
        then()
        return None
    objects = list(objects)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title.format(count=len(objects), s="" if len(objects) == 1 else "s"),
        "explanation": explanation,
        "button": button,
        "verb_past": verb_past,
        "labels": [label(obj) for obj in objects],
        "queryset": objects,
        "opts": model_admin.model._meta,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/console/confirm.html", context)


def _in_words(labels: list[str], shown: int = 5) -> str:
    more = len(labels) - shown
    return "; ".join(labels[:shown]) + (f"; and {more} more" if more > 0 else "")


def apply_each(
    model_admin: admin.ModelAdmin, request: HttpRequest, objects: Iterable[Any], *, code: str,
    act: Callable[[Any, CommunityAccess], object], done_message: str, label: Callable[[Any], str] = str,
) -> None:
    """Run a service on each selected object the moderator may act on (`code` in its community).

    Refusals (a missing code, the hierarchy, a state conflict) are reported per object;
    the others still go through, each in its own transaction. The message after names them.
    """
    done: list[str] = []
    refused = []
    for obj in objects:
        access = console_access(request, obj.community_id)
        if not access.has(code):
            refused.append(f"{label(obj)}: you need {code} in this community.")
            continue
        try:
            act(obj, access)
            done.append(label(obj))
        except DomainError as exc:
            refused.append(f"{label(obj)}: {exc.detail}")
    if done:
        # What happened, in words: the count and whom or what it happened to.
        done_text = done_message.format(count=len(done), s="" if len(done) == 1 else "s").rstrip(".")
        model_admin.message_user(request, f"{done_text}: {_in_words(done)}.", messages.SUCCESS)
    for reason in refused:
        model_admin.message_user(request, reason, messages.WARNING)


def sanction_action(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, *, kind: str,
    act: Callable[[Any, CommunityAccess, timedelta | None, str], object], code: str,
    label: Callable[[Any], str] = str, refusals: Callable[[list[Any]], dict[Any, str]] | None = None,
) -> TemplateResponse | None:
    """An admin action that first asks for a duration and a reason, then sanctions each selected row.

    `refusals` names, by pk, the rows the service would refuse (the hierarchy): they are
    listed apart on the form and never acted on."""
    selected = list(queryset)
    refused = refusals(selected) if refusals else {}
    actionable = [obj for obj in selected if obj.pk not in refused]
    form = SanctionForm(request.POST if "apply" in request.POST else None, kind=kind)
    if form.is_bound and form.is_valid():
        duration, reason = form.cleaned_data["duration"], form.cleaned_data["reason"]
        apply_each(model_admin, request, actionable, code=code,
                   act=lambda obj, access: act(obj, access, duration, reason),
                   done_message="Banned {count}." if kind == "ban" else "Muted {count}.", label=label)
        for obj in selected:
            if obj.pk in refused:
                model_admin.message_user(request, f"{label(obj)}: {refused[obj.pk]}.", messages.WARNING)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{kind.capitalize()} {len(actionable)} selected",
        "form": form,
        "kind": kind,
        "queryset": selected,
        "labels": [label(obj) for obj in actionable],
        "set_aside": [f"{label(obj)}: {refused[obj.pk]}" for obj in selected if obj.pk in refused],
        "opts": model_admin.model._meta,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/console/sanction.html", context)
