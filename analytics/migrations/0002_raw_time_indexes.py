"""Indexes on the raw tables' time columns, so a rollup of a few days reads only those days.

They serve analytics' range scans only, so they are created here; CONCURRENTLY keeps big
tables writable while they build (hence a non-atomic migration).
"""

from django.db import migrations

INDEXES = [
    ("idx_an_posts_created", "content_post", "created_at"),
    ("idx_an_comments_created", "content_comment", "created_at"),
    ("idx_an_reactions_created", "content_reaction", "created_at"),
    ("idx_an_members_joined", "members_member", "joined_at"),
    ("idx_an_members_left", "members_member", "left_at"),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("analytics", "0001_daily_rollups"),
        ("content", "0001_initial"),
        ("members", "0003_backfill_owner_memberships"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({column})",
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        )
        for name, table, column in INDEXES
    ]
