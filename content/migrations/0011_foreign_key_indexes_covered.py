"""Foreign keys whose column leads a longer index of their table lose their own index
(community_service/db/migration_ops.py says why)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from community_service.db.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("communities", "0013_foreign_key_indexes_covered"),
        ("content", "0010_attachments_post_created_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="channel",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="channels",
                    to="communities.community",
                ),
            ),
            table="content_channel",
            index="content_channel_community_id_1c72e599",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="channeloverwrite",
                name="channel",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="overwrites",
                    to="content.channel",
                ),
            ),
            table="content_channeloverwrite",
            index="content_channeloverwrite_channel_id_5bff7cc2",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="comment",
                name="author",
                field=models.ForeignKey(
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="content_comment",
            index="content_comment_author_id_4413598e",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="comment",
                name="thread",
                field=models.ForeignKey(
                    blank=True,
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="content.comment",
                ),
            ),
            table="content_comment",
            index="content_comment_thread_id_199ec968",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="post",
                name="author",
                field=models.ForeignKey(
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    related_name="posts",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            table="content_post",
            index="content_post_author_id_a90965c2",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="post",
                name="channel",
                field=models.ForeignKey(
                    blank=True,
                    db_index=False,
                    null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    related_name="posts",
                    to="content.channel",
                ),
            ),
            table="content_post",
            index="content_post_channel_id_b57e43ae",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="post",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="posts",
                    to="communities.community",
                ),
            ),
            table="content_post",
            index="content_post_community_id_51afcb60",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="report",
                name="community",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="+",
                    to="communities.community",
                ),
            ),
            table="content_report",
            index="content_report_community_id_f3ac7597",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="reportentry",
                name="report",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="entries",
                    to="content.report",
                ),
            ),
            table="content_reportentry",
            index="content_reportentry_report_id_21a055d1",
        ),
    ]
