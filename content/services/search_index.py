"""Re-indexing a community's posts and comments after its language changed.

The vectors are computed by triggers (content migration 0003) from the community's
language; touching a row's text column fires them. A big community is re-indexed in
batches, each its own short transaction, so writers are never held up for long. Until it
finishes, queries still match the old vectors through `search_simple` and the new stems.
"""

from uuid import UUID

from django.db import connection

REINDEX_BATCH_SIZE = 2000


def community_content_reindex(*, community_id: UUID, batch_size: int = REINDEX_BATCH_SIZE) -> int:
    """Recompute the search vectors of every post and comment of a community. Returns rows touched."""
    touched = 0
    for table, column in (("content_post", "title"), ("content_comment", "content")):
        last = None
        while True:
            with connection.cursor() as cursor:
                # One statement per batch: in autocommit it is its own transaction.
                cursor.execute(
                    f"WITH batch AS (SELECT id FROM {table} WHERE community_id = %s AND (%s::uuid IS NULL OR id > %s) "
                    f"ORDER BY id LIMIT %s) "
                    f"UPDATE {table} t SET {column} = t.{column} FROM batch WHERE t.id = batch.id RETURNING t.id",
                    [community_id, last, last, batch_size],
                )
                ids = sorted(row[0] for row in cursor.fetchall())
            if not ids:
                break
            touched += len(ids)
            last = ids[-1]
    return touched
