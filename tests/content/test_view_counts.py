"""Post views: deduplicated per viewer and window, buffered in Redis, flushed in one batch."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import Post
from content.services.view_counts import post_view_register, post_views_flush
from content.tasks import post_views_flush_task
from tests.factories import CommunityFactory, PostFactory

pytestmark = pytest.mark.django_db


def make_post() -> Post:
    community = CommunityFactory()
    return PostFactory(community=community, title="Hi", content="x")


def views(post: Post) -> int:
    post.refresh_from_db()
    return post.view_count


def test_the_test_settings_buffer_views_in_real_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"


def test_a_view_is_buffered_not_written_until_the_flush():
    post = make_post()
    with CaptureQueriesContext(connection) as queries:
        post_view_register(post_id=post.pk, viewer_key="user:1")
    assert len(queries) == 0
    assert views(post) == 0
    assert post_views_flush() == 1
    assert views(post) == 1


def test_the_same_viewer_counts_once_per_window():
    post = make_post()
    for _ in range(5):
        post_view_register(post_id=post.pk, viewer_key="user:1")
    post_view_register(post_id=post.pk, viewer_key="user:2")
    assert post_views_flush() == 2
    assert views(post) == 2


def test_a_viewer_counts_again_after_the_window(settings):
    settings.POST_VIEW_DEDUPE_SECONDS = 1
    post = make_post()
    post_view_register(post_id=post.pk, viewer_key="user:1")
    time.sleep(1.2)
    post_view_register(post_id=post.pk, viewer_key="user:1")
    post_views_flush()
    assert views(post) == 2


def test_one_flush_applies_many_posts_in_a_single_update_and_leaves_nothing_behind():
    posts = [make_post() for _ in range(5)]
    for n, post in enumerate(posts):
        for viewer in range(n + 1):
            post_view_register(post_id=post.pk, viewer_key=f"user:{viewer}")
    with CaptureQueriesContext(connection) as queries:
        assert post_views_flush() == 15
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert [views(post) for post in posts] == [1, 2, 3, 4, 5]
    assert post_views_flush() == 0
    assert [views(post) for post in posts] == [1, 2, 3, 4, 5]


def test_views_counted_after_a_flush_wait_for_the_next_one():
    post = make_post()
    post_view_register(post_id=post.pk, viewer_key="user:1")
    post_views_flush()
    post_view_register(post_id=post.pk, viewer_key="user:2")
    assert views(post) == 1
    post_views_flush_task()
    assert views(post) == 2


def test_the_flush_runs_from_celery_beat_every_ten_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["post-views-flush"]
    assert (entry["task"], entry["schedule"]) == ("content.post_views_flush", 10.0)
    assert post_views_flush_task.name == "content.post_views_flush"


def test_without_django_redis_a_view_is_a_direct_update(settings):
    # Not a stand-in for Redis: the local-memory cache is the product's own embedded default
    # (`make run` without REDIS_URL), and this is the code path it takes there.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    post = make_post()
    post_view_register(post_id=post.pk, viewer_key="user:1")
    post_view_register(post_id=post.pk, viewer_key="user:1")
    assert views(post) == 1
    assert post_views_flush() == 0


def test_with_redis_down_views_are_still_counted_directly(settings):
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens here
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }}  # fmt: skip
    post = make_post()
    post_view_register(post_id=post.pk, viewer_key="user:1")
    assert views(post) == 1
    assert post_views_flush() == 0
