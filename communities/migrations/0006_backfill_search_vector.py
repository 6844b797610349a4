"""Recompute every community's search_vector in its language, a batch at a time.

Non-atomic: each batch is its own short transaction (row locks on that batch only), so
writers keep going while a big table is backfilled. Touching `language` fires the trigger,
the one place the vector is defined.

Existing communities get SEARCH_DEFAULT_LANGUAGE (0005), except those whose name or
description is written in Cyrillic: the seed's audience writes Russian, and indexing that
text in English was the bug this fixes. Owners can change it afterwards (community.update).
"""

from django.db import migrations

from community_service.search.backfill import backfill_in_batches


def backfill(apps, schema_editor) -> None:
    backfill_in_batches(
        schema_editor.connection, table="communities_community", touch="language",
        assignment="language = CASE WHEN (name || ' ' || description) ~ '[А-Яа-яЁё]' THEN 'ru' ELSE language END",
    )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("communities", "0005_community_language_search")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
