"""Communities created before memberships existed get their default roles and owner member.

Forward-only data fix with a no-op reverse: the rows it creates are the ones the app now
creates with every community, so removing them on rollback would lose real data.
"""

from django.db import migrations
from django.utils import timezone

DEFAULT_ROLES = [
    # Copied from members.catalogue at the time of writing: migrations must not import app code.
    ("Admin", 100, "#E74C3C", False, [
        "analytics.view", "audit.view", "billing.manage", "channel.manage", "comment.create", "comment.moderate",
        "community.update", "donation.view", "event.create", "event.manage", "member.ban", "member.kick",
        "member.manage", "member.mute", "post.create", "post.delete", "post.moderate", "post.update",
        "report.review", "role.manage",
    ]),
    ("Moderator", 50, "#3498DB", False, [
        "post.create", "comment.create", "event.create", "member.manage", "member.kick", "member.ban",
        "member.mute", "post.update", "post.delete", "post.moderate", "comment.moderate", "report.review",
        "audit.view",
    ]),
    ("Member", 1, "#95A5A6", True, ["post.create", "comment.create", "event.create"]),
]


def backfill(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    Member = apps.get_model("members", "Member")
    Role = apps.get_model("members", "Role")
    for community in Community.objects.filter(roles__isnull=True).iterator():
        roles = {
            name: Role.objects.create(community=community, name=name, priority=priority, color=color,
                                      is_default=is_default, permissions=permissions)
            for name, priority, color, is_default, permissions in DEFAULT_ROLES
        }
        owner, _ = Member.objects.get_or_create(
            community=community, user_id=community.owner_id,
            defaults={"status": "active", "is_owner": True, "joined_at": timezone.now()},
        )
        owner.roles.add(roles["Admin"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_membership_roles_invites"),
        ("communities", "0004_post_moderation_audit_log"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
