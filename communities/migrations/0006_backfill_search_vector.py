"""Recompute every community's search_vector in its language, a batch at a time.

Non-atomic: each batch is its own short transaction (row locks on that batch only), so
writers keep going while a big table is backfilled. `SET name = name` fires the trigger,
the one place the vector is defined.
"""

from django.db import migrations

from community_service.search_backfill import backfill_in_batches


def backfill(apps, schema_editor) -> None:
    backfill_in_batches(schema_editor.connection, table="communities_community", touch="name")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("communities", "0005_community_language_search")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
