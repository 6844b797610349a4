"""Recompute posts' and comments' search vectors in their community's language, in batches
(non-atomic: each batch is its own short transaction; see search_backfill)."""

from django.db import migrations

from community_service.search.backfill import backfill_in_batches


def backfill(apps, schema_editor) -> None:
    backfill_in_batches(schema_editor.connection, table="content_post", touch="title")
    backfill_in_batches(schema_editor.connection, table="content_comment", touch="content")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("content", "0003_post_comment_search"),
        ("communities", "0006_backfill_search_vector"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
