"""Foreign keys whose column leads a longer index of their table lose their own index
(community_service/db/migration_ops.py says why)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from community_service.db.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("events", "0001_events_and_registrations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="event",
                name="organizer",
                field=models.ForeignKey(
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    related_name="organized_events",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="events_event",
            index="events_event_organizer_id_3afa7809",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="registration",
                name="event",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="registrations",
                    to="events.event",
                ),
            ),
            table="events_registration",
            index="events_registration_event_id_75b6f198",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="registration",
                name="user",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="events_registration",
            index="events_registration_user_id_2a61b516",
        ),
    ]
