"""Migration operations the apps share.

Django gives every ForeignKey an index of its own. Where the column already leads a composite
index or unique constraint of the same table, that longer index serves the same lookups
(joins, ON DELETE, filters) and the single-column copy only costs every write and its share
of memory: the field says db_index=False, names the covering index beside it, and a
migration drops the old index with foreign_key_index_dropped. tests/platform/test_indexes.py
refuses an index that is the prefix of another."""

from django.db import migrations


def foreign_key_index_dropped(
    alter: migrations.AlterField, *, table: str, index: str
) -> migrations.SeparateDatabaseAndState:
    """`alter` (a ForeignKey becoming db_index=False) for the model state, and for the database
    only the foreign key's own index, dropped by `index`, its name, without blocking writes
    (the migration is atomic = False). Run as a plain AlterField, the schema editor would drop
    every plain btree index on the column alone, a partial unique one too (members 0004)."""
    column = f"{alter.name}_id"
    return migrations.SeparateDatabaseAndState(
        state_operations=[alter],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX CONCURRENTLY IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
            )
        ],
    )
