import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models

from community_service.search.query import LANGUAGE_CHOICES

# The seed's slug rule: lowercase letters, digits and hyphens, 2-255 chars, no edge hyphen.
SLUG_REGEX = r"^[a-z0-9][a-z0-9\-]{0,253}[a-z0-9]$"
slug_validator = RegexValidator(
    SLUG_REGEX, "Use 2-255 lowercase letters, digits or hyphens, starting and ending with a letter or digit."
)


class CommunityType(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"
    RESTRICTED = "restricted", "Restricted"


class CommunityStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"
    # Set by platform staff in the admin; owners cannot lift it.
    SUSPENDED = "suspended", "Suspended"


def default_language() -> str:
    """New communities speak SEARCH_DEFAULT_LANGUAGE unless their creator says otherwise."""
    return settings.SEARCH_DEFAULT_LANGUAGE


class CommunityQuerySet(models.QuerySet):
    def alive(self) -> "CommunityQuerySet":
        return self.filter(deleted_at__isnull=True)


CREATE_COMMUNITIES = "create_communities"


class Community(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    slug = models.CharField(max_length=255, unique=True, validators=[slug_validator])
    description = models.TextField(blank=True, default="")
    community_type = models.CharField(max_length=20, choices=CommunityType.choices, default=CommunityType.PUBLIC)
    status = models.CharField(max_length=20, choices=CommunityStatus.choices, default=CommunityStatus.ACTIVE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_communities")
    # Pre-moderation: new posts wait in pending_review until a post.moderate holder approves.
    post_moderation = models.BooleanField(default=False)
    # Denormalised counters, changed only with F() updates by the services that own them.
    member_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    # ISO 639-1 code: which text-search configuration indexes this community, its posts and comments.
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default=default_language)
    # Kept by a PostgreSQL trigger (migration 0005), so no write path can forget it: name
    # (weight A) in the language's configuration and as written (search_simple), description (B).
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Soft delete: the row stays for history and analytics; the API answers 404.
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "communities"
        # The console switch behind COMMUNITY_CREATE_POLICY=granted: given to a user or a group
        # on their page in /admin/ (community_create_allowed).
        permissions = [(CREATE_COMMUNITIES, "May create communities (COMMUNITY_CREATE_POLICY=granted)")]
        indexes = [
            GinIndex(fields=["search_vector"], name="idx_communities_search"),
            models.Index(fields=["status"], name="idx_communities_status"),
            models.Index(fields=["community_type", "status"], name="idx_communities_type_status"),
            # The list order and its ?cursor= keyset: newest first, the id breaking ties. Live rows
            # only, with the type the visibility filter reads: a deep page finds its ids by an
            # index-only scan (CappedCountPagination), then reads just those rows.
            models.Index(fields=["-created_at", "-id"], name="idx_communities_created_id",
                         include=["community_type"], condition=models.Q(deleted_at__isnull=True)),
            models.Index(fields=["-member_count"], name="idx_communities_members"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(community_type__in=CommunityType.values), name="ck_community_type"
            ),
            models.CheckConstraint(condition=models.Q(status__in=CommunityStatus.values), name="ck_community_status"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Invite(models.Model):
    """An invite link to a community: `POST /api/v1/invites/{code}/accept`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invites")
    # Unguessable: 128 bits from secrets.token_urlsafe.
    code = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(uses__lte=models.F("max_uses")),
                name="ck_invite_uses_within_max",
            )
        ]

    def __str__(self) -> str:
        return self.code


class AuditAction(models.TextChoices):
    POST_APPROVED = "post.approved", "Post approved"
    POST_REJECTED = "post.rejected", "Post rejected"
    POST_REMOVED = "post.removed", "Post removed"
    POST_RESTORED = "post.restored", "Post restored"
    POST_PINNED = "post.pinned", "Post pinned"
    POST_UNPINNED = "post.unpinned", "Post unpinned"
    POST_LOCKED = "post.locked", "Comments locked"
    POST_UNLOCKED = "post.unlocked", "Comments unlocked"
    COMMENT_REMOVED = "comment.removed", "Comment removed"
    COMMENT_RESTORED = "comment.restored", "Comment restored"
    REPORT_RESOLVED = "report.resolved", "Report resolved"
    REPORT_DISMISSED = "report.dismissed", "Report dismissed"
    MEMBER_KICKED = "member.kicked", "Member kicked"
    MEMBER_BANNED = "member.banned", "Member banned"
    MEMBER_UNBANNED = "member.unbanned", "Member unbanned"
    MEMBER_MUTED = "member.muted", "Member muted"
    MEMBER_UNMUTED = "member.unmuted", "Member unmuted"
    MEMBER_ROLES_CHANGED = "member.roles_changed", "Member roles changed"
    JOIN_APPROVED = "member.join_approved", "Join request approved"
    JOIN_REJECTED = "member.join_rejected", "Join request rejected"


class AuditLogEntry(models.Model):
    """Who did what to whom, and why: every moderation action in a community."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by idx_audit_community_created, which it leads.
    community = models.ForeignKey(Community, db_index=False, on_delete=models.CASCADE, related_name="audit_log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target_type = models.CharField(max_length=20)
    target_id = models.UUIDField()
    reason = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "audit log entries"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at", "-id"], name="idx_audit_community_created")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor or 'the system'} in {self.community}"
