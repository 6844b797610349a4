"""Channels, posts, threaded comments, reactions, attachments, reports and the audit log."""

# Why this is long: the content app's tables (channels, posts, comments, reactions, attachments, reports) and
# their constraints, read together by migrations and the admin.

import uuid
from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator

# How much of a member's words names their post or comment in a title, a list or a message.
EXCERPT_CHARS = 40


def excerpt(text: str, chars: int = EXCERPT_CHARS) -> str:
    """A line of a member's words: whitespace folded, cut at `chars` with an ellipsis."""
    return Truncator(" ".join(text.split())).chars(chars)


def author_name(user: object | None) -> str:
    """Who wrote it, by their public handle (an account closed since is named as such)."""
    return str(user) if user is not None else "[deleted account]"


class ChannelType(models.TextChoices):
    TEXT = "text", "Text"
    # Only holders of post.moderate may post here.
    ANNOUNCEMENT = "announcement", "Announcement"
    MEDIA = "media", "Media"


class Channel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by uq_channel_community_slug, which it leads.
    community = models.ForeignKey(
        "communities.Community", db_index=False, on_delete=models.CASCADE, related_name="channels"
    )
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    topic = models.CharField(max_length=1024, blank=True, default="")
    channel_type = models.CharField(max_length=20, choices=ChannelType.choices, default=ChannelType.TEXT)
    position = models.PositiveIntegerField(default=0)
    # Readable only by active members (a members-only room in a public community).
    is_members_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="uq_channel_community_slug"),
            models.CheckConstraint(condition=Q(channel_type__in=ChannelType.values), name="ck_channel_type"),
        ]
        indexes = [models.Index(fields=["community", "position"], name="idx_channels_community_pos")]

    def __str__(self) -> str:
        return f"#{self.slug}"


class ChannelOverwrite(models.Model):
    """Per-channel allow/deny of post.create / comment.create for one role or one member.

    Resolution (Discord's): role-level allows beat role-level denies; a member-level
    overwrite beats both.
    """

    CODES = ("post.create", "comment.create")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by uq_overwrite_channel_role, which it leads.
    channel = models.ForeignKey(Channel, db_index=False, on_delete=models.CASCADE, related_name="overwrites")
    role = models.ForeignKey("members.Role", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    allow = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    deny = ArrayField(models.CharField(max_length=64), default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__isnull=False) & Q(member__isnull=True))
                | (Q(role__isnull=True) & Q(member__isnull=False)),
                name="ck_overwrite_one_target",
            ),
            models.UniqueConstraint(fields=["channel", "role"], name="uq_overwrite_channel_role"),
            models.UniqueConstraint(fields=["channel", "member"], name="uq_overwrite_channel_member"),
        ]


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_REVIEW = "pending_review", "Pending review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    ARCHIVED = "archived", "Archived"


class Post(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by idx_posts_community_status, which it leads.
    community = models.ForeignKey(
        "communities.Community", db_index=False, on_delete=models.CASCADE, related_name="posts"
    )
    # Deleting a channel keeps its posts in the community (never lose content).
    # Indexed by idx_posts_channel, which it leads.
    channel = models.ForeignKey(
        Channel, db_index=False, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    # Indexed by idx_posts_author, which it leads.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_index=False, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    title = models.CharField(max_length=300)
    content = models.TextField(max_length=40000)
    status = models.CharField(max_length=20, choices=PostStatus.choices, default=PostStatus.PUBLISHED)
    rejection_reason = models.CharField(max_length=500, blank=True, default="")
    is_pinned = models.BooleanField(default=False)
    pinned_at = models.DateTimeField(null=True, blank=True)
    comments_locked = models.BooleanField(default=False)
    # Gated (Patreon-style): only holders of one of these subscription levels read the body,
    # media and comments; others see the title and `locked`. Plain UUIDs: content does not
    # know billing; community_service.contracts.entitlements says who holds which level. Empty: open.
    required_level_ids = ArrayField(models.UUIDField(), default=list, db_default=[], blank=True)
    # Denormalised counters, changed only with F() updates.
    like_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveBigIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Kept by a PostgreSQL trigger (migration 0003) in the community's language: title
    # (weight A) in that configuration and as written (search_simple), content (B).
    search_vector = SearchVectorField(null=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(status__in=PostStatus.values), name="ck_post_status")]
        indexes = [
            # Keyset feed: WHERE community AND status='published' ORDER BY published_at DESC, id DESC.
            models.Index(
                fields=["community", "-published_at", "-id"],
                condition=Q(status="published", deleted_at__isnull=True),
                name="idx_posts_feed",
            ),
            models.Index(
                fields=["community", "-like_count", "-id"],
                condition=Q(status="published", deleted_at__isnull=True),
                name="idx_posts_top",
            ),
            # The default page order (pinned first, then newest): page 1 of a community with
            # 500,000 posts read them all and sorted them (2 s) without it.
            models.Index(
                fields=["community", "-is_pinned", "-pinned_at", "-published_at", "-id"],
                condition=Q(status="published", deleted_at__isnull=True),
                name="idx_posts_pinned_feed",
            ),
            models.Index(fields=["channel", "-published_at"], name="idx_posts_channel"),
            models.Index(fields=["community", "status"], name="idx_posts_community_status"),
            models.Index(fields=["community", "is_pinned"], name="idx_posts_community_pinned"),
            models.Index(fields=["author", "-created_at"], name="idx_posts_author"),
            # Search: btree_gin puts the community in the same index, so a community's
            # matches come from one index scan; a global search uses the vector alone.
            GinIndex(fields=["community", "search_vector"], name="idx_posts_community_search"),
            # Global search takes its candidates newest first across communities.
            models.Index(fields=["-published_at", "-id"], condition=Q(status="published", deleted_at__isnull=True),
                         name="idx_posts_published"),
        ]

    def __str__(self) -> str:
        # Reads the author, community and channel: list pages select them with the post.
        where = self.community.name + (f" › #{self.channel.slug}" if self.channel is not None else "")
        return f"post '{excerpt(self.title)}' by {author_name(self.author)} in {where}"


class Comment(models.Model):
    """A comment; `parent` makes threads. `thread` is the root comment of the thread.

    Knowing the root lets a page of threads be read in two queries whatever its depth.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    # Indexed by idx_comments_author, which it leads.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_index=False, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    # Indexed by idx_comments_thread, which it leads.
    thread = models.ForeignKey(
        "self", db_index=False, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    content = models.TextField(max_length=10000)
    is_edited = models.BooleanField(default=False)
    # A deleted comment with replies stays as a "[deleted]" placeholder so the thread survives.
    is_deleted = models.BooleanField(default=False)
    like_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    # Kept by a PostgreSQL trigger (content migration 0003) in the community's language.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    # Not a column: comment_tree_attach gives each comment of a page its shown replies.
    tree_replies: list["Comment"]

    class Meta:
        indexes = [
            GinIndex(fields=["community", "search_vector"], name="idx_comments_community_search"),
            models.Index(fields=["post", "created_at", "id"], condition=Q(parent__isnull=True),
                         name="idx_comments_post_roots"),
            models.Index(fields=["thread", "created_at"], name="idx_comments_thread"),
            models.Index(fields=["author", "-created_at"], name="idx_comments_author"),
        ]

    def __str__(self) -> str:
        return (f"comment '{excerpt(self.content)}' by {author_name(self.author)} on "
                f"'{excerpt(self.post.title, 30)}' in {self.community.name}")


class Reaction(models.Model):
    """A like on a post or a comment; one per user and target."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="reactions")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reactions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(comment__isnull=True))
                | (Q(post__isnull=True) & Q(comment__isnull=False)),
                name="ck_reaction_one_target",
            ),
            models.UniqueConstraint(fields=["user", "post"], condition=Q(post__isnull=False),
                                    name="uq_reaction_user_post"),
            models.UniqueConstraint(fields=["user", "comment"], condition=Q(comment__isnull=False),
                                    name="uq_reaction_user_comment"),
        ]


class Attachment(models.Model):
    """An uploaded file, stored through django-storages under an unguessable key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+")
    # Indexed with created_at (idx_attachments_post): a post's media in order, without a sort.
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments",
                             db_index=False)
    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    original_name = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["post", "created_at"], name="idx_attachments_post")]

    def __str__(self) -> str:
        return f"{self.original_name or 'unnamed file'} ({self.content_type})"


class ReportTarget(models.TextChoices):
    POST = "post", "Post"
    COMMENT = "comment", "Comment"
    MEMBER = "member", "Member"


class ReportCategory(models.TextChoices):
    SPAM = "spam", "Spam"
    HARASSMENT = "harassment", "Harassment"
    HATE = "hate", "Hate speech"
    NSFW = "nsfw", "Sexual or graphic content"
    MISINFORMATION = "misinformation", "Misinformation"
    OTHER = "other", "Other"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


class Report(models.Model):
    """One moderation-queue item per reported target while open; reports join it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by idx_reports_queue, which it leads.
    community = models.ForeignKey("communities.Community", db_index=False, on_delete=models.CASCADE, related_name="+")
    target_type = models.CharField(max_length=20, choices=ReportTarget.choices)
    target_id = models.UUIDField()
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    reporter_count = models.PositiveIntegerField(default=0)
    last_reported_at = models.DateTimeField()
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    resolution_note = models.CharField(max_length=1000, blank=True, default="")
    resolved_at = models.DateTimeField(null=True, blank=True)
    # A moderator's claim on an open item (content.services.reports.report_claim): until
    # `claimed_until`, only they (or a superadmin) decide it. An expired claim is no claim.
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id"], condition=Q(status="open"), name="uq_report_open_target"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "-reporter_count", "-last_reported_at"],
                         name="idx_reports_queue"),
        ]

    # "Spam — post 'Buy cheap…' by bob in Python Developers": the reason and the target live in
    # other tables, so the words come from content.selectors.reports.report_labels (lists name a
    # page of reports at once with it). The selectors import this module: ContentConfig.ready()
    # hands the function over, so no import runs back from the model to its readers.
    labels_of: ClassVar[Callable[[list["Report"]], dict[uuid.UUID, str]] | None] = None

    def __str__(self) -> str:
        if Report.labels_of is None:  # before the app registry is ready
            return f"{self.get_target_type_display()} report"
        return Report.labels_of([self])[self.pk]


class ReportEntry(models.Model):
    """One user's report of a target; a user reports an open item once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by uq_report_entry_reporter, which it leads.
    report = models.ForeignKey(Report, db_index=False, on_delete=models.CASCADE, related_name="entries")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=ReportCategory.choices)
    text = models.CharField(max_length=2000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "report entries"
        constraints = [models.UniqueConstraint(fields=["report", "reporter"], name="uq_report_entry_reporter")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} from {self.reporter}"
