"""Post view counting without a database write per request.

A view counts once per viewer per POST_VIEW_DEDUPE_SECONDS (`cache.add` on a key: only the
first add in the window succeeds). Counted views wait in Redis: INCR of a per-post counter
and SADD of the post id into a dirty set, in one MULTI. `post_views_flush` (a Celery beat
task every few seconds) takes a batch of dirty ids and their counters atomically in a Lua
script and applies them in one `UPDATE ... FROM unnest(...)`.

Without django-redis (the local-memory cache of `make run`) there is nothing to buffer in,
so a counted view is a direct F() update. When Redis is unreachable, views are counted
the same direct way, without dedupe: an outage must not lose them nor fail the request.
"""

import hashlib
import logging
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from redis import Redis

from community_service.db.transactions import atomic_with_retry, lock_rows
from content.models import Post

logger = logging.getLogger(__name__)

FLUSH_BATCH_SIZE = 1000

# Pops up to ARGV[2] dirty post ids and, for each, reads and deletes its counter; returns
# [id, n, id, n, ...]. Atomic, so a view counted meanwhile lands in the next flush.
_TAKE_SCRIPT = """
local ids = redis.call('SPOP', KEYS[1], ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  local key = ARGV[1] .. id
  local n = redis.call('GET', key)
  if n then
    redis.call('DEL', key)
    table.insert(out, id)
    table.insert(out, n)
  end
end
return out
"""


def post_view_dedupe_seconds() -> int:
    return getattr(settings, "POST_VIEW_DEDUPE_SECONDS", 3600)


def _redis_client() -> Redis | None:
    if not settings.CACHES["default"]["BACKEND"].startswith("django_redis."):
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _dirty_key() -> str:
    return cache.make_key("post_views:dirty")


def _counter_prefix() -> str:
    return cache.make_key("post_views:n:")


def _count_directly(post_id: UUID, n: int = 1) -> None:
    Post.objects.filter(pk=post_id).update(view_count=F("view_count") + n)


def post_view_register(*, post_id: UUID, viewer_key: str) -> None:
    """Count one view of a post by a viewer (a user id, or e.g. a hash of an anonymous
    client's address), at most once per dedupe window. Never raises for a cache outage.
    """
    viewer = hashlib.sha256(viewer_key.encode()).hexdigest()[:32]
    first = cache.add(f"post_views:seen:{post_id}:{viewer}", 1, post_view_dedupe_seconds())
    if first is False:
        return  # seen in this window
    client = _redis_client()
    if client is None or first is None:  # no Redis buffer here, or Redis is down (add gave None)
        _count_directly(post_id)
        return
    try:
        pipe = client.pipeline(transaction=True)
        pipe.incr(f"{_counter_prefix()}{post_id}")
        pipe.sadd(_dirty_key(), str(post_id))
        pipe.execute()
    except Exception:  # boundary: Redis failed between the add and here; count in PostgreSQL
        logger.warning("post view buffer unavailable; counting directly", extra={"post_id": str(post_id)},
                       exc_info=True)
        _count_directly(post_id)


@atomic_with_retry
def _apply(counts: dict[str, int]) -> None:
    ids = sorted(counts)
    # Lock in pk order first (docs/architecture.md, "Lock order"): the joined UPDATE alone
    # would lock the posts in whatever order its plan visits them.
    lock_rows(Post.objects.filter(pk__in=ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Post._meta.db_table} AS p SET view_count = p.view_count + v.n "
            "FROM unnest(%s::uuid[], %s::bigint[]) AS v(id, n) WHERE p.id = v.id",
            [ids, [counts[i] for i in ids]],
        )


def post_views_flush(*, max_batches: int = 100) -> int:
    """Move buffered views into Post.view_count; return how many views were applied.

    If the database write fails, the taken counts are put back for the next flush.
    Raises nothing for a Redis outage (returns 0; the views stay buffered).
    """
    client = _redis_client()
    if client is None:
        return 0
    applied = 0
    take = client.register_script(_TAKE_SCRIPT)
    for _ in range(max_batches):
        try:
            flat = take(keys=[_dirty_key()], args=[_counter_prefix(), FLUSH_BATCH_SIZE])
        except Exception:  # boundary: Redis down; the views wait in Redis (or were counted directly)
            logger.warning("post view buffer unavailable; flush skipped", exc_info=True)
            return applied
        if not flat:
            return applied
        counts = {
            (k.decode() if isinstance(k, bytes) else k): int(n) for k, n in zip(flat[::2], flat[1::2], strict=False)
        }
        try:
            _apply(counts)
        except Exception:
            _put_back(client, counts)
            raise
        applied += sum(counts.values())
    return applied


def _put_back(client: Redis, counts: dict[str, int]) -> None:
    pipe = client.pipeline(transaction=True)
    for post_id, n in counts.items():
        pipe.incrby(f"{_counter_prefix()}{post_id}", n)
        pipe.sadd(_dirty_key(), post_id)
    pipe.execute()
