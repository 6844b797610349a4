"""An index in the default page order of a community's posts (pinned first, then newest),
built without blocking writes: on a community with 500,000 posts, page 1 read every post
and sorted them (2 s) before it."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("content", "0008_drop_title_trigram_index")]

    operations = [
        AddIndexConcurrently(
            model_name="post",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("status", "published")),
                fields=["community", "-is_pinned", "-pinned_at", "-published_at", "-id"],
                name="idx_posts_pinned_feed",
            ),
        ),
    ]
