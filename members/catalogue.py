"""The permission catalogue: every code a community role can hold, and the default roles."""

from collections.abc import Sequence

from django.db import models


class Permission(models.TextChoices):
    # Seed codes
    COMMUNITY_UPDATE = "community.update", "Edit the community's settings"
    COMMUNITY_DELETE = "community.delete", "Delete the community"
    MEMBER_MANAGE = "member.manage", "Approve join requests, manage invites and nicknames"
    MEMBER_KICK = "member.kick", "Remove members"
    ROLE_MANAGE = "role.manage", "Create, edit, delete and assign roles"
    POST_CREATE = "post.create", "Write posts"
    POST_UPDATE = "post.update", "Edit anyone's posts"
    POST_DELETE = "post.delete", "Delete anyone's posts"
    POST_MODERATE = "post.moderate", "Approve, reject, pin and lock posts; post in announcement channels"
    CHANNEL_MANAGE = "channel.manage", "Create, edit, reorder and delete channels"
    EVENT_MANAGE = "event.manage", "Edit and cancel anyone's events"
    ANALYTICS_VIEW = "analytics.view", "See community analytics"
    # Product codes
    MEMBER_BAN = "member.ban", "Ban and unban members"
    MEMBER_MUTE = "member.mute", "Mute and unmute members"
    COMMENT_CREATE = "comment.create", "Write comments"
    COMMENT_MODERATE = "comment.moderate", "Edit and delete anyone's comments"
    EVENT_CREATE = "event.create", "Create events"
    BILLING_MANAGE = "billing.manage", "Manage subscription tiers and payouts"
    DONATION_VIEW = "donation.view", "See donations, including anonymous donors"
    REPORT_REVIEW = "report.review", "Work the moderation queue"
    AUDIT_VIEW = "audit.view", "Read the moderation audit log"
    WEBHOOK_MANAGE = "webhook.manage", "Manage the community's bot accounts and their API keys"


ALL_PERMISSIONS: frozenset[str] = frozenset(Permission.values)

# Given to every community at creation. Priorities leave room for custom roles between.
MEMBER_ROLE_PERMISSIONS = [Permission.POST_CREATE, Permission.COMMENT_CREATE, Permission.EVENT_CREATE]
MODERATOR_ROLE_PERMISSIONS = [
    *MEMBER_ROLE_PERMISSIONS,
    Permission.MEMBER_MANAGE,
    Permission.MEMBER_KICK,
    Permission.MEMBER_BAN,
    Permission.MEMBER_MUTE,
    Permission.POST_UPDATE,
    Permission.POST_DELETE,
    Permission.POST_MODERATE,
    Permission.COMMENT_MODERATE,
    Permission.REPORT_REVIEW,
    Permission.AUDIT_VIEW,
]
# Admins hold everything but deleting the community, which stays with the owner.
ADMIN_ROLE_PERMISSIONS = sorted(ALL_PERMISSIONS - {Permission.COMMUNITY_DELETE})

DEFAULT_ROLES: list[tuple[str, int, str, Sequence[str], bool]] = [
    # (name, priority, color, permissions, is_default)
    ("Admin", 100, "#E74C3C", ADMIN_ROLE_PERMISSIONS, False),
    ("Moderator", 50, "#3498DB", MODERATOR_ROLE_PERMISSIONS, False),
    ("Member", 1, "#95A5A6", MEMBER_ROLE_PERMISSIONS, True),
]


# --- API keys: what a key's scopes let it use of its owner's standing (members.policy) ---------


class KeyScope(models.TextChoices):
    READ = "read", "Read (GET) whatever the owner can read"
    WRITE = "write", "Change things (every non-GET request) as far as the owner's roles allow"
    MODERATE = "moderate", "Use the owner's moderation codes"
    BILLING = "billing", "Use the owner's billing codes"


# Codes a key uses only with the `moderate` or `billing` scope; every other code needs no
# scope of its own (but a change needs `write` whatever it is).
MODERATION_CODES: frozenset[str] = frozenset({
    Permission.MEMBER_MANAGE, Permission.MEMBER_KICK, Permission.MEMBER_BAN, Permission.MEMBER_MUTE,
    Permission.POST_UPDATE, Permission.POST_DELETE, Permission.POST_MODERATE, Permission.COMMENT_MODERATE,
    Permission.REPORT_REVIEW, Permission.AUDIT_VIEW,
})
BILLING_CODES: frozenset[str] = frozenset({Permission.BILLING_MANAGE, Permission.DONATION_VIEW})


def codes_for_scopes(scopes: frozenset[str]) -> frozenset[str]:
    """The permission codes a key with `scopes` may use (of those its owner holds)."""
    codes = ALL_PERMISSIONS
    if KeyScope.MODERATE not in scopes:
        codes -= MODERATION_CODES
    if KeyScope.BILLING not in scopes:
        codes -= BILLING_CODES
    return codes
