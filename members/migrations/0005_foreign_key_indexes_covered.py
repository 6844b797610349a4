"""Foreign keys whose column leads a longer index of their table lose their own index
(community_service/db/migration_ops.py says why)."""

import django.db.models.deletion
from django.db import migrations, models

from community_service.db.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("communities", "0013_foreign_key_indexes_covered"),
        ("members", "0004_members_list_order_index"),
    ]

    operations = [
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="role",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="roles",
                    to="communities.community",
                ),
            ),
            table="members_role",
            index="members_role_community_id_34cbec13",
        ),
    ]
