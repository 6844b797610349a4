"""Migration operations the apps share."""

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
