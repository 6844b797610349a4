"""Notifications benchmark: fan-out of one post to 100,000 watchers, and the inbox at 1,000,000 notices.

    .venv/bin/python bench/bench_notifications.py [--watchers N] [--notices N]

Uses this machine's PostgreSQL (database community_service_bench_notifications, migrated here)
and Redis (REDIS_URL; the unread count's cache). Results go to docs/performance.md by hand.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/community_service_bench_notifications")
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "community_service.settings_test"


def setup_django() -> None:
    from community_service.devtools.cli import _ensure_database

    _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", BENCH_DATABASE_URL.rsplit("/", 1)[1])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)


def _watchers(community_id: uuid.UUID, count: int) -> None:
    """`count` users, active members of the community, all watching it (SQL, a few seconds)."""
    from django.db import connection

    with connection.cursor() as cursor:
        # One statement: the users, their memberships and their levels, by RETURNING (no lookups).
        cursor.execute("""
            WITH users AS (
                INSERT INTO members_user (id, password, is_superuser, username, email, is_staff, is_active,
                                          date_joined, first_name, last_name, token_generation)
                SELECT gen_random_uuid(), '!', false, 'w' || i || '_' || %(tag)s, 'w' || i || '_' || %(tag)s
                       || '@b.test', false, true, now(), '', '', 0
                  FROM generate_series(1, %(n)s) i
                RETURNING id),
            members AS (
                INSERT INTO members_member (id, community_id, user_id, status, is_owner, joined_at, nickname,
                                            join_message, ban_reason, created_at, updated_at)
                SELECT gen_random_uuid(), %(c)s, id, 'active', false, now(), '', '', '', now(), now() FROM users
                RETURNING user_id)
            INSERT INTO community_service_notificationlevel (user_id, community_id, channel_id, level, updated_at)
            SELECT user_id, %(c)s, NULL, 'watching', now() FROM members""",
                       {"n": count, "tag": uuid.uuid4().hex[:6], "c": community_id})


class _Rollback(Exception):
    pass


def fanout(watchers: int) -> dict:
    """A post in a community watched by `watchers` members: time the background fan-out."""
    from django.db import transaction

    from communities.models import Community
    from community_service.notifications.consumer import SUBSCRIBER, notifications_handle
    from community_service.notifications.fanout import notice_fanout
    from community_service.notifications.models import Notification
    from community_service.outbox.models import OutboxEvent
    from community_service.outbox.subscribers import subscriber_unregister
    from content.models import Post
    from content.services.posts import _record
    from members.models import User

    owner = User.objects.create_user(email=f"o{uuid.uuid4().hex[:8]}@b.test", username=f"o{uuid.uuid4().hex[:8]}",
                                     password=None)
    community = Community.objects.create(name=f"Bench {uuid.uuid4().hex[:6]}", slug=f"bench-{uuid.uuid4().hex[:8]}",
                                         owner=owner)
    started = time.perf_counter()
    _watchers(community.pk, watchers)
    setup_seconds = time.perf_counter() - started
    # No dispatch on commit here (the test settings run tasks eagerly): the bench calls each part itself.
    subscriber_unregister(SUBSCRIBER)
    with transaction.atomic():
        post = Post.objects.create(community=community, author=owner, title="Big news", content="Hello all")
        _record("post.created", post, title=post.title)
    event = OutboxEvent.objects.filter(event_type="post.created", aggregate_id=str(post.pk)).get()
    # The subscriber's own part (in the dispatch transaction) only enqueues the fan-out; rolled back
    # so that the enqueued task does not run here.
    started = time.perf_counter()
    try:
        with transaction.atomic():
            notifications_handle(event)
            handler_ms = (time.perf_counter() - started) * 1000
            raise _Rollback
    except _Rollback:
        pass
    started = time.perf_counter()
    result = notice_fanout(event_pk=event.pk, index=1, after=None)
    seconds = time.perf_counter() - started
    created = Notification.objects.filter(source_event_id=event.event_id, type="watched_post").count()
    again = time.perf_counter()
    notice_fanout(event_pk=event.pk, index=1, after=None)  # a redelivered task writes nothing
    rerun_seconds = time.perf_counter() - again
    assert created == watchers and result.created == watchers, (created, result.created)
    return {"watchers": watchers, "setup_s": round(setup_seconds, 1), "handler_ms": round(handler_ms, 1),
            "fanout_s": round(seconds, 2), "notices_per_s": round(created / seconds),
            "rerun_s": round(rerun_seconds, 2),
            "created": created}


def _percentiles(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
            "max_ms": round(samples[-1], 2)}


def inbox(total: int, *, requests: int = 200) -> dict:
    """`total` notices over 10,000 people, 5,000 of them for one: time their inbox reads."""
    from django.core.cache import cache
    from django.db import connection

    from community_service.notifications.models import Notification
    from members.models import User
    from tests.conftest import client_for

    reader = User.objects.create_user(email=f"r{uuid.uuid4().hex[:8]}@b.test", username=f"r{uuid.uuid4().hex[:8]}",
                                      password=None)
    have = Notification.objects.count()
    with connection.cursor() as cursor:
        if have < total:
            cursor.execute("""
                INSERT INTO community_service_notification (recipient_id, type, community_id, actor_id, actor_count,
                    object_type, object_id, url, text, data, source_event_id, collapse_key, in_app, mail_status,
                    mail_error, created_at, read_at)
                SELECT ('00000000-0000-4000-8000-' || lpad((i %% 10000)::text, 12, '0'))::uuid,
                       (ARRAY['mention','reply','reaction','watched_post'])[1 + i %% 4], NULL, NULL, 1, 'post',
                       i::text, '/api/v1/posts/x', 'someone did something ' || i, '{}', gen_random_uuid(), '', true,
                       'none', '', now() - (i || ' seconds')::interval,
                       CASE WHEN i %% 3 = 0 THEN now() END
                  FROM generate_series(1, %(n)s) i""", {"n": total - have})
        cursor.execute("""
            INSERT INTO community_service_notification (recipient_id, type, actor_count, object_type, object_id, url,
                text, data, source_event_id, collapse_key, in_app, mail_status, mail_error, created_at, read_at)
            SELECT %(r)s, (ARRAY['mention','reply','reaction','watched_post'])[1 + i %% 4], 1, 'post', i::text, '',
                   'notice ' || i, '{}', gen_random_uuid(), '', true, 'none', '', now(),
                   CASE WHEN i %% 2 = 0 THEN now() END
              FROM generate_series(1, 5000) i""", {"r": reader.pk})
        cursor.execute("ANALYZE community_service_notification")
    api = client_for(reader)
    results: dict = {"total_notices": Notification.objects.count()}
    cases = {"first_page": {}, "unread_only": {"unread": "true"}, "type_mention": {"type": "mention"},
             "page_50": {"page_size": 50}}
    for name, params in cases.items():
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = api.get("/api/v1/notifications", params)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[name] = _percentiles(samples)
    # Deep: follow `next` 50 pages in.
    url, samples = "/api/v1/notifications", []
    for _ in range(50):
        started = time.perf_counter()
        response = api.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        url = response.data["next"]
    results["cursor_pages_1_to_50"] = _percentiles(samples)
    cache.clear()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = api.get("/api/v1/notifications/unread-count")
        samples.append((time.perf_counter() - started) * 1000)
    results["unread_count_warm"] = _percentiles(samples[1:])
    etag = response.headers["ETag"]
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = api.get("/api/v1/notifications/unread-count", HTTP_IF_NONE_MATCH=etag)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 304
    results["unread_count_304"] = _percentiles(samples)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--watchers", type=int, default=100_000)
    parser.add_argument("--notices", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    print("fanout", fanout(args.watchers), flush=True)
    print("inbox", inbox(args.notices), flush=True)


if __name__ == "__main__":
    main()
