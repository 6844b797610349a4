"""Existing communities' default Admin role gets webhook.manage, as new communities' does
(members.catalogue: Admin holds every code but community.delete)."""

from django.db import migrations

CODE = "webhook.manage"
# What the Admin role held before the code existed: a role holding all of these is the
# default Admin (or made equal to it), so it gets the new code too.
ADMIN_BEFORE = [
    "community.update", "member.manage", "member.kick", "role.manage", "post.create", "post.update",
    "post.delete", "post.moderate", "channel.manage", "event.manage", "analytics.view", "member.ban",
    "member.mute", "comment.create", "comment.moderate", "event.create", "billing.manage", "donation.view",
    "report.review", "audit.view",
]


def grant(apps, schema_editor):
    Role = apps.get_model("members", "Role")
    for role in Role.objects.filter(permissions__contains=ADMIN_BEFORE).exclude(permissions__contains=[CODE]):
        role.permissions = sorted({*role.permissions, CODE})
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("members", "0009_bot_accounts")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
