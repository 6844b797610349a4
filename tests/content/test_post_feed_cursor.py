"""Keyset (?cursor=) feeds: correct walking both ways, and constant cost at any depth."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community_service.api.pagination import KeysetPagination
from content.models import Post, PostStatus
from tests.conftest import client_for
from tests.factories import CommunityFactory, PostFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def _posts(community, count: int) -> list[Post]:
    now = timezone.now()
    return Post.objects.bulk_create(
        Post(community=community, author=community.owner, title=f"p{i:03}", content="x",
             status=PostStatus.PUBLISHED, published_at=now - timedelta(seconds=i), like_count=i % 3)
        for i in range(count)
    )


def test_walking_forward_and_back_visits_every_post_once():
    community = CommunityFactory()
    _posts(community, 23)
    api = client_for(community.owner)
    url = url_for("post-list", community_pk=community.pk) + "?cursor=&page_size=5"
    seen, pages = [], []
    while url:
        body = api.get(url).data
        assert set(body) == {"items", "next", "previous"}
        pages.append(url)
        seen += [p["title"] for p in body["items"]]
        url = body["next"]
    assert seen == [f"p{i:03}" for i in range(23)]
    last = api.get(pages[-1]).data
    back = api.get(last["previous"]).data
    assert [p["title"] for p in back["items"]] == [f"p{i:03}" for i in range(15, 20)]


def test_top_ordering_with_many_ties_is_exact():
    community = CommunityFactory()
    _posts(community, 30)
    api = client_for(community.owner)
    url = url_for("post-list", community_pk=community.pk) + "?cursor=&ordering=top&page_size=4"
    seen = []
    while url:
        body = api.get(url).data
        seen += [(p["like_count"], p["id"]) for p in body["items"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 30
    assert seen == sorted(seen, reverse=True)


def test_a_cursor_the_server_did_not_hand_out_is_a_400_invalid_cursor():
    community = CommunityFactory()
    api = client_for(community.owner)
    url = url_for("post-list", community_pk=community.pk)
    for garbage in ("garbage!", "Zm9v", "eyJkIjoibmV4dCJ9"):  # bad alphabet, not JSON, JSON without a position
        response = api.get(url, {"cursor": garbage})
        assert (response.status_code, response.data["code"], "cursor" in response.data) == (400, "invalid_cursor", True)


def test_a_cursor_works_with_every_ordering_and_with_search():
    community = CommunityFactory()
    now = timezone.now()
    for n in range(5):
        PostFactory(community=community, title=f"python {n}", content="snakes",
                    published_at=now - timedelta(minutes=n), like_count=n % 2)
    PostFactory(community=community, title="ruby", content="gems", published_at=now)
    api = client_for(community.owner)
    for ordering in ("pinned", "new", "top"):
        seen = []
        body = api.get(url_for("post-list", community_pk=community.pk),
                       {"cursor": "", "ordering": ordering, "page_size": 2, "search": "python"}).data
        while True:
            seen += [item["title"] for item in body["items"]]
            if not body["next"]:
                break
            body = api.get(body["next"]).data
        # Search filters, the ordering orders: every match once, nothing else.
        assert sorted(seen) == [f"python {n}" for n in range(5)], ordering


def _plan_shape(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]
    shape = []

    def walk(node: dict) -> None:
        shape.append(f"{node['Node Type']}:{node.get('Index Name', '')}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return shape


def test_page_1000_of_100000_posts_costs_what_page_1_costs():
    community = CommunityFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO content_post (id, community_id, author_id, title, content, status, rejection_reason,
                is_pinned, comments_locked, like_count, view_count, comment_count, published_at, created_at,
                updated_at)
            SELECT gen_random_uuid(), %s, %s, 'post ' || n, 'body ' || n, 'published', '', false, false,
                   n %% 50, 0, 0, now() - n * interval '1 second', now(), now()
            FROM generate_series(1, 100000) AS n
            """,
            [community.pk, community.owner_id],
        )
        cursor.execute("ANALYZE content_post")
    api = client_for(community.owner)
    url = url_for("post-list", community_pk=community.pk)
    api.get(url, {"page_size": 1})  # warm the RBAC cache
    deep = Post.objects.filter(community=community).order_by("-published_at", "-id")[19_980]
    deep_cursor = KeysetPagination(["-published_at", "-id"])._encode("next", deep)

    def feed_query(cursor: str) -> tuple[int, str, list]:
        with CaptureQueriesContext(connection) as ctx:
            body = api.get(url, {"cursor": cursor, "page_size": 20}).data
        feed_sql = next(q["sql"] for q in ctx.captured_queries if 'FROM "content_post"' in q["sql"])
        return len(ctx.captured_queries), feed_sql, body["items"]

    first_count, first_sql, first_items = feed_query("")
    deep_count, deep_sql, deep_items = feed_query(deep_cursor)
    assert first_items[0]["title"] == "post 1"
    assert deep_items[0]["title"] == "post 19982"  # page 1,000 (20 per page) starts right after the cursor
    assert first_count == deep_count
    deep_plan = _plan_shape(deep_sql)
    # idx_posts_feed, or idx_posts_published (the global search's newest-first index): with
    # every post in this one community both walk the same rows from the cursor's position.
    assert any(f"Index Scan{way}:{index}" in deep_plan for way in ("", " Backward")
               for index in ("idx_posts_feed", "idx_posts_published")), deep_plan
    # Same plan shape with or without the keyset bound: no sort, no scan growing with depth.
    assert [node.split(":")[0] for node in deep_plan] == [node.split(":")[0] for node in _plan_shape(first_sql)]
    assert "Sort" not in " ".join(deep_plan)
