"""Batched backfills for migrations: recompute trigger-kept columns without long locks."""

import time
from typing import Any

BATCH_SIZE = 2000


def backfill_in_batches(connection: Any, *, table: str, touch: str, batch_size: int = BATCH_SIZE,
                        assignment: str | None = None) -> int:
    """`UPDATE table SET touch = touch` (or SET `assignment`) over every row, firing its
    trigger, `batch_size` rows per statement, walking the primary key. Returns the number
    of rows touched.

    Run from a non-atomic migration: in autocommit each batch is its own transaction, so a
    row is locked only for its batch and a concurrent writer waits milliseconds, not minutes.
    """
    done, last = 0, None
    started = time.monotonic()
    with connection.cursor() as cursor:
        while True:
            if last is None:
                cursor.execute(f"SELECT id FROM {table} ORDER BY id LIMIT %s", [batch_size])
            else:
                cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id LIMIT %s", [last, batch_size])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            cursor.execute(f"UPDATE {table} SET {assignment or f'{touch} = {touch}'} WHERE id = ANY(%s)", [ids])
            done += len(ids)
            last = ids[-1]
            if done % (batch_size * 50) == 0:
                print(f"  {table}: {done} rows in {time.monotonic() - started:.0f}s", flush=True)
    return done
