"""A big community's members list read off one index: the list's order within a community
and status (owner first, then by joined_at, id), so a page is the first rows of an index
scan instead of a sort of every member (190,000 members: 168 ms → 0.6 ms for page 1). Its
(community, status) prefix replaces idx_members_community_status. The foreign keys' own
indexes go: community_id leads the unique (community, user) constraint, and user_id had two
identical indexes (its own and idx_members_user). Built and dropped without blocking writes."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models

from community_service.db.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("communities", "0012_drop_name_trigram_index"),
        ("members", "0003_backfill_owner_memberships"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="member",
            index=models.Index(fields=["community", "status", "-is_owner", "joined_at", "id"],
                               name="idx_members_list_order"),
        ),
        RemoveIndexConcurrently(model_name="member", name="idx_members_community_status"),
        # The foreign keys' own indexes, dropped by name (community_service/db/migration_ops.py).
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="member",
                name="community",
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                        related_name="members", to="communities.community"),
            ),
            table="members_member", index="members_member_community_id_d7c7fe43",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="member",
                name="user",
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                        related_name="memberships", to=settings.AUTH_USER_MODEL),
            ),
            table="members_member", index="members_member_user_id_5b73e2f8",
        ),
    ]
