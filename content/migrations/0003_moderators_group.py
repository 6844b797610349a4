"""The "Moderators" group: the Django permissions a scoped moderator needs in the console.

Membership in the group opens the console pages; what a moderator then sees and may do is
scoped by their community roles (members.console), so the group itself grants nothing
across communities. Staff users are added to it by a superuser.
"""

from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = {
    "communities": ["view_community", "view_auditlogentry", "view_invite"],
    "members": ["view_user", "view_member", "change_member", "view_role"],
    "content": ["view_channel", "view_post", "change_post", "view_comment", "change_comment", "view_report",
                "change_report", "view_reportentry", "view_attachment"],
}


def _ensure_permissions(apps, schema_editor) -> None:
    # Django creates permissions after all migrations (post_migrate); a fresh database needs them now.
    from django.contrib.auth.management import create_permissions

    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        unset = getattr(app_config, "models_module", None) is None  # historical app configs have none
        if unset:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        if unset:
            app_config.models_module = None  # restore: the stub reads as model-less again


def create_group(apps, schema_editor) -> None:
    _ensure_permissions(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP)
    for app_label, codenames in PERMISSIONS.items():
        perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions not found for {app_label}: {sorted(missing)}")
        group.permissions.add(*perms)


def delete_group(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("communities", "0005_audit_restore_actions"),
        ("members", "0003_backfill_owner_memberships"),
        ("content", "0002_post_required_level_ids"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
