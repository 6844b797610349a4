"""Foreign keys whose column leads a longer index of their table lose their own index
(community_service/db/migration_ops.py says why), and idx_donation_day_community goes: it is
the prefix of uq_donation_day."""

import django.db.models.deletion
from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations, models

from community_service.db.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("analytics", "0004_community_windows"),
        ("communities", "0013_foreign_key_indexes_covered"),
        ("content", "0011_foreign_key_indexes_covered"),
    ]

    operations = [
        RemoveIndexConcurrently(
            model_name="donationday",
            name="idx_donation_day_community",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="communityday",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="communities.community",
                ),
            ),
            table="analytics_communityday",
            index="analytics_communityday_community_id_26e7a6db",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="donationday",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="communities.community",
                ),
            ),
            table="analytics_donationday",
            index="analytics_donationday_community_id_da880e61",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="memberday",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="communities.community",
                ),
            ),
            table="analytics_memberday",
            index="analytics_memberday_community_id_b97dc4cf",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="postday",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="communities.community",
                ),
            ),
            table="analytics_postday",
            index="analytics_postday_community_id_48bdb958",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="postday",
                name="post",
                field=models.ForeignKey(
                    db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="content.post"
                ),
            ),
            table="analytics_postday",
            index="analytics_postday_post_id_7a7992f2",
        ),
    ]
