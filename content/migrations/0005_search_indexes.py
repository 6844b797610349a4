"""Search indexes, built CONCURRENTLY so posts and comments stay writable meanwhile."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("content", "0004_backfill_search_vectors")]

    operations = [
        AddIndexConcurrently(
            model_name="post",
            index=GinIndex(fields=["community", "search_vector"], name="idx_posts_community_search"),
        ),
        RemoveIndexConcurrently(model_name="post", name="idx_posts_search"),
        AddIndexConcurrently(
            model_name="post",
            index=GinIndex(fields=["community", "title"], name="idx_posts_title_trgm",
                           opclasses=["uuid_ops", "gin_trgm_ops"]),
        ),
        AddIndexConcurrently(
            model_name="post",
            index=models.Index(condition=models.Q(("deleted_at__isnull", True), ("status", "published")),
                               fields=["-published_at", "-id"], name="idx_posts_published"),
        ),
        AddIndexConcurrently(
            model_name="comment",
            index=GinIndex(fields=["community", "search_vector"], name="idx_comments_community_search"),
        ),
    ]
