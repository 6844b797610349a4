"""The analytics routes over HTTP: ranges, caching per the seed, constant query counts."""

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.models import CommunityWindow
from analytics.services.rollups import rollup_days
from tests.conftest import client_for
from tests.factories import CommunityFactory, PostFactory, member_add
from tests.redis_commands import redis_commands

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory()


def _url(community) -> str:
    return reverse("community-analytics", kwargs={"community_pk": community.pk})


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("from=2026-13-01", "from", None),
        ("to=yesterday", "to", None),
        ("from=2026-05-02&to=2026-05-01", "from", "invalid_range"),
        ("from=2020-01-01&to=2026-01-01", "from", "range_too_long"),
    ],
)
def test_a_bad_range_is_a_400_naming_the_field(community, query, field, code):
    response = client_for(community.owner).get(f"{_url(community)}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert field in str(body)
    if code:
        assert body["code"] == code


def test_the_default_range_is_the_last_30_days_under_the_seed_cache_key(community):
    response = client_for(community.owner).get(_url(community))
    assert response.status_code == 200
    body = response.json()
    today = timezone.now().date()
    assert body["to"] == str(today) and body["from"] == str(today - dt.timedelta(days=29))
    assert len(body["members"]["growth"]) == 30
    assert cache.get(f"community:{community.pk}:analytics") is not None


def test_a_cached_dashboard_costs_no_database_queries_for_the_dashboard(community):
    client = client_for(community.owner)
    client.get(_url(community))
    with CaptureQueriesContext(connection) as first_hit:
        assert client.get(_url(community)).status_code == 200
    # No query at all: the caller's user row is cached (members.selectors.users) and the
    # community's liveness comes from its cached detail entry.
    assert first_hit.captured_queries == []


def test_a_dashboard_hit_is_two_redis_round_trips_and_the_same_bytes(community, monkeypatch):
    client = client_for(community.owner)
    body = client.get(_url(community)).content
    seen = {}
    # The caller's cached user row; then the throttle's script brings the detail entry, the
    # RBAC version, the caller's access entry (made under that version) and the dashboard.
    assert redis_commands(monkeypatch, lambda: seen.update(r=client.get(_url(community)))) == ["GET", "EVALSHA"]
    assert seen["r"].content == body and seen["r"]["Content-Type"] == "application/json"


def test_an_unchanged_dashboard_answers_304_to_its_etag(community):
    client = client_for(community.owner)
    first = client.get(_url(community))
    again = client.get(_url(community), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content
    assert client.get(_url(community), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_deleted_community_is_a_404_even_with_its_dashboard_cached(community, django_capture_on_commit_callbacks):
    client = client_for(community.owner)
    assert client.get(_url(community)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(reverse("community-detail", kwargs={"pk": community.pk})).status_code == 204
    assert cache.get(f"community:{community.pk}:analytics") is not None
    assert client.get(_url(community)).status_code == 404


def test_a_cached_dashboard_still_needs_the_permission(community):
    client_for(community.owner).get(_url(community))
    stranger, member = CommunityFactory().owner, member_add(community)
    assert client_for(stranger).get(_url(community)).status_code == 403
    assert client_for(member).get(_url(community)).status_code == 403


def test_refused_requests_count_against_the_callers_rate(community, monkeypatch, settings):
    from rest_framework.throttling import SimpleRateThrottle

    table = {**SimpleRateThrottle.THROTTLE_RATES, "user": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", table)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": table}
    stranger = client_for(CommunityFactory().owner)
    # The throttle is decided before the permission check: probing costs the prober's rate.
    assert [stranger.get(_url(community)).status_code for _ in range(3)] == [403, 403, 429]


def test_the_dashboard_query_count_does_not_grow_with_the_data(community):
    client = client_for(community.owner)

    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(community)).status_code == 200
        return len(ctx.captured_queries)

    # A miss first catches the community's daily rows up; its CommunityWindow row (distinct
    # counts, rankings) too when there is none or it is stale. Either way the count is fixed.
    recomputing = queries()
    rollup_days(since=timezone.now().date(), until=timezone.now().date())
    small = queries()
    for n in range(30):
        PostFactory(community=community, author=member_add(community), title=f"Post {n}", content="x")
    rollup_days(since=timezone.now().date(), until=timezone.now().date())
    assert queries() == small < recomputing
    CommunityWindow.objects.filter(community=community).update(refreshed_at=timezone.now() - dt.timedelta(hours=1))
    assert queries() == recomputing


def test_post_analytics_of_an_unknown_or_deleted_post_is_a_404(community):
    client = client_for(community.owner)
    assert client.get(reverse("post-analytics", kwargs={"post_id": uuid.uuid4()})).status_code == 404
    post = PostFactory(community=community, removed=True)
    assert client.get(reverse("post-analytics", kwargs={"post_id": post.pk})).status_code == 404


def test_another_communitys_admin_cannot_read_a_member(community):
    other = CommunityFactory()
    member = community.members.get(user=community.owner)
    response = client_for(other.owner).get(reverse("member-analytics", kwargs={"member_id": member.pk}))
    assert response.status_code == 403


def test_a_member_sees_their_own_numbers_but_not_a_neighbours(community):
    me, neighbour = member_add(community), member_add(community)
    client = client_for(me)
    mine = community.members.get(user=me)
    theirs = community.members.get(user=neighbour)
    assert client.get(reverse("member-analytics", kwargs={"member_id": mine.pk})).status_code == 200
    assert client.get(reverse("member-analytics", kwargs={"member_id": theirs.pk})).status_code == 403
