"""A post's media in order from one index: feeds read each post's attachment names in its
row (an array subquery ordered by created_at), which the post_id index alone answered with a
sort per post. The new index (built without blocking writes) covers post_id lookups too, so
the foreign key's own index is dropped after it."""

import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("content", "0009_posts_pinned_feed_index")]

    operations = [
        AddIndexConcurrently(
            model_name="attachment",
            index=models.Index(fields=["post", "created_at"], name="idx_attachments_post"),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="post",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name="attachments",
                                    to="content.post"),
        ),
    ]
