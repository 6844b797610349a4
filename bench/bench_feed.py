"""Feed latency at depth: keyset cursors vs page numbers on a community with 1,000,000 posts.

    .venv/bin/python bench/bench_feed.py [--posts 1000000] [--requests 30]

Uses its own database (community_service_bench, created and migrated on first run; the
posts are inserted once and reused). Requests go through Django's test client in-process:
the numbers are server time (routing, auth, permission resolution, queries, serialisation)
without network. Prints one JSON line per measurement.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "community_service.settings_test"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/community_service_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/10")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from communities.models import Community  # noqa: E402
from community_service.api.pagination import KeysetPagination  # noqa: E402
from community_service.devtools.cli import _ensure_database  # noqa: E402
from content.models import Post  # noqa: E402
from members.models import User  # noqa: E402

SLUG = "feed-bench"


def prepare(posts: int) -> Community:
    call_command("migrate", verbosity=0)
    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        from communities.services import community_create

        owner = User.objects.create_user(email="bench@example.com", username="bench", password="bench-pass-123")
        community = community_create(owner=owner, name="Feed bench", community_type="public", slug=SLUG)
    have = Post.objects.filter(community=community).count()
    if have < posts:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO content_post (id, community_id, author_id, title, content, status, rejection_reason,
                    is_pinned, comments_locked, like_count, view_count, comment_count, published_at, created_at,
                    updated_at)
                SELECT gen_random_uuid(), %s, %s, 'post ' || n, 'body of post ' || n, 'published', '', false,
                       false, n %% 97, 0, 0, now() - n * interval '1 second', now(), now()
                FROM generate_series(%s, %s) AS n
                """,
                [community.pk, community.owner_id, have + 1, posts],
            )
            cursor.execute("ANALYZE content_post")
        Community.objects.filter(pk=community.pk).update(post_count=posts)
        print(json.dumps({"inserted": posts - have, "seconds": round(time.perf_counter() - started, 1)}))
    return community


def timed(client: APIClient, url: str, params: dict, requests: int) -> dict:
    client.get(url, params)  # warm caches (RBAC access, connection)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", "community_service_bench")
    community = prepare(args.posts)
    client = APIClient()
    client.force_authenticate(community.owner)
    url = f"/api/v1/communities/{community.pk}/posts"
    ordered = Post.objects.filter(community=community).order_by("-published_at", "-id")
    keyset = KeysetPagination(["-published_at", "-id"])
    for label, depth in (("first", None), ("50%", args.posts // 2), ("99%", args.posts * 99 // 100)):
        cursor = "" if depth is None else keyset._encode("next", ordered[depth])
        result = timed(client, url, {"cursor": cursor, "page_size": 20, "ordering": "new"}, args.requests)
        print(json.dumps({"feed": "cursor", "depth": label, **result}))
    for label, page in (("first", 1), ("50%", args.posts // 40), ("99%", args.posts * 99 // 2000)):
        result = timed(client, url, {"page": page, "page_size": 20, "ordering": "new"}, max(5, args.requests // 6))
        print(json.dumps({"feed": "page", "depth": label, "page": page, **result}))


if __name__ == "__main__":
    main()
