"""Page-number pages of a community's posts: capped count, no deep OFFSET, an index in order."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community_service.api.pagination import CappedCountPagination
from content.models import Post, PostStatus
from tests.conftest import client_for
from tests.factories import CommunityFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db


def _posts(community, count: int, **fields: object) -> list[Post]:
    now = timezone.now()
    return Post.objects.bulk_create(
        Post(community=community, author=community.owner, title=f"p{i:03}", content="x",
             status=PostStatus.PUBLISHED, published_at=now - timedelta(seconds=i), **fields)
        for i in range(count)
    )


def test_total_is_exact_up_to_the_limit_then_an_estimate_and_says_which(monkeypatch):
    community = CommunityFactory()
    _posts(community, 12)
    api, url = client_for(community.owner), url_for("post-list", community_pk=community.pk)
    body = api.get(url, {"page_size": 5}).json()
    assert (body["total"], body["total_exact"], body["pages"]) == (12, True, 3)
    monkeypatch.setattr(CappedCountPagination, "EXACT_COUNT_LIMIT", 5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE content_post")
    body = api.get(url, {"page_size": 5}).json()
    assert body["total_exact"] is False and body["total"] >= 6
    # The last page knows the exact total without counting.
    last = api.get(url, {"page_size": 5, "page": 3}).json()
    assert (last["total"], last["total_exact"], len(last["items"])) == (12, True, 2)


def test_a_page_past_the_limit_is_a_400_pointing_to_cursor():
    community = CommunityFactory()
    api, url = client_for(community.owner), url_for("post-list", community_pk=community.pk)
    limit = CappedCountPagination.MAX_PAGE_OFFSET
    response = api.get(url, {"page": limit // 20 + 1, "page_size": 20})
    assert response.status_code == 400
    assert response.json()["code"] == "page_too_deep" and "?cursor=" in response.json()["page"][0]


def test_pinned_posts_come_first_then_the_newest():
    community = CommunityFactory()
    posts = _posts(community, 6)
    Post.objects.filter(pk=posts[4].pk).update(is_pinned=True, pinned_at=timezone.now())
    api = client_for(community.owner)
    titles = [p["title"] for p in api.get(url_for("post-list", community_pk=community.pk)).json()["items"]]
    assert titles == ["p004", "p000", "p001", "p002", "p003", "p005"]


def test_deep_pages_read_their_ids_in_a_subquery_and_keep_the_feed_order(monkeypatch):
    community = CommunityFactory()
    posts = _posts(community, 7)
    Post.objects.filter(pk=posts[5].pk).update(is_pinned=True, pinned_at=timezone.now())
    api, url = client_for(community.owner), url_for("post-list", community_pk=community.pk)
    shallow = [p["title"] for n in (1, 2, 3) for p in api.get(url, {"page": n, "page_size": 3}).json()["items"]]
    monkeypatch.setattr(CappedCountPagination, "DEFERRED_JOIN_OFFSET", 2)
    with CaptureQueriesContext(connection) as queries:
        deep = api.get(url, {"page": 2, "page_size": 3}).json()
    assert [p["title"] for p in deep["items"]] == shallow[3:6] == ["p002", "p003", "p004"]
    page_reads = [q["sql"] for q in queries.captured_queries if 'FROM "content_post"' in q["sql"]
                  and "LIMIT 3 OFFSET 3" in q["sql"]]
    assert len(page_reads) == 1 and "IN (SELECT" in page_reads[0]  # one statement: ids, then rows
    assert [p["title"] for n in (1, 2, 3) for p in api.get(url, {"page": n, "page_size": 3}).json()["items"]] == shallow


def test_the_default_page_order_is_read_from_an_index_not_sorted():
    # A community with 500,000 posts sorted them all for page 1 (2 s) before this index.
    community = CommunityFactory()
    _posts(community, 30)
    api = client_for(community.owner)
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url_for("post-list", community_pk=community.pk)).status_code == 200
    page = next(q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"] and "content_post" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        # A 30-row table is cheaper to sort: forbid that, so the plan shows whether an index
        # gives this order under the page's filters at all.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; "
                       "SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"EXPLAIN {page}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "idx_posts_pinned_feed" in plan and "Sort" not in plan, plan
