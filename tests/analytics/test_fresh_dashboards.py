"""A dashboard computed on a cache miss includes today's activity, with or without beat;
`rebuild_analytics` drops the cached dashboards it corrects."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from analytics.models import CommunityWindow, MemberDay
from analytics.services.rollups import rollup_community_catch_up
from content.models import Post
from tests.conftest import client_for
from tests.factories import CommunityFactory, PostFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    cache.clear()
    return CommunityFactory()


def _post_twice(client, community) -> list[str]:
    ids = []
    for title in ("First", "Second"):
        response = client.post(url_for("post-list", community_pk=community.pk), {"title": title, "content": "x"})
        assert response.status_code == 201, response.json()
        ids.append(response.json()["id"])
    return ids


def _member_url(community, user) -> str:
    return url_for("member-analytics", member_id=community.members.get(user=user).pk)


def test_a_members_two_posts_today_show_at_once_without_beat(community):
    author = member_add(community)
    client = client_for(author)
    _post_twice(client, community)
    body = client.get(_member_url(community, author)).json()
    assert body["all_time"]["posts"] == 2
    assert body["in_range"]["posts"] == 2
    assert body["active_days_in_range"] == 1


def test_the_community_and_post_dashboards_count_today_too(community):
    author = member_add(community)
    post_id, _ = _post_twice(client_for(author), community)
    owner = client_for(community.owner)
    assert owner.post(url_for("post-like", post_id=post_id)).status_code in (200, 201)
    dashboard = owner.get(url_for("community-analytics", community_pk=community.pk)).json()
    assert dashboard["content"]["posts"] == 2
    assert dashboard["content"]["by_day"][-1]["posts"] == 2
    assert dashboard["engagement"]["active_posters"] == 1
    post = owner.get(url_for("post-analytics", post_id=post_id)).json()
    assert post["by_day"][-1]["likes"] == 1


def test_rebuild_analytics_drops_a_cached_dashboard(community):
    author = member_add(community)
    client = client_for(author)
    url = _member_url(community, author)
    assert client.get(url).json()["all_time"]["posts"] == 0  # cached now
    _post_twice(client, community)
    assert client.get(url).json()["all_time"]["posts"] == 0  # the cached answer, for CACHE_ANALYTICS_TTL
    call_command("rebuild_analytics", "--community", str(community.pk))
    assert client.get(url).json()["all_time"]["posts"] == 2


def test_a_miss_catches_up_the_days_since_the_communitys_last_rollup(community):
    author = member_add(community)
    today = timezone.now().date()
    rollup_community_catch_up(community_id=community.pk)
    # As if no rollup had run for three days (no beat), and a post was made two days ago.
    CommunityWindow.objects.filter(community=community).update(until=today - dt.timedelta(days=3))
    post = PostFactory(community=community, author=author, title="Then", content="x")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    rollup_community_catch_up(community_id=community.pk)
    assert MemberDay.objects.get(community=community, user=author).day == today - dt.timedelta(days=2)
    assert CommunityWindow.objects.get(community=community).until == today
