"""Foreign keys whose column leads a longer index of their table lose their own index
(community_service/db/migration_ops.py says why)."""

import django.db.models.deletion
from django.db import migrations, models

from community_service.db.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("communities", "0012_drop_name_trigram_index"),
    ]

    operations = [
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="auditlogentry",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="audit_log",
                    to="communities.community",
                ),
            ),
            table="communities_auditlogentry",
            index="communities_auditlogentry_community_id_bbab008e",
        ),
    ]
