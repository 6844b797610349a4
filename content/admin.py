"""The moderation console: staff browse content and act through the same services as the API."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from community_service.exceptions import DomainError
from content.models import Attachment, Channel, Comment, Post, Report, ReportEntry
from content.services.posts import post_delete
from content.services.reports import report_close
from members.selectors.access import CommunityAccess


def _staff_access(request: HttpRequest, community_id: object) -> CommunityAccess:
    # Staff act as platform superadmins; the actor recorded in the audit log is the staff user.
    return CommunityAccess(community_id=community_id, user_id=request.user.pk, is_superadmin=True)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "community", "channel_type", "position", "is_members_only"]
    list_filter = ["channel_type", "is_members_only"]
    list_select_related = ["community"]
    search_fields = ["name", "slug", "community__name", "community__slug"]
    raw_id_fields = ["community"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "author", "status", "is_pinned", "like_count", "comment_count",
                    "view_count", "published_at", "deleted_at"]
    list_filter = ["status", "is_pinned", "comments_locked", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["community", "author"]
    search_fields = ["title", "=id", "author__username", "community__slug"]
    raw_id_fields = ["community", "channel", "author"]
    readonly_fields = ["like_count", "view_count", "comment_count", "published_at", "created_at", "updated_at",
                       "deleted_at"]
    exclude = ["search_vector"]
    actions = ["remove_posts"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return super().get_queryset(request).defer("search_vector")

    @admin.action(description="Remove selected posts (soft delete, audited)")
    def remove_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        removed = 0
        for post in queryset.filter(deleted_at__isnull=True):
            post_delete(post=post, actor=request.user, access=_staff_access(request, post.community_id),
                        reason="Removed by staff in the admin")
            removed += 1
        self.message_user(request, f"Removed {removed} posts.", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "post", "author", "depth", "is_deleted", "like_count", "created_at"]
    list_filter = ["is_deleted", "is_edited"]
    list_select_related = ["post", "author"]
    search_fields = ["=id", "=post__id", "author__username", "content"]
    raw_id_fields = ["post", "community", "author", "parent", "thread"]
    show_full_result_count = False


class ReportEntryInline(admin.TabularInline):
    model = ReportEntry
    extra = 0
    readonly_fields = ["reporter", "category", "text", "created_at"]
    can_delete = False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """The moderation queue across communities, most reported first."""

    list_display = ["target_type", "target_id", "community", "status", "reporter_count", "last_reported_at",
                    "resolved_by"]
    list_filter = ["status", "target_type"]
    list_select_related = ["community", "resolved_by"]
    search_fields = ["=target_id", "community__slug"]
    ordering = ["-reporter_count", "-last_reported_at"]
    readonly_fields = ["community", "target_type", "target_id", "status", "reporter_count", "last_reported_at",
                       "resolved_by", "resolution_note", "resolved_at", "created_at"]
    inlines = [ReportEntryInline]
    actions = ["resolve_reports", "dismiss_reports"]

    def _close(self, request: HttpRequest, queryset: QuerySet[Report], *, resolve: bool) -> None:
        closed = 0
        for report in queryset:
            try:
                report_close(report=report, moderator=request.user, resolve=resolve, note="Closed by staff")
                closed += 1
            except DomainError as exc:
                self.message_user(request, f"{report}: {exc.detail}", messages.WARNING)
        self.message_user(request, f"Closed {closed} reports.", messages.SUCCESS)

    @admin.action(description="Resolve selected reports (audited)")
    def resolve_reports(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._close(request, queryset, resolve=True)

    @admin.action(description="Dismiss selected reports (audited)")
    def dismiss_reports(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._close(request, queryset, resolve=False)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["id", "community", "uploader", "content_type", "size", "post", "created_at"]
    list_filter = ["content_type"]
    list_select_related = ["community", "uploader", "post"]
    search_fields = ["=id", "original_name", "uploader__username"]
    raw_id_fields = ["community", "uploader", "post"]
    readonly_fields = ["file", "content_type", "size", "original_name", "created_at"]
