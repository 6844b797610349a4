"""The console draws a community's dashboard as server-side SVG charts."""

import pytest
from django.test import Client
from django.urls import reverse

from analytics.services.rollups import rollup_recent
from tests.factories import CommentFactory, CommunityFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_superadmin_sees_charts_of_a_community():
    community = CommunityFactory()
    PostFactory(community=community, title="Charted post", content="c")
    rollup_recent()
    client = _login(UserFactory(is_staff=True, is_superuser=True))
    rows = client.get(reverse("admin:analytics_communityday_changelist"))
    assert rows.status_code == 200
    page = client.get(reverse("admin:analytics_community_dashboard", args=[community.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("role=\"img\"") == 3 and "<polyline" in body  # the admin's own icons are SVG too
    assert "Members" in body and "Charted post" not in body  # no likes or comments: not a top post


def test_staff_without_the_analytics_permission_is_refused():
    community = CommunityFactory()
    client = _login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:analytics_community_dashboard", args=[community.pk])).status_code == 403


def test_the_top_posts_list_adds_up_to_the_chart_above_it():
    """Both read the rollup rows a dashboard miss has just caught up: a comment written after
    the last periodic rollup is in the chart and in the list (the list read the stored
    window, up to ANALYTICS_ROLLUP_SECONDS older than the chart)."""
    community = CommunityFactory()
    older = PostFactory(community=community, title="Older post", content="c")
    CommentFactory(post=older, community=community, content="first")
    rollup_recent()  # the periodic run: days and the stored window, fresh now
    newer = PostFactory(community=community, title="Newer post", content="c")
    for _ in range(3):
        CommentFactory(post=newer, community=community, content="later")
    client = _login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:analytics_community_dashboard", args=[community.pk]))
    data = page.context["data"]
    charted = sum(row["comments"] for row in data["content"]["by_day"])
    listed = {row["title"]: row["comments"] for row in data["content"]["top_posts"]}
    assert charted == 4
    assert listed == {"Newer post": 3, "Older post": 1}
    assert "Newer post" in page.content.decode()
