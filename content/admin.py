"""The moderation console for content: the report queue, posts, comments, channels, attachments.

Every page is scoped to the communities the staff user moderates (members.console), and
every change is one of the API's services, so counters, events and the audit log follow.
"""

# Why this is long: five console pages of one app (reports, posts, comments, channels, attachments), each a
# few lines on the shared scoping.

from dataclasses import dataclass
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
from django.utils.http import urlencode

from community_service.admin_site import ConsoleLink
from community_service.exceptions import DomainError
from content.models import Attachment, Channel, Comment, Post, PostStatus, Report, ReportEntry, ReportStatus
from content.selectors.reports import report_open_count, report_open_queue, report_target_key, report_targets
from content.services.channels import channel_create, channel_delete, channel_update
from content.services.comments import comment_delete, comment_restore
from content.services.posts import post_delete, post_moderate, post_restore
from content.services.reports import report_close, report_decide
from members.authentication import request_user
from members.catalogue import Permission
from members.console import (
    SANCTION_DURATIONS,
    CommunityScopedAdmin,
    ReadOnlyAdmin,
    ServiceWritesAdmin,
    apply_each,
    console_access,
    console_actor,
    moderated_community_ids,
    sanction_duration,
    sanctions_allowed,
)
from members.models import Member

QUEUE_PAGE_SIZE = 20
REASON_MAX_LENGTH = 500  # the shortest store of a reason (Member.ban_reason)
CONSOLE_REASON = "Removed in the moderation console"


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
    list_display = ["title", "community", "author", "status", "is_pinned", "comments_locked", "like_count",
                    "comment_count", "published_at", "deleted_at"]
    list_filter = ["status", "is_pinned", "comments_locked", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["community", "author"]
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

    @admin.action(description="Remove selected posts (soft delete, audited)", permissions=["change"])
    def remove_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        apply_each(self, request, queryset.filter(deleted_at__isnull=True), code=Permission.POST_DELETE,
                   act=lambda post, access: post_delete(post=post, actor=request_user(request), access=access,
                                                        reason=CONSOLE_REASON),
                   done_message="Removed {count} posts.")

    @admin.action(description="Restore selected removed posts (audited)", permissions=["change"])
    def restore_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        apply_each(self, request, queryset.filter(deleted_at__isnull=False), code=Permission.POST_DELETE,
                   act=lambda post, access: post_restore(post=post, actor=request_user(request), access=access,
                                                         reason="Restored in the moderation console"),
                   done_message="Restored {count} posts.")

    def _moderate(self, request: HttpRequest, queryset: QuerySet[Post], action: str, done: str) -> None:
        apply_each(self, request, queryset, code=Permission.POST_MODERATE,
                   act=lambda post, access: post_moderate(post=post, moderator=request_user(request), action=action),
                   done_message=done)

    @admin.action(description="Lock comments on selected posts (audited)", permissions=["change"])
    def lock_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(request, queryset.filter(comments_locked=False), "lock", "Locked {count} posts.")

    @admin.action(description="Unlock comments on selected posts (audited)", permissions=["change"])
    def unlock_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(request, queryset.filter(comments_locked=True), "unlock", "Unlocked {count} posts.")

    @admin.action(description="Approve selected posts waiting for review (audited)", permissions=["change"])
    def approve_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(request, queryset.filter(status=PostStatus.PENDING_REVIEW), "approve",
                       "Approved {count} posts.")


def _comment_label(comment: Comment) -> str:
    return f"comment {comment.pk}"


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    list_display = ["id", "post", "author", "depth", "is_deleted", "like_count", "created_at"]
    list_filter = ["is_deleted", "is_edited"]
    list_select_related = ["post", "author"]
    search_fields = ["=id", "=post__id", "author__username", "content"]
    raw_id_fields = ["post", "community", "author", "parent", "thread"]
    actions = ["remove_comments", "restore_comments"]
    show_full_result_count = False

    @admin.action(description="Remove selected comments (audited)", permissions=["change"])
    def remove_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        apply_each(self, request, queryset.filter(is_deleted=False), code=Permission.COMMENT_MODERATE,
                   act=lambda comment, access: comment_delete(comment=comment, actor=request_user(request),
                                                              access=access, reason=CONSOLE_REASON),
                   done_message="Removed {count} comments.", label=_comment_label)

    @admin.action(description="Restore selected removed comments (audited)", permissions=["change"])
    def restore_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        apply_each(self, request, queryset.filter(is_deleted=True), code=Permission.COMMENT_MODERATE,
                   act=lambda comment, access: comment_restore(comment=comment, actor=request_user(request),
                                                               access=access,
                                                               reason="Restored in the moderation console"),
                   done_message="Restored {count} comments.", label=_comment_label)


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


@dataclass
class QueueItem:
    """One open report on the queue page: the report, its target, and the buttons the moderator may use."""

    report: Report
    target: Post | Comment | object | None
    allowed: dict[str, bool]


def _report_label(report: Report) -> str:
    return f"report on {report.target_type} {report.target_id}"


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    """Reports, one per reported target. The queue page (the moderators' landing page) works them.

    Read-only pages: reports are filed by members (report_submit) and decided only through
    content.services.reports (the queue and the actions), never added or edited here."""

    scope_codes = frozenset({Permission.REPORT_REVIEW})
    list_display = ["target_type", "target_id", "community", "status", "reporter_count", "created_at",
                    "last_reported_at", "resolved_by"]
    list_filter = ["status", "target_type"]
    list_select_related = ["community", "resolved_by"]
    search_fields = ["=target_id", "community__slug"]
    # Oldest first: whoever waited longest is served first.
    ordering = ["created_at", "id"]
    readonly_fields = ["community", "target_type", "target_id", "status", "reporter_count", "last_reported_at",
                       "resolved_by", "resolution_note", "resolved_at", "created_at"]
    inlines = [ReportEntryInline]
    actions = ["approve_reports", "remove_reported", "resolve_reports", "dismiss_reports"]

    def get_urls(self) -> list:
        urls = [
            path("queue/", self.admin_site.admin_view(self.queue_view), name="content_report_queue"),
            path("<uuid:report_id>/decide/", self.admin_site.admin_view(self.decide_view),
                 name="content_report_decide"),
        ]
        return urls + super().get_urls()

    def console_links(self, request: HttpRequest) -> list[ConsoleLink]:
        """The queue on the console index, with its open reports (the moderator's communities only)."""
        if not self.has_view_permission(request):
            return []
        count = report_open_count(community_ids=moderated_community_ids(request, self.scope_codes))
        return [ConsoleLink(name="Moderation queue", url=reverse("admin:content_report_queue"), count=count)]

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
        items = []
        for report in reports:
            target = targets.get(report_target_key(report))
            on_content = report.target_type in ("post", "comment")
            key = person(report)
            allowed_on_person = sanctions.get(key, frozenset()) if key else frozenset()
            items.append(QueueItem(report=report, target=target, allowed={
                "approve": True,
                "remove": target is not None and on_content and holds(
                    Permission.POST_DELETE if report.target_type == "post" else Permission.COMMENT_MODERATE, report),
                "lock": target is not None and on_content and holds(Permission.POST_MODERATE, report),
                "ban": "ban" in allowed_on_person and holds(Permission.MEMBER_BAN, report),
                "mute": "mute" in allowed_on_person and holds(Permission.MEMBER_MUTE, report),
            }))
        context = {
            **self.admin_site.each_context(request),
            "title": "Moderation queue",
            "subtitle": f"{page.paginator.count} open",
            "items": items,
            "page": page,
            "durations": SANCTION_DURATIONS,
            "reason_max_length": REASON_MAX_LENGTH,
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
            done = "approved (report dismissed)" if decision == "approve" else f"{decision}: done, report resolved"
            self.message_user(request, f"{label}: {done}.", messages.SUCCESS)
        return HttpResponseRedirect(back)

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
    def remove_reported(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._decide_each(request, queryset, "remove", "Removed the content of {count} reports.")

    def _close(self, request: HttpRequest, queryset: QuerySet[Report], *, resolve: bool) -> None:
        apply_each(self, request, queryset.filter(status=ReportStatus.OPEN), code=Permission.REPORT_REVIEW,
                   label=_report_label, done_message="Closed {count} reports.",
                   act=lambda report, access: report_close(report=report, moderator=request_user(request),
                                                           resolve=resolve, note="Closed in the moderation console"))

    @admin.action(description="Resolve selected reports (audited)", permissions=["change"])
    def resolve_reports(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._close(request, queryset, resolve=True)

    @admin.action(description="Dismiss selected reports (audited)", permissions=["change"])
    def dismiss_reports(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._close(request, queryset, resolve=False)


# Uploads are their uploader's (POST/DELETE .../attachments); a post's go with the post.
@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin, CommunityScopedAdmin):
    list_display = ["id", "community", "uploader", "content_type", "size", "post", "created_at"]
    list_filter = ["content_type"]
    list_select_related = ["community", "uploader", "post"]
    search_fields = ["=id", "original_name", "uploader__username"]
    raw_id_fields = ["community", "uploader", "post"]
    readonly_fields = ["file", "content_type", "size", "original_name", "created_at"]
