"""Foreign keys whose column leads a longer index of their table lose their own index
(community_service/db/migration_ops.py says why)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from community_service.db.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("billing", "0001_initial"),
        ("communities", "0013_foreign_key_indexes_covered"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="donation",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="communities.community",
                ),
            ),
            table="billing_donation",
            index="billing_donation_community_id_877f6e88",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="payment",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="communities.community",
                ),
            ),
            table="billing_payment",
            index="billing_payment_community_id_83f84196",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="subscription",
                name="user",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="billing_subscription",
            index="billing_subscription_user_id_ce52140c",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="subscriptionlevel",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="communities.community",
                ),
            ),
            table="billing_subscriptionlevel",
            index="billing_subscriptionlevel_community_id_f73a4c32",
        ),
    ]
