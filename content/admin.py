"""The moderation console for content: the report queue, posts, comments, channels, attachments.

Every page is scoped to the communities the staff user moderates (members.console), and
every change is one of the API's services, so counters, events and the audit log follow.
"""

# Why this is long: five console pages of one app (reports, posts, comments, channels, attachments), each a
# few lines on the shared scoping.

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from community_service.admin_site import ConsoleLink
from community_service.exceptions import DomainError
from content.models import (
    Attachment,
    Channel,
    Comment,
    Post,
    PostStatus,
    Report,
    ReportEntry,
    ReportStatus,
    excerpt,
)
from content.selectors.reports import (
    report_labels,
    report_open_by_community,
    report_open_count,
    report_open_queue,
    report_target_key,
    report_targets,
)
from content.services.channels import channel_create, channel_delete, channel_update
from content.services.comments import comment_delete, comment_restore
from content.services.posts import post_delete, post_moderate, post_restore
from content.services.reports import claim_minutes, report_claim, report_close, report_decide, report_release
from members import policy
from members.authentication import request_user
from members.catalogue import Permission
from members.console import (
    SANCTION_DURATIONS,
    CommunityScopedAdmin,
    ReadOnlyAdmin,
    ServiceWritesAdmin,
    apply_each,
    badge,
    confirm_first,
    console_access,
    console_actor,
    moderated_community_ids,
    sanction_duration,
    sanctions_allowed,
    target_namer_register,
    waiting_by_community,
)
from members.models import Member

QUEUE_PAGE_SIZE = 20
REASON_MAX_LENGTH = 500  # the shortest store of a reason (Member.ban_reason)
CONSOLE_REASON = "Removed in the moderation console"


def _post_names(pairs: list[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], str]:
    posts = (Post.objects.filter(pk__in={target_id for _, target_id in pairs}).defer("search_vector")
             .select_related("author", "channel", "community"))
    return {(post.community_id, post.pk): str(post) for post in posts}


def _comment_names(pairs: list[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], str]:
    comments = (Comment.objects.filter(pk__in={target_id for _, target_id in pairs}).defer("search_vector")
                .select_related("author", "post", "community"))
    return {(comment.community_id, comment.pk): str(comment) for comment in comments}


def _report_names(pairs: list[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], str]:
    reports = list(Report.objects.filter(pk__in={target_id for _, target_id in pairs}))
    labels = report_labels(reports)
    return {(report.community_id, report.pk): f"report: {labels[report.pk]}" for report in reports}


# The audit log (members' page) names these targets through the registry.
target_namer_register("post", _post_names)
target_namer_register("comment", _comment_names)
target_namer_register("report", _report_names)


def post_state(post: Post) -> str:
    """A post's state as the API names it: a removed post is removed, whatever its status was."""
    return "removed" if post.deleted_at is not None else post.get_status_display().lower()


POST_STATE_TONES = {"removed": "bad", "rejected": "bad", "pending review": "wait", "draft": "quiet",
                    "archived": "quiet"}


# What channel_create and channel_update accept, as the API's channel form.
CHANNEL_FORM_FIELDS = ["name", "slug", "topic", "channel_type", "position", "is_members_only"]


@admin.register(Channel)
class ChannelAdmin(ServiceWritesAdmin, CommunityScopedAdmin):
    list_display = ["name", "slug", "community", "channel_type", "position", "is_members_only"]
    list_filter = ["channel_type", "is_members_only"]
    list_select_related = ["community"]
    search_fields = ["name", "slug", "community__name", "community__slug"]
    autocomplete_fields = ["community"]

    def get_fields(self, request: HttpRequest, obj: Channel | None = None) -> tuple[str, ...]:
        # A channel stays in its community.
        return (*(["community"] if obj is None else []), *CHANNEL_FORM_FIELDS)

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        console_actor(request, obj.community_id, Permission.CHANNEL_MANAGE)
        data = {name: form.cleaned_data[name] for name in CHANNEL_FORM_FIELDS}
        if change:
            channel_update(channel=obj, data={name: data[name] for name in form.changed_data if name in data})
        else:
            obj.pk = channel_create(community=obj.community, **data).pk

    def delete_model(self, request: HttpRequest, obj: Channel) -> None:
        console_actor(request, obj.community_id, Permission.CHANNEL_MANAGE)
        channel_delete(channel=obj)


# Posts and comments are members' words: they are written and edited through the API (its
# gates, channel rights and edit marks); the console moderates them with the actions below.
@admin.register(Post)
class PostAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    list_display = ["title_excerpt", "community", "channel", "author", "state", "is_pinned", "comments_locked",
                    "like_count", "comment_count", "published_at"]
    list_filter = ["status", "is_pinned", "comments_locked", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["community", "author", "channel"]
    search_fields = ["title", "=id", "author__username", "community__slug"]
    raw_id_fields = ["channel", "author"]
    autocomplete_fields = ["community"]
    readonly_fields = ["like_count", "view_count", "comment_count", "published_at", "created_at", "updated_at",
                       "deleted_at"]
    exclude = ["search_vector"]
    actions = ["remove_posts", "restore_posts", "lock_posts", "unlock_posts", "approve_posts"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return super().get_queryset(request).defer("search_vector")

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        """Posts waiting for review, per community (a community with post_moderation on)."""
        if not self.has_view_permission(request):
            return []
        pending = self.get_queryset(request).filter(status=PostStatus.PENDING_REVIEW, deleted_at__isnull=True)
        return waiting_by_community(pending, name="Posts pending review in {community}",
                                    url=reverse("admin:content_post_changelist"),
                                    filters={"status__exact": PostStatus.PENDING_REVIEW})

    @admin.display(description="title", ordering="title")
    def title_excerpt(self, post: Post) -> str:
        return excerpt(post.title, 60)

    @admin.display(description="state", ordering="status")
    def state(self, post: Post) -> SafeString:
        state = post_state(post)
        return badge(state, POST_STATE_TONES.get(state, ""))

    @admin.action(description="Remove selected posts (soft delete, audited)", permissions=["change"])
    def remove_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> TemplateResponse | None:
        posts = queryset.filter(deleted_at__isnull=True).select_related("author", "channel", "community")
        return confirm_first(
            self, request, posts, title="Remove {count} post{s}", button="Yes, remove them", verb_past="removed",
            explanation="These posts will be hidden from their communities (a soft delete, restorable from this "
                        "list), and each removal is written to the community's audit log:",
            then=lambda: apply_each(
                self, request, posts, code=Permission.POST_DELETE, done_message="Removed {count} post{s}.",
                act=lambda post, access: post_delete(post=post, actor=request_user(request), access=access,
                                                     reason=CONSOLE_REASON)))

    @admin.action(description="Restore selected removed posts (audited)", permissions=["change"])
    def restore_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        apply_each(self, request, queryset.filter(deleted_at__isnull=False), code=Permission.POST_DELETE,
                   act=lambda post, access: post_restore(post=post, actor=request_user(request), access=access,
                                                         reason="Restored in the moderation console"),
                   done_message="Restored {count} post{s}.")

    def _moderate(self, request: HttpRequest, queryset: QuerySet[Post], action: str, done: str) -> None:
        apply_each(self, request, queryset, code=Permission.POST_MODERATE,
                   act=lambda post, access: post_moderate(post=post, moderator=request_user(request), access=access,
                                                           action=action),
                   done_message=done)

    @admin.action(description="Lock comments on selected posts (audited)", permissions=["change"])
    def lock_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(request, queryset.filter(comments_locked=False), "lock", "Locked {count} post{s}.")

    @admin.action(description="Unlock comments on selected posts (audited)", permissions=["change"])
    def unlock_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(request, queryset.filter(comments_locked=True), "unlock", "Unlocked {count} post{s}.")

    @admin.action(description="Approve selected posts waiting for review (audited)", permissions=["change"])
    def approve_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(request, queryset.filter(status=PostStatus.PENDING_REVIEW), "approve",
                       "Approved {count} post{s}.")


def _comment_label(comment: Comment) -> str:
    return str(comment)


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    list_display = ["text", "post_title", "community", "author", "state", "depth", "like_count", "created_at"]
    list_filter = ["is_deleted", "is_edited"]
    list_select_related = ["post", "author", "community"]
    search_fields = ["=id", "=post__id", "author__username", "content"]
    raw_id_fields = ["post", "community", "author", "parent", "thread"]
    actions = ["remove_comments", "restore_comments"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).defer("search_vector", "post__search_vector")

    @admin.display(description="comment")
    def text(self, comment: Comment) -> str:
        return excerpt(comment.content, 80)

    @admin.display(description="on post", ordering="post__title")
    def post_title(self, comment: Comment) -> str:
        return excerpt(comment.post.title)

    @admin.display(description="state", ordering="is_deleted")
    def state(self, comment: Comment) -> SafeString:
        return badge("removed", "bad") if comment.is_deleted else badge("published")

    @admin.action(description="Remove selected comments (audited)", permissions=["change"])
    def remove_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> TemplateResponse | None:
        comments = queryset.filter(is_deleted=False).select_related("author", "post", "community")
        return confirm_first(
            self, request, comments, title="Remove {count} comment{s}", button="Yes, remove them",
            verb_past="removed", label=_comment_label,
            explanation="These comments will be removed (restorable from this list; one with replies stays as a "
                        "placeholder), and each removal is written to the community's audit log:",
            then=lambda: apply_each(
                self, request, comments, code=Permission.COMMENT_MODERATE, label=_comment_label,
                done_message="Removed {count} comment{s}.",
                act=lambda comment, access: comment_delete(comment=comment, actor=request_user(request),
                                                           access=access, reason=CONSOLE_REASON)))

    @admin.action(description="Restore selected removed comments (audited)", permissions=["change"])
    def restore_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        apply_each(self, request, queryset.filter(is_deleted=True), code=Permission.COMMENT_MODERATE,
                   act=lambda comment, access: comment_restore(comment=comment, actor=request_user(request),
                                                               access=access,
                                                               reason="Restored in the moderation console"),
                   done_message="Restored {count} comment{s}.", label=_comment_label)


class ReportEntryInline(admin.TabularInline):
    model = ReportEntry
    extra = 0
    readonly_fields = ["reporter", "category", "text", "created_at"]

    # Entries are what members reported (report_submit): shown, never changed.
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


DECIDED = {"approve": "kept", "remove": "removed", "lock": "comments locked", "ban": "author banned",
           "mute": "author muted"}


def _decided_in_words(report: Report, decision: str, duration: timedelta | None) -> str:
    """What one decision did: "removed; 3 reports resolved", "author banned for 7 days; …"."""
    what = DECIDED.get(decision, decision)
    if decision in ("ban", "mute"):
        lengths = dict(SANCTION_DURATIONS)
        what += f" for {lengths[str(int(duration.total_seconds()))]}" if duration else " permanently"
    count = report.reporter_count
    closed = "dismissed" if decision == "approve" else "resolved"
    return f"{what}; {count} report{'' if count == 1 else 's'} {closed}"


@dataclass
class QueueItem:
    """One open report on the queue page: the report, its target, and the buttons the moderator may use."""

    report: Report
    target: Post | Comment | object | None
    allowed: dict[str, bool]
    # Who else holds the item (their claim has not expired): its buttons wait, unless a superadmin.
    claimed_by_other: bool = False
    claimed_by_me: bool = False


def _report_label(report: Report) -> str:
    # A page of reports is labelled at once (get_changelist_instance, the queue); one alone asks.
    return getattr(report, "console_label", None) or str(report)


REPORT_STATUS_TONES: dict[str, str] = {
    ReportStatus.OPEN: "wait", ReportStatus.RESOLVED: "quiet", ReportStatus.DISMISSED: "quiet"}


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    """Reports, one per reported target. The queue page (the moderators' landing page) works them.

    Read-only pages: reports are filed by members (report_submit) and decided only through
    content.services.reports (the queue and the actions), never added or edited here."""

    scope_codes = frozenset({Permission.REPORT_REVIEW})
    list_display = ["reported", "community", "state", "reporter_count", "created_at", "last_reported_at",
                    "resolved_by"]
    list_filter = ["status", "target_type"]
    list_select_related = ["community", "resolved_by"]
    search_fields = ["=target_id", "community__slug"]
    # Oldest first: whoever waited longest is served first.
    ordering = ["created_at", "id"]
    readonly_fields = ["community", "target_type", "target_id", "status", "reporter_count", "last_reported_at",
                       "resolved_by", "resolution_note", "resolved_at", "created_at"]
    inlines = [ReportEntryInline]
    actions = ["approve_reports", "remove_reported", "resolve_reports", "dismiss_reports"]

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        reports = list(changelist.result_list)
        labels = report_labels(reports)
        for report in reports:
            report.console_label = labels[report.pk]
        return changelist

    @admin.display(description="report")
    def reported(self, report: Report) -> str:
        return _report_label(report)

    @admin.display(description="status", ordering="status")
    def state(self, report: Report) -> SafeString:
        return badge(report.get_status_display().lower(), REPORT_STATUS_TONES.get(report.status, ""))

    def get_urls(self) -> list:
        urls = [
            path("queue/", self.admin_site.admin_view(self.queue_view), name="content_report_queue"),
            path("<uuid:report_id>/decide/", self.admin_site.admin_view(self.decide_view),
                 name="content_report_decide"),
            path("<uuid:report_id>/claim/", self.admin_site.admin_view(self.claim_view),
                 name="content_report_claim"),
        ]
        return urls + super().get_urls()

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        """The queue on the console index, with its open reports (the moderator's communities only)."""
        if not self.has_view_permission(request):
            return []
        ids = moderated_community_ids(request, self.scope_codes)
        queue = reverse("admin:content_report_queue")
        links = [ConsoleLink(name="Moderation queue", url=queue, count=report_open_count(community_ids=ids))]
        return links + [
            ConsoleLink(name=f"Open reports in {row['community__name']}", url=queue, count=row["n"],
                        oldest=row["oldest"])
            for row in report_open_by_community(community_ids=ids)
        ]

    # --- the queue ---------------------------------------------------------------------

    def queue_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        queue = report_open_queue(community_ids=moderated_community_ids(request, self.scope_codes))
        page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        reports = list(page.object_list)
        targets = report_targets(reports)
        # One query per code, whatever the page holds: which communities allow which button.
        holders = {code: moderated_community_ids(request, {code}) for code in
                   (Permission.POST_DELETE, Permission.COMMENT_MODERATE, Permission.POST_MODERATE,
                    Permission.MEMBER_BAN, Permission.MEMBER_MUTE)}

        def holds(code: Permission, report: Report) -> bool:
            ids = holders[code]
            return ids is None or report.community_id in ids

        def person(report: Report) -> tuple[UUID, UUID] | None:
            """(community id, user id) of whom Ban/Mute author would sanction."""
            target = targets.get(report_target_key(report))
            user_id = getattr(target, "user_id" if isinstance(target, Member) else "author_id", None)
            return (report.community_id, user_id) if user_id is not None else None

        # The hierarchy, as the services apply it: no Ban/Mute button on the owner or on a
        # member ranked at or above the moderator.
        sanctions = sanctions_allowed(request, filter(None, map(person, reports)))
        now = timezone.now()
        items = []
        for report in reports:
            target = targets.get(report_target_key(report))
            on_content = report.target_type in ("post", "comment")
            key = person(report)
            allowed_on_person = sanctions.get(key, frozenset()) if key else frozenset()
            claimed_now = report.claimed_until is not None and report.claimed_until > now
            mine = report.claimed_by_id == request.user.pk
            # Another moderator's claim: the buttons wait (a superadmin may still decide).
            free = not policy.claim_blocks(claimed_by_id=report.claimed_by_id, claimed_until=report.claimed_until,
                                           user_id=request.user.pk, is_superadmin=request.user.is_superuser)
            items.append(QueueItem(
                report=report, target=target, claimed_by_other=claimed_now and not mine,
                claimed_by_me=claimed_now and mine,
                allowed={
                    "decide": free,
                    "approve": free,
                    "remove": free and target is not None and on_content and holds(
                        Permission.POST_DELETE if report.target_type == "post" else Permission.COMMENT_MODERATE,
                        report),
                    "lock": free and target is not None and on_content and holds(Permission.POST_MODERATE, report),
                    "ban": free and "ban" in allowed_on_person and holds(Permission.MEMBER_BAN, report),
                    "mute": free and "mute" in allowed_on_person and holds(Permission.MEMBER_MUTE, report),
                }))
        context = {
            **self.admin_site.each_context(request),
            "title": "Moderation queue",
            "subtitle": f"{page.paginator.count} open",
            "items": items,
            "page": page,
            "durations": SANCTION_DURATIONS,
            "reason_max_length": REASON_MAX_LENGTH,
            "claim_minutes": claim_minutes(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/content/report/queue.html", context)

    def decide_view(self, request: HttpRequest, report_id: UUID) -> HttpResponse:
        """One click on the queue: act on the target through its service and close the report."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        report = self.get_object(request, str(report_id))
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "").strip()
        back = reverse("admin:content_report_queue")
        if request.POST.get("page"):
            back += "?" + urlencode({"page": request.POST["page"]})
        label = _report_label(report)
        try:
            if len(reason) > REASON_MAX_LENGTH:
                raise forms.ValidationError(f"The reason is longer than {REASON_MAX_LENGTH} characters.")
            duration = (sanction_duration(request.POST.get("duration", ""), kind=decision)
                        if decision in ("ban", "mute") else None)
            report_decide(report=report, moderator=request_user(request),
                          access=console_access(request, report.community_id),
                          decision=decision, reason=reason, duration=duration)
        except DomainError as exc:
            self.message_user(request, f"{label}: {exc.detail}", messages.ERROR)
        except forms.ValidationError as exc:
            self.message_user(request, f"{label}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            self.message_user(request, f"{label}: {_decided_in_words(report, decision, duration)}.", messages.SUCCESS)
        return HttpResponseRedirect(back)

    def claim_view(self, request: HttpRequest, report_id: UUID) -> HttpResponse:
        """Claim an item (so others see who works on it and wait), or give the claim back."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        report = self.get_object(request, str(report_id))
        release = request.POST.get("claim") == "release"
        back = reverse("admin:content_report_queue")
        if request.POST.get("page"):
            back += "?" + urlencode({"page": request.POST["page"]})
        label = _report_label(report)
        try:
            access = console_access(request, report.community_id)
            if release:
                report_release(report=report, moderator=request_user(request), access=access)
            else:
                report = report_claim(report=report, moderator=request_user(request), access=access)
        except DomainError as exc:
            self.message_user(request, f"{label}: {exc.detail}", messages.ERROR)
        else:
            done = ("released: anyone may take it" if release else
                    f"claimed by you until {report.claimed_until:%H:%M} UTC")
            self.message_user(request, f"{label}: {done}.", messages.SUCCESS)
        return HttpResponseRedirect(f"{back}#report-{report.pk}")

    # --- bulk actions --------------------------------------------------------------------

    def _decide_each(self, request: HttpRequest, queryset: QuerySet[Report], decision: str, done: str) -> None:
        apply_each(self, request, queryset.filter(status=ReportStatus.OPEN).select_related("community"),
                   code=Permission.REPORT_REVIEW, label=_report_label, done_message=done,
                   act=lambda report, access: report_decide(report=report, moderator=request_user(request),
                                                            access=access, decision=decision))

    @admin.action(description="Approve the reported content and dismiss (audited)", permissions=["change"])
    def approve_reports(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._decide_each(request, queryset, "approve", "Approved {count}.")

    @admin.action(description="Remove the reported posts or comments and resolve (audited)", permissions=["change"])
    def remove_reported(self, request: HttpRequest, queryset: QuerySet[Report]) -> TemplateResponse | None:
        reports: list[Any] = list(queryset.filter(status=ReportStatus.OPEN))
        labels = report_labels(reports)
        for report in reports:
            report.console_label = labels[report.pk]
        return confirm_first(
            self, request, reports, title="Remove the content of {count} report{s}", button="Yes, remove it",
            verb_past="acted on", label=_report_label,
            explanation="The reported posts and comments will be removed (restorable from their lists), the "
                        "reports resolved, and both written to the community's audit log:",
            then=lambda: self._decide_each(request, queryset, "remove", "Removed the content of {count} report{s}."))

    def _close(self, request: HttpRequest, queryset: QuerySet[Report], *, resolve: bool) -> None:
        apply_each(self, request, queryset.filter(status=ReportStatus.OPEN), code=Permission.REPORT_REVIEW,
                   label=_report_label, done_message="Closed {count} report{s}.",
                   act=lambda report, access: report_close(report=report, moderator=request_user(request),
                                                           resolve=resolve, note="Closed in the moderation console",
                                                           access=access))

    @admin.action(description="Resolve selected reports (audited)", permissions=["change"])
    def resolve_reports(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._close(request, queryset, resolve=True)

    @admin.action(description="Dismiss selected reports (audited)", permissions=["change"])
    def dismiss_reports(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._close(request, queryset, resolve=False)


# Uploads are their uploader's (POST/DELETE .../attachments); a post's go with the post.
@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    list_display = ["__str__", "community", "uploader", "size", "post_title", "created_at"]
    list_filter = ["content_type"]
    list_select_related = ["community", "uploader", "post"]
    search_fields = ["=id", "original_name", "uploader__username"]
    raw_id_fields = ["community", "uploader", "post"]
    readonly_fields = ["file", "content_type", "size", "original_name", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        return super().get_queryset(request).defer("post__search_vector")

    @admin.display(description="post", ordering="post__title")
    def post_title(self, attachment: Attachment) -> str:
        return excerpt(attachment.post.title) if attachment.post is not None else "-"
